// Package slotmemo is a tiny memo of a pure function of a string. On the
// request path a client repeats the same few strings on every request
// (carreta's api_key, a query that holds it), and working out the same
// answer again cost a hash or a new string a request (issue 16); a test
// process starts many mocks from the same few stored scenario documents
// (scenario.ParseStored).
//
// A Memo has a fixed number of slots, picked by a hash of the key, each
// holding the last key that landed there and its value; a slot is replaced
// whole (an atomic pointer to an entry never changed once stored), so a
// Memo needs no lock and a reader never sees half an entry. Because the
// function is pure, nothing is ever invalidated: a miss just computes
// again. Keys longer than the memo's bound are computed every time and
// never held, so a client cannot make it hold long strings.
package slotmemo

import (
	"hash/maphash"
	"strings"
	"sync/atomic"
)

// Slots is how many keys a Memo holds at most.
const Slots = 16

// Memo memoises a pure function of a string. Make one with New.
type Memo[V any] struct {
	seed   maphash.Seed
	maxKey int
	slots  [Slots]atomic.Pointer[entry[V]]
}

// entry is one key and its value, never changed once stored.
type entry[V any] struct {
	key string
	val V
}

// New is an empty memo of keys up to maxKey bytes.
func New[V any](maxKey int) *Memo[V] {
	return &Memo[V]{seed: maphash.MakeSeed(), maxKey: maxKey}
}

// Get is f(key), from the memo when key is there. On a miss it calls f
// and, when f says keep, holds the answer (Keep).
func (m *Memo[V]) Get(key string, f func(string) (V, bool)) V {
	if v, ok := m.Lookup(key); ok {
		return v
	}
	v, keep := f(key)
	if keep {
		m.Keep(key, v)
	}
	return v
}

// Lookup is the value the memo holds for key, if it holds key.
func (m *Memo[V]) Lookup(key string) (V, bool) {
	if len(key) <= m.maxKey {
		if e := m.slot(key).Load(); e != nil && e.key == key {
			return e.val, true
		}
	}
	var zero V
	return zero, false
}

// Keep holds v, f(key), under a copy of key (never the caller's memory,
// which may be a request's buffer), in key's slot; a key over the memo's
// bound is not held. A caller that learns only later whether a key is
// worth holding (carreta keeps only keys that named an account) looks it
// up, computes and keeps it itself.
func (m *Memo[V]) Keep(key string, v V) {
	if len(key) <= m.maxKey {
		m.slot(key).Store(&entry[V]{key: strings.Clone(key), val: v})
	}
}

// slot is key's slot.
func (m *Memo[V]) slot(key string) *atomic.Pointer[entry[V]] {
	return &m.slots[maphash.String(m.seed, key)%Slots]
}

// Held is the keys the memo holds now, for tests.
func (m *Memo[V]) Held() []string {
	var keys []string
	for i := range m.slots {
		if e := m.slots[i].Load(); e != nil {
			keys = append(keys, e.key)
		}
	}
	return keys
}
