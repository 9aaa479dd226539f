// Package state owns the one bbolt file that holds every simulated API's data.
//
// It follows the way bbolt wants to be used: the file is opened once, every
// bucket is created at open, there is one writer at a time, transactions never
// nest, and values read inside a transaction are copied (decoded) before it
// ends. Each API package declares its buckets and works inside the *Tx it is
// handed; it never opens a transaction of its own from inside another.
package state

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/mockserver/mockserver/internal/clock"
	bolt "go.etcd.io/bbolt"
)

// MetaBucket holds the server's own bookkeeping: the scenario that seeded the
// state, so that a restart and /__admin/reset know what "the loaded scenario" is.
const MetaBucket = "meta"

// Meta keys.
const (
	metaScenario = "scenario"
	metaSeeded   = "seeded_at"
)

// ErrNotFound is returned by Get-style helpers when a key is absent.
var ErrNotFound = errors.New("state: not found")

// Store is the bbolt file plus the clock that stamps its transactions.
//
// Store relies on bbolt's locks. bbolt lets one read-write transaction run
// at a time (Update, Batch's leader and Reset queue on its writer lock)
// beside any number of read-only ones (View, Snapshot), each of which sees
// the state as of its start. Batch's group has a mutex of its own, a leaf
// held only to join the queue or hand it over (group.go). The file itself is locked
// (flock) for as long as it is open, so a second process cannot open it
// (Open gives up after a second). A transaction takes the clock's read lock
// once, at its start, for Tx.Now; so the order is bbolt, then the clock.
type Store struct {
	db      *bolt.DB
	opts    *bolt.Options // what db was opened with, for compact's reopening
	clock   *clock.Clock
	buckets []string
	group   group // Batch's group commit
}

// lockTimeout is how long Open waits for another process's lock on the
// file before it gives up. A variable only so that the test of the
// give-up (export_test.go) need not wait the whole second.
var lockTimeout = time.Second

// Open opens (or creates) the bbolt file at path and creates the meta bucket
// and every bucket named in buckets, in one transaction, so that no request
// ever finds a bucket missing. A file locked by another process fails after
// one second instead of hanging.
func Open(path string, clk *clock.Clock, buckets ...string) (*Store, error) {
	return open(path, clk, &bolt.Options{Timeout: lockTimeout, InitialMmapSize: initialMmapSize}, buckets)
}

// OpenScratch is Open for a file that need not outlive the process (a
// world's state, SPEC §10): commits are not fsynced, so a write costs a
// copy into the page cache instead of a disk flush, and a crash may lose
// or corrupt the file. Nothing ever reopens it after a crash: worlds are
// removed on shutdown and gone after a restart, and a test's file
// (server.Config.ScratchDB) is reopened only by a restart in the same
// process, which finds every commit in the page cache.
//
// The file is mapped initialMmapSize bytes from the start, as a durable
// one: every time bbolt outgrows its map it unmaps, copies every node of
// the open transaction out of the old map and maps again, which was a
// third of the processor time a test's seeding took.
func OpenScratch(path string, clk *clock.Clock, buckets ...string) (*Store, error) {
	return open(path, clk, &bolt.Options{Timeout: lockTimeout, NoSync: true, NoGrowSync: true, NoFreelistSync: true,
		InitialMmapSize: initialMmapSize}, buckets)
}

// growStep is how much a file opened with a large mapping (Part.MmapSize)
// grows at a time: bbolt's AllocSize (16 MB) would make a small state's
// file 16 MB.
const growStep = 1 << 20

// openBolt opens the bbolt file at path.
func openBolt(path string, opts *bolt.Options) (*bolt.DB, error) {
	db, err := bolt.Open(path, 0o600, opts)
	if err == nil && opts.InitialMmapSize > initialMmapSize {
		db.AllocSize = growStep
	}
	return db, err
}

// open is Open with bbolt's options.
func open(path string, clk *clock.Clock, opts *bolt.Options, buckets []string) (*Store, error) {
	db, err := openBolt(path, opts)
	if err != nil {
		return nil, fmt.Errorf("open state %s: %w", path, err)
	}
	s := &Store{db: db, opts: opts, clock: clk, buckets: append([]string(nil), buckets...)}
	complete, unused := s.bucketsHeld()
	if complete {
		return s, nil // a kept file or a world's template: no commit needed
	}
	if unused && !db.NoSync {
		// A file without the meta bucket holds nothing of ours (bbolt has
		// just made it): its buckets are committed without waiting on
		// fsyncs, and the first commit that syncs (the seeding, which
		// follows at once) flushes them with its own pages. A crash
		// before that leaves bbolt's valid empty file, or these buckets.
		db.NoSync = true
		defer func() { db.NoSync = false }()
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range append([]string{MetaBucket}, buckets...) {
			if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// bucketsHeld reports, from one read transaction, whether the file has
// the meta bucket and every bucket of s already (complete), and whether it
// lacks even the meta bucket: nothing of ours was ever committed to it
// (unused).
func (s *Store) bucketsHeld() (complete, unused bool) {
	_ = s.db.View(func(tx *bolt.Tx) error {
		unused = tx.Bucket([]byte(MetaBucket)) == nil
		complete = !unused
		for _, name := range s.buckets {
			complete = complete && tx.Bucket([]byte(name)) != nil
		}
		return nil
	})
	return complete, unused
}

// initialMmapSize is the mapping bbolt starts with: the default scenario's
// seeding fills about 1 MiB, and a mapping that holds it is neither
// remapped five times on the way (32 KiB, doubled) nor the file grown, and
// fsynced, twice. bbolt grows the file itself only as pages are written.
const initialMmapSize = 1 << 20

// Close closes the file. Every acknowledged write was already fsynced by its
// commit (but in a scratch file), so Close only releases the lock and the
// mapping.
func (s *Store) Close() error { return s.db.Close() }

// View runs fn in a read-only transaction.
func (s *Store) View(fn func(tx *Tx) error) error {
	return s.db.View(func(btx *bolt.Tx) error { return fn(s.wrap(btx)) })
}

// Update runs fn in one read-write transaction: fn's error rolls back
// everything fn wrote, so a request that fails changes nothing. The commit is
// fsynced before Update returns, so a 2xx sent afterwards survives kill -9.
func (s *Store) Update(fn func(tx *Tx) error) error {
	return s.db.Update(func(btx *bolt.Tx) error { return fn(s.wrap(btx)) })
}

// Batch is Update with group commit: concurrent callers share one
// transaction and one fsync, and a lone caller commits at once, as Update
// would (leader/follower, no timer: group.go). fn's error rolls back only
// what fn wrote and is returned to its caller alone. fn may be called more
// than once (when another function in the same batch fails), so it must
// have no effect outside the transaction it is given; a panic in fn is
// raised again in its caller's goroutine.
func (s *Store) Batch(fn func(tx *Tx) error) error {
	return s.group.do(s.db, func(btx *bolt.Tx) error { return fn(s.wrap(btx)) }, nil)
}

// BatchThen is Batch with then, which runs exactly once when fn has
// committed (never when fn's result is an error): after the commit is
// durable, before BatchThen returns, in the order of the commits, and
// before any later batch begins. It is where a store publishes what it
// keeps in memory beside the file: then may run in another caller's
// goroutine (the batch's leader), must not block on other writers, and
// must not open a transaction. Every later fn runs after every earlier
// then, so a function sees in memory what it sees in the file, but for
// the other functions of its own batch.
func (s *Store) BatchThen(fn func(tx *Tx) error, then func()) error {
	return s.group.do(s.db, func(btx *bolt.Tx) error { return fn(s.wrap(btx)) }, then)
}

// Snapshot writes a consistent copy of the whole file to w.
func (s *Store) Snapshot(w io.Writer) (int64, error) {
	var n int64
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// Reset empties every API bucket and runs seed in the same transaction, then
// records the scenario source in the meta bucket. If seed fails, nothing
// changes: the old state stays as it was.
func (s *Store) Reset(scenarioSource []byte, seed func(tx *Tx) error) error {
	return s.Update(func(tx *Tx) error {
		for _, name := range s.buckets {
			if err := tx.btx.DeleteBucket([]byte(name)); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
				return fmt.Errorf("clear bucket %s: %w", name, err)
			}
			if _, err := tx.btx.CreateBucket([]byte(name)); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		if err := seed(tx); err != nil {
			return err
		}
		meta := tx.Bucket(MetaBucket)
		if err := meta.Put([]byte(metaScenario), scenarioSource); err != nil {
			return err
		}
		return meta.Put([]byte(metaSeeded), []byte(tx.Now().UTC().Format(time.RFC3339Nano)))
	})
}

// Seeded returns the source of the scenario the state was last seeded from,
// and false when the file has never been seeded (a new file).
func (s *Store) Seeded() ([]byte, bool, error) {
	var src []byte
	var ok bool
	err := s.View(func(tx *Tx) error {
		meta := tx.Bucket(MetaBucket)
		if meta.Get([]byte(metaSeeded)) == nil {
			return nil
		}
		ok = true
		src = append([]byte(nil), meta.Get([]byte(metaScenario))...)
		return nil
	})
	return src, ok, err
}

// Reseal replaces the stored scenario source with src in one transaction
// (nil removes it), then compacts the file. It is how a state file of an
// earlier version, whose stored scenario holds plaintext secrets, is
// upgraded (issue 14): bbolt leaves a replaced value's bytes in the pages
// it frees, and they would stay in the file, and in every snapshot of it,
// until reused. It must run before the store serves anyone: compacting
// reopens the file.
func (s *Store) Reseal(src []byte) error {
	err := s.Update(func(tx *Tx) error {
		meta := tx.Bucket(MetaBucket)
		if src == nil {
			return meta.Delete([]byte(metaScenario))
		}
		return meta.Put([]byte(metaScenario), src)
	})
	if err != nil {
		return err
	}
	return s.compact()
}

// compact rewrites the file with only the pages in use (bbolt's Compact,
// which keeps every key, value and bucket sequence) into a file beside it,
// synced, then renamed over it and reopened. A crash leaves either file
// whole: the rename is atomic.
func (s *Store) compact() error {
	path := s.db.Path()
	tmp := path + ".compact"
	_ = os.Remove(tmp)
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return fmt.Errorf("compact %s: %w", path, err)
	}
	err = bolt.Compact(dst, s.db, 0) // 0: one transaction, fsynced at its commit
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("compact %s: %w", path, err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync() // the rename itself survives a crash
		_ = d.Close()
	}
	if err := s.db.Close(); err != nil {
		return err
	}
	db, err := openBolt(path, s.opts)
	if err != nil {
		return fmt.Errorf("reopen state %s: %w", path, err)
	}
	s.db = db
	return nil
}

// wrap is btx with the clock reading of its start.
func (s *Store) wrap(btx *bolt.Tx) *Tx {
	return &Tx{btx: btx, now: s.clock.Now()}
}

// Tx is one bbolt transaction with the time it started: every record written
// in one request carries the same timestamp.
type Tx struct {
	btx *bolt.Tx
	now time.Time
	// checkpoint commits and begins anew in a seeding transaction
	// (Set.seedParts); nil in every other.
	checkpoint func() error
}

// Checkpoint commits what a seeding transaction (Set.Reset, Set.Repair)
// has written so far and carries on in a new transaction of the same
// file: bbolt holds every page a transaction dirties in memory until it
// commits (and copies them all again when the file grows), so a large
// seeding done in one transaction peaked at three times its file's size.
// The part has no generation until its last transaction commits, so a
// crash between checkpoints leaves it stale and the next start reseeds it
// (Set.Stale); in a Reset, the first checkpoint records the reset as
// pending first, so from there on a crash completes it instead of
// undoing it. Buckets taken from tx before the call are not valid after
// it. In any other transaction it does nothing.
func (tx *Tx) Checkpoint() error {
	if tx.checkpoint == nil {
		return nil
	}
	return tx.checkpoint()
}

// Now is the clock reading taken when the transaction began.
func (tx *Tx) Now() time.Time { return tx.now }

// Writable reports whether this is a read-write transaction.
func (tx *Tx) Writable() bool { return tx.btx.Writable() }

// Bucket returns a bucket created at Open. A missing bucket is a programming
// error (the API did not declare it), so it panics rather than hiding it.
func (tx *Tx) Bucket(name string) *bolt.Bucket {
	b := tx.btx.Bucket([]byte(name))
	if b == nil {
		panic("state: bucket " + name + " was not declared at Open")
	}
	return b
}

// NextID returns the bucket's next sequence number (1, 2, ...). Used as a key
// through Key, it keeps records in insertion order.
func (tx *Tx) NextID(bucket string) (uint64, error) {
	return tx.Bucket(bucket).NextSequence()
}

// SetSequence moves the bucket's sequence, so that ids given by a scenario are
// never handed out again.
func (tx *Tx) SetSequence(bucket string, v uint64) error {
	b := tx.Bucket(bucket)
	if v <= b.Sequence() {
		return nil
	}
	return b.SetSequence(v)
}

// Put stores v as JSON under key; when the bucket already holds exactly
// those bytes it stores nothing (PutChanged).
func (tx *Tx) Put(bucket string, key []byte, v any) error {
	data, err := encodeRecord(bucket, v)
	if err != nil {
		return err
	}
	_, err = PutChanged(tx.Bucket(bucket), key, data)
	return err
}

// Appender is a record that writes its own JSON: exactly the bytes
// json.Marshal writes of it (package gojson, and a test that compares the
// two), or false when it cannot (json.Marshal then encodes it, and reports
// its error). A durable write stores its records through Put, Insert,
// Append and Memo.Put; json.Marshal's reflection walk over a record of
// twenty fields cost more than bbolt's put of it (issue 16).
type Appender interface {
	AppendJSON(dst []byte) ([]byte, bool)
}

// scratch holds the buffers Appenders write into; the row is copied out
// at its own size, as json.Marshal returns it.
var scratch = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// maxScratch bounds a buffer scratch keeps: a row of a large request body
// (amapi keeps the body of an order) is not held on to.
const maxScratch = 64 << 10

// encodeRecord is v as a row of bucket: its JSON.
func encodeRecord(bucket string, v any) ([]byte, error) {
	if a, ok := v.(Appender); ok {
		buf := scratch.Get().(*[]byte)
		data, ok := a.AppendJSON((*buf)[:0])
		var row []byte
		if ok {
			row = bytes.Clone(data) // of its own size: bbolt keeps it to the commit
		}
		if cap(data) > cap(*buf) && cap(data) <= maxScratch {
			*buf = data[:0]
		}
		scratch.Put(buf)
		if ok {
			return row, nil
		}
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %s record: %w", bucket, err)
	}
	return data, nil
}

// Insert stores v as JSON under a key the bucket does not hold yet (a new
// row, under an id NextID just gave): Put without its look for the same
// bytes, which would only cost a seek.
func (tx *Tx) Insert(bucket string, key []byte, v any) error {
	return tx.insert(tx.Bucket(bucket), bucket, key, v)
}

// insert is Insert into b, the bucket named bucket.
func (tx *Tx) insert(b *bolt.Bucket, bucket string, key []byte, v any) error {
	data, err := encodeRecord(bucket, v)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}

// Append is Insert for a key above every key the bucket holds (an id
// NextID just gave): the leaf it fills splits at appendFill, not half
// way, since nothing will come after the split point. Rows added one
// write at a time then fill their pages instead of leaving them half
// empty, and a write splits a leaf half as often (a page more to write
// and flush in that commit). bbolt reads the fill when the transaction
// commits, for every leaf of the bucket it dirtied (the bucket is one
// value per transaction): an Append sets it for the bucket's other writes
// in the same transaction too.
func (tx *Tx) Append(bucket string, key []byte, v any) error {
	b := tx.Bucket(bucket)
	b.FillPercent = appendFill
	return tx.insert(b, bucket, key, v)
}

// appendFill is the fill at which Append splits a leaf.
const appendFill = 0.9

// PutChanged stores value under key in b unless b already holds exactly
// those bytes there, and reports whether it stored them. A Put of the same
// bytes changes nothing a reader can see, but bbolt still decodes the leaf
// into a node of all its entries, writes it back to a new page at the
// commit and rewrites the branch pages above it (issue 16: a durable
// write's CPU and pages are per leaf it dirties); the Get that tells is a
// seek through pages already mapped.
func PutChanged(b *bolt.Bucket, key, value []byte) (bool, error) {
	if old := b.Get(key); old != nil && bytes.Equal(old, value) {
		return false, nil
	}
	return true, b.Put(key, value)
}

// Get decodes the JSON record under key into v; ErrNotFound when absent.
func (tx *Tx) Get(bucket string, key []byte, v any) error {
	data := tx.Bucket(bucket).Get(key)
	if data == nil {
		return ErrNotFound
	}
	return json.Unmarshal(data, v)
}

// ClearBucket empties a bucket declared at Open (an index about to be
// rebuilt).
func (tx *Tx) ClearBucket(name string) error {
	tx.Bucket(name)
	if err := tx.btx.DeleteBucket([]byte(name)); err != nil {
		return err
	}
	_, err := tx.btx.CreateBucket([]byte(name))
	return err
}

// Delete removes key from bucket.
func (tx *Tx) Delete(bucket string, key []byte) error {
	return tx.Bucket(bucket).Delete(key)
}

// ForEach calls fn for every key in bucket, in key order. The slices are only
// valid during the call.
func (tx *Tx) ForEach(bucket string, fn func(k, v []byte) error) error {
	return tx.Bucket(bucket).ForEach(fn)
}

// Key is the 8-byte big-endian form of id, so that byte order is numeric order.
func Key(id uint64) []byte {
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, id)
	return k
}

// ID decodes a key made by Key; other keys give 0, false.
func ID(k []byte) (uint64, bool) {
	if len(k) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(k), true
}

// claimFile is the file a process holds locked in a directory it claims.
const claimFile = "claim.lock"

// Claim marks dir as this process's for as long as it runs, or until
// release: a small bbolt file in it stays open, and so locked (bbolt's
// flock). A process that dies, kill -9 included, loses the lock with it,
// so Claimed can tell a directory left behind from one in use: the worlds
// directory of a server that did not shut down is removed by the next.
func Claim(dir string) (release func() error, err error) {
	db, err := bolt.Open(filepath.Join(dir, claimFile), 0o600, &bolt.Options{Timeout: time.Second, NoSync: true})
	if err != nil {
		return nil, fmt.Errorf("claim %s: %w", dir, err)
	}
	return db.Close, nil
}

// Claimed reports whether dir may be in use: a live process (this one
// included) holds its claim, or it has no claim file, which is how a
// directory looks between its maker's MkdirTemp and Claim.
func Claimed(dir string) bool {
	path := filepath.Join(dir, claimFile)
	if _, err := os.Stat(path); err != nil {
		return true
	}
	// A timeout of a nanosecond tries the lock once, without waiting.
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Nanosecond, ReadOnly: true})
	if err != nil {
		return true
	}
	_ = db.Close()
	return false
}

// Generation is the seeding the file's rows are of (Set.Reset and
// Set.Repair record it with the last commit of a part's seeding), and
// whether it has one: a cache of what the rows hold, kept beside them
// (Aside), is tagged with it, since a reseed does not clear such a cache.
func (tx *Tx) Generation() (uint64, bool) {
	return generation(tx.Bucket(MetaBucket), metaGeneration)
}

// Aside is a bucket an API keeps in its file beside the buckets it
// declared at Open, for something it can rebuild from them (saplab's
// stored view), or nil when there is none: a reseed does not clear it (the
// API's Seed drops it, DropAside), and snapshots and the move from the
// single-file layout leave it out, so what it holds must say which state
// it was made from (Generation, and the API's own count of writes) and be
// checked before it is used.
func (tx *Tx) Aside(name string) *bolt.Bucket {
	return tx.btx.Bucket([]byte(name))
}

// NewAside makes the Aside bucket name anew, empty, in a write
// transaction.
func (tx *Tx) NewAside(name string) (*bolt.Bucket, error) {
	if err := tx.DropAside(name); err != nil {
		return nil, err
	}
	return tx.btx.CreateBucket([]byte(name))
}

// DropAside removes the Aside bucket name, if there is one.
func (tx *Tx) DropAside(name string) error {
	if err := tx.btx.DeleteBucket([]byte(name)); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
		return err
	}
	return nil
}
