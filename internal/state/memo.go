package state

import (
	"bytes"
	"encoding/json"
	"sync"
)

// Memo keeps the decoded form of one bucket's JSON records between
// transactions, for the records that requests read again and again: the
// caller's token and user on every amapi write, the position and client a
// saplab panel action reads and writes back (issue 16: decoding them was
// a tenth to a fifth of a durable write's processor time, besides the
// fsync). An entry is used only while the bucket holds exactly the bytes
// it was decoded from, compared on every Get, so it is never stale and
// nothing else need keep it up to date: a rolled-back write, a reset, a
// seeding or another world's file leave bytes that differ, and the record
// is decoded as Tx.Get decodes it. Since a decoded value is a function of
// its bytes alone, one Memo may serve any number of files.
//
// The values it keeps are never handed out: Get and Put clone them (clone
// must copy everything a caller could change through the copy: slices,
// maps, pointers), so callers may change what they get. A Memo is safe for
// concurrent use.
type Memo[T any] struct {
	bucket string
	clone  func(*T) *T
	mu     sync.Mutex
	m      map[string]memoEntry[T] // by key
}

// memoEntry is a record's bytes and the value they decode to.
type memoEntry[T any] struct {
	raw []byte
	v   *T
}

// memoSize bounds a Memo; past it the Memo starts over rather than track
// use (a few hundred kilobytes of records at most).
const memoSize = 512

// NewMemo makes a Memo of bucket's records, which clone deep-copies.
func NewMemo[T any](bucket string, clone func(*T) *T) *Memo[T] {
	return &Memo[T]{bucket: bucket, clone: clone, m: map[string]memoEntry[T]{}}
}

// Get is Tx.Get of the record under key: a copy the caller may change,
// decoded only when the bucket holds other bytes than last time;
// ErrNotFound when absent.
func (m *Memo[T]) Get(tx *Tx, key []byte) (*T, error) {
	raw := tx.Bucket(m.bucket).Get(key)
	if raw == nil {
		return nil, ErrNotFound
	}
	m.mu.Lock()
	e, ok := m.m[string(key)]
	m.mu.Unlock()
	if ok && bytes.Equal(e.raw, raw) {
		return m.clone(e.v), nil
	}
	v := new(T)
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, err
	}
	// raw lives in bbolt's map only until the transaction ends.
	m.remember(key, bytes.Clone(raw), m.clone(v))
	return v, nil
}

// Put is Tx.Put of v under key, remembering the bytes it stored: the next
// Get of the record, by this write's successor, need not decode them. It
// stores nothing when the bucket already holds those bytes and the memo
// knew it (they are the ones it last read or stored under key).
func (m *Memo[T]) Put(tx *Tx, key []byte, v *T) error {
	data, err := encodeRecord(m.bucket, v)
	if err != nil {
		return err
	}
	b := tx.Bucket(m.bucket)
	// The bucket is looked at only when the memo says it may hold these
	// very bytes (a write that put back what it read): a record that
	// changed, most writes', costs no seek more.
	m.mu.Lock()
	e, ok := m.m[string(key)]
	m.mu.Unlock()
	if ok && bytes.Equal(e.raw, data) {
		if _, err := PutChanged(b, key, data); err != nil {
			return err
		}
	} else if err := b.Put(key, data); err != nil {
		return err
	}
	// bbolt keeps data until the commit and never changes it; neither does
	// the Memo.
	m.remember(key, data, m.clone(v))
	return nil
}

// remember keeps raw and v under key.
func (m *Memo[T]) remember(key, raw []byte, v *T) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.m) >= memoSize {
		clear(m.m)
	}
	m.m[string(key)] = memoEntry[T]{raw: raw, v: v}
}

// ClonePtr is a copy of *p of its own, or nil for nil: the pointer fields
// of the records a Memo's clone copies (a time, a nested struct).
func ClonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}
