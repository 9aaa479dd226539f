package state

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/mockserver/mockserver/internal/clock"
	bolt "go.etcd.io/bbolt"
)

// Part is one API's share of a state: its name, which is also the suffix
// of its file (Files), and the buckets it keeps there.
type Part struct {
	Name    string
	Buckets []string
	// MmapSize is the mapping its file is opened with (0: bbolt's
	// default, grown as the file grows). bbolt copies every key and
	// value the writing transaction holds out of the old mapping each
	// time it maps a grown file, which was a quarter of seeding a large
	// state; a mapping is address space, not memory, and the file still
	// grows only as it is written.
	MmapSize int
}

// Set is a whole state: the main file (the meta bucket: the scenario it was
// seeded from and the generation of that seeding) and one file per API,
// each a Store with its own writer lock, group commit and fsync. Every use
// case touches one API, so it is still one transaction in one file; what
// it no longer does is wait for another API's commit (issue 14: a saplab
// write arriving while amapi's batch was being fsynced waited for that
// fsync and then its own).
//
// Replacing the whole state (Reset) cannot be one transaction across
// files, so it is made crash-safe by generations: every part records the
// generation it was seeded for, the main file the generation of its
// scenario. Reset seeds every part in a transaction of its own, records
// the new scenario and generation in the main file as pending, commits the
// parts, then commits the pending scenario as the main file's. A part
// whose generation disagrees with the main file's (pending or committed)
// is stale (Stale): a start reseeds it (Repair) before anyone is served.
//
// mu orders Reset (held for writing) before Snapshot (for reading), so a
// snapshot never sees a reset half done. It is taken before bbolt's locks.
type Set struct {
	path     string
	main     *Store
	parts    []*Store
	names    []string
	byBucket map[string]*Store
	mu       sync.RWMutex
}

// Meta keys of the main file's generations (8 bytes, big-endian), and of a
// reset under way. A part keeps its own generation under metaGeneration.
const (
	metaGeneration        = "generation"
	metaPendingScenario   = "pending_scenario"
	metaPendingGeneration = "pending_generation"
)

// Files are the paths of the files of the state at path: path itself (the
// main file), then path.<part> for each part, in order. Beside the main
// file, they sort together in a listing, and a *.db glob still finds one
// file per state.
func Files(path string, parts []Part) []string {
	out := []string{path}
	for _, p := range parts {
		out = append(out, path+"."+p.Name)
	}
	return out
}

// RemoveFiles removes every file of the state at path (missing ones are no
// error), returning the first error.
func RemoveFiles(path string, parts []Part) error {
	var first error
	for _, f := range Files(path, parts) {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) && first == nil {
			first = err
		}
	}
	return first
}

// OpenSet opens (or creates) the files of the state at path, scratch ones
// (OpenScratch) when scratch, and moves the rows of a state file of the
// earlier single-file layout into the part files (migrate). The main file
// is opened, and so locked, first: a second process gives up on it.
func OpenSet(path string, clk *clock.Clock, scratch bool, parts []Part) (*Set, error) {
	opts := bolt.Options{Timeout: lockTimeout}
	if scratch {
		opts = bolt.Options{Timeout: lockTimeout, NoSync: true, NoGrowSync: true, NoFreelistSync: true}
	}
	s := &Set{path: path, byBucket: map[string]*Store{}}
	files := Files(path, parts)
	main, err := open(path, clk, &opts, nil)
	if err != nil {
		return nil, err
	}
	s.main = main
	for i, p := range parts {
		o := opts
		o.InitialMmapSize = p.MmapSize
		st, err := open(files[i+1], clk, &o, p.Buckets)
		if err != nil {
			_ = s.Close()
			return nil, err
		}
		s.parts = append(s.parts, st)
		s.names = append(s.names, p.Name)
		for _, b := range p.Buckets {
			s.byBucket[b] = st
		}
	}
	if err := s.migrate(); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// Close closes every file, returning the first error.
func (s *Set) Close() error {
	var first error
	for _, st := range append([]*Store{s.main}, s.parts...) {
		if st == nil {
			continue
		}
		if err := st.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Path is the main file's path.
func (s *Set) Path() string { return s.path }

// Main is the main file, for tests that look at the meta bucket.
func (s *Set) Main() *Store { return s.main }

// Part is the named part's file, which its API is handed; nil for a name
// that is no part.
func (s *Set) Part(name string) *Store {
	for i, n := range s.names {
		if n == name {
			return s.parts[i]
		}
	}
	return nil
}

// View runs fn in a read-only transaction of the file that holds bucket
// (the control API's listing of a collection). An unknown bucket is a
// programming error, as in Tx.Bucket.
func (s *Set) View(bucket string, fn func(tx *Tx) error) error {
	st := s.byBucket[bucket]
	if st == nil {
		panic("state: bucket " + bucket + " is in no part")
	}
	return st.View(fn)
}

// generation is the 8-byte value under key in b, and whether it is there.
func generation(b *bolt.Bucket, key string) (uint64, bool) {
	v := b.Get([]byte(key))
	if len(v) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(v), true
}

// putGeneration stores gen under key in b.
func putGeneration(b *bolt.Bucket, key string, gen uint64) error {
	return b.Put([]byte(key), Key(gen))
}

// target is what the parts must have been seeded for: the pending reset's
// scenario and generation when one was under way, else the committed ones.
type target struct {
	src     []byte
	gen     uint64
	seeded  bool // the state was ever seeded (or a reset is pending)
	pending bool
}

// target reads the main file's target.
func (s *Set) target() (target, error) {
	var t target
	err := s.main.View(func(tx *Tx) error {
		meta := tx.Bucket(MetaBucket)
		if gen, ok := generation(meta, metaPendingGeneration); ok {
			t = target{src: append([]byte(nil), meta.Get([]byte(metaPendingScenario))...), gen: gen, seeded: true, pending: true}
			return nil
		}
		t.gen, _ = generation(meta, metaGeneration)
		if meta.Get([]byte(metaSeeded)) != nil {
			t.seeded = true
			t.src = append([]byte(nil), meta.Get([]byte(metaScenario))...)
		}
		return nil
	})
	return t, err
}

// Seeded returns the source of the scenario the state was last seeded
// from (a reset cut short by a crash counts: Repair completes it), and
// false when it has never been seeded (new files).
func (s *Set) Seeded() ([]byte, bool, error) {
	t, err := s.target()
	return t.src, t.seeded, err
}

// Stale names the parts that Repair must reseed from the scenario Seeded
// returns before the state is served: those seeded for another generation
// (a reset cut short by a crash) or never (a part file that was lost).
// With a reset pending, Repair must run even when no part is stale.
func (s *Set) Stale() (names []string, pending bool, err error) {
	t, err := s.target()
	if err != nil || !t.seeded {
		return nil, false, err
	}
	for i, st := range s.parts {
		var gen uint64
		var ok bool
		if err := st.View(func(tx *Tx) error {
			gen, ok = generation(tx.Bucket(MetaBucket), metaGeneration)
			return nil
		}); err != nil {
			return nil, false, err
		}
		if !ok || gen != t.gen {
			names = append(names, s.names[i])
		}
	}
	return names, t.pending, nil
}

// Repair reseeds the named parts (Stale) with seed, and completes a reset
// that a crash cut short. It must run before the state serves anyone.
func (s *Set) Repair(names []string, seed func(part string, tx *Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.target()
	if err != nil {
		return err
	}
	var idx []int
	for i, n := range s.names {
		for _, want := range names {
			if n == want {
				idx = append(idx, i)
			}
		}
	}
	if err := s.seedParts(idx, t.gen, seed, nil); err != nil {
		return err
	}
	if t.pending {
		return s.commitPending()
	}
	return nil
}

// Reset empties every part and runs seed for each (with its name, in its
// own transaction), then records the scenario source in the main file. If
// seed fails for any part, nothing changes: the old state stays as it was.
// A crash part of the way leaves a pending reset, which the next start
// completes (Stale, Repair).
func (s *Set) Reset(scenarioSource []byte, seed func(part string, tx *Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.target()
	if err != nil {
		return err
	}
	gen := t.gen + 1
	idx := make([]int, len(s.parts))
	for i := range idx {
		idx[i] = i
	}
	intent := func() error {
		return s.main.Update(func(tx *Tx) error {
			meta := tx.Bucket(MetaBucket)
			if err := meta.Put([]byte(metaPendingScenario), scenarioSource); err != nil {
				return err
			}
			return putGeneration(meta, metaPendingGeneration, gen)
		})
	}
	if err := s.seedParts(idx, gen, seed, intent); err != nil {
		return err
	}
	return s.commitPending()
}

// seedParts empties and seeds the parts idx names, each in a read-write
// transaction of its own file, all open at once, and records gen in each.
// If every seed succeeds, beforeCommit (when set) runs, then each is
// committed in turn; otherwise every one is rolled back. The transactions
// share one clock reading, as the one transaction of a single file did.
// A seed that checkpoints (Tx.Checkpoint) commits its part's rows so far:
// beforeCommit runs before the first such commit, and a failure after it
// leaves the reset pending, for the next start to complete.
func (s *Set) seedParts(idx []int, gen uint64, seed func(part string, tx *Tx) error, beforeCommit func() error) error {
	now := s.main.clock.Now()
	txs := make([]*bolt.Tx, 0, len(idx))
	defer func() {
		for _, btx := range txs {
			_ = btx.Rollback() // a no-op on a committed one
		}
	}()
	for k, i := range idx {
		btx, err := s.parts[i].db.Begin(true)
		if err != nil {
			return err
		}
		txs = append(txs, btx)
		tx := &Tx{btx: btx, now: now}
		tx.checkpoint = func() error {
			next, err := s.checkpoint(i, tx.btx, &beforeCommit)
			if next != nil {
				tx.btx, txs[k] = next, next
			}
			return err
		}
		if err := reseedPart(tx, s.parts[i].buckets, gen, func(tx *Tx) error { return seed(s.names[i], tx) }); err != nil {
			return err
		}
	}
	if beforeCommit != nil {
		if err := beforeCommit(); err != nil {
			return err
		}
	}
	for k, btx := range txs {
		if err := btx.Commit(); err != nil {
			return fmt.Errorf("commit a part of the state (the next start completes the reset): %w", err)
		}
		if err := crashAfter("reset", s.names[idx[k]]); err != nil {
			return err
		}
	}
	return nil
}

// checkpoint commits btx, the seeding transaction of part i, and begins
// the next one, which it returns. Before the first commit of a reset, it
// runs and clears *intent (the reset's pending record).
func (s *Set) checkpoint(i int, btx *bolt.Tx, intent *func() error) (*bolt.Tx, error) {
	if *intent != nil {
		if err := (*intent)(); err != nil {
			return nil, err
		}
		*intent = nil
	}
	if err := btx.Commit(); err != nil {
		return nil, fmt.Errorf("commit a part of the state (the next start completes the reset): %w", err)
	}
	if err := crashAfter("checkpoint", s.names[i]); err != nil {
		return nil, err
	}
	return s.parts[i].db.Begin(true)
}

// crashAfter is where a test makes a reset or a migration stop after a
// step (its part's commit, or a checkpoint of its seeding), as a crash would: an error it returns ends the
// operation there. Always nil outside tests (export_test.go).
var crashAfter = func(step, part string) error { return nil }

// reseedPart empties buckets in tx, runs seed, and records gen. The part's
// generation is removed first: a seed that commits part of its rows
// (Tx.Checkpoint) leaves a stale part until its last commit.
func reseedPart(tx *Tx, buckets []string, gen uint64, seed func(tx *Tx) error) error {
	if err := tx.Bucket(MetaBucket).Delete([]byte(metaGeneration)); err != nil {
		return err
	}
	for _, name := range buckets {
		if err := tx.ClearBucket(name); err != nil {
			return fmt.Errorf("clear bucket %s: %w", name, err)
		}
	}
	if err := seed(tx); err != nil {
		return err
	}
	return putGeneration(tx.Bucket(MetaBucket), metaGeneration, gen)
}

// commitPending makes the pending scenario and generation the main file's.
func (s *Set) commitPending() error {
	return s.main.Update(func(tx *Tx) error {
		meta := tx.Bucket(MetaBucket)
		gen, ok := generation(meta, metaPendingGeneration)
		if !ok {
			return nil
		}
		src := append([]byte(nil), meta.Get([]byte(metaPendingScenario))...)
		for k, v := range map[string][]byte{metaScenario: src, metaGeneration: Key(gen),
			metaSeeded: []byte(tx.Now().UTC().Format(time.RFC3339Nano))} {
			if err := meta.Put([]byte(k), v); err != nil {
				return err
			}
		}
		return dropPending(meta)
	})
}

// dropPending removes a pending reset's keys from meta.
func dropPending(meta *bolt.Bucket) error {
	if err := meta.Delete([]byte(metaPendingScenario)); err != nil {
		return err
	}
	return meta.Delete([]byte(metaPendingGeneration))
}

// Reseal replaces the stored scenario source with src and compacts the
// main file (Store.Reseal): the parts hold no scenario.
func (s *Set) Reseal(src []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.main.Reseal(src)
}

// Snapshot writes a copy of the whole state to w as one bbolt file of the
// single-file layout: the main file's meta bucket and every part's
// buckets, each part as of one transaction of its own. It opens with --db
// like any state file (OpenSet moves the rows into part files again). It
// is built in a temporary file, since bbolt writes only to files: a new
// file, so no freed page keeps anything a part once held. The same state
// gives the same bytes (copyTree), so a digest of two snapshots tells
// whether anything changed between them.
func (s *Set) Snapshot(w io.Writer) (int64, error) {
	f, err := os.CreateTemp("", "mockserver-snapshot-*.db")
	if err != nil {
		return 0, fmt.Errorf("snapshot: %w", err)
	}
	tmp := f.Name()
	_ = f.Close()
	defer os.Remove(tmp)
	if err := s.merge(tmp); err != nil {
		return 0, fmt.Errorf("snapshot: %w", err)
	}
	f, err = os.Open(tmp)
	if err != nil {
		return 0, fmt.Errorf("snapshot: %w", err)
	}
	defer f.Close()
	return io.Copy(w, f)
}

// merge writes the single-file copy of the state into a new bbolt file at
// path. A snapshot waits for a reset in this process (mu); the keys of one
// a crash cut short, which Repair completes before anyone is served, are
// left out all the same.
func (s *Set) merge(path string) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	dst, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout, NoSync: true, NoGrowSync: true, NoFreelistSync: true, InitialMmapSize: s.size()})
	if err != nil {
		return err
	}
	// The sources' transactions stay open until the copy commits: bbolt
	// keeps the keys and values put, which point into their files'
	// mappings, until then.
	var ins []*bolt.Tx
	defer func() {
		for _, in := range ins {
			_ = in.Rollback()
		}
	}()
	for _, st := range append([]*Store{s.main}, s.parts...) {
		in, err := st.db.Begin(false)
		if err != nil {
			_ = dst.Close()
			return err
		}
		ins = append(ins, in)
	}
	err = copyTree(dst, ins[0], [][]byte{[]byte(MetaBucket)})
	if err == nil {
		// Without a generation, the copy is a file of the single-file
		// layout, which OpenSet moves into part files (migrate).
		err = dst.Update(func(out *bolt.Tx) error {
			meta := out.Bucket([]byte(MetaBucket))
			if err := meta.Delete([]byte(metaGeneration)); err != nil {
				return err
			}
			return dropPending(meta)
		})
	}
	for i, st := range s.parts {
		for _, b := range st.buckets {
			if err == nil {
				err = copyTree(dst, ins[i+1], [][]byte{[]byte(b)})
			}
		}
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	return err
}

// Template is the bytes of each file of a state, main file first (Files'
// order): what a new world's files are written from.
type Template [][]byte

// Template copies every file, each as of one transaction, under mu.
func (s *Set) Template() (Template, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out Template
	for _, st := range append([]*Store{s.main}, s.parts...) {
		var buf bytes.Buffer
		if _, err := st.Snapshot(&buf); err != nil {
			return nil, err
		}
		out = append(out, buf.Bytes())
	}
	return out, nil
}

// WriteTemplate writes t as the files of the state at path.
func WriteTemplate(path string, parts []Part, t Template) error {
	files := Files(path, parts)
	if len(files) != len(t) {
		return fmt.Errorf("a template of %d files for a state of %d", len(t), len(files))
	}
	for i, f := range files {
		if err := os.WriteFile(f, t[i], 0o600); err != nil {
			return err
		}
	}
	return nil
}

// size is the sum of the files' sizes: enough mapping for a merged copy,
// which bbolt then need not remap as it grows.
func (s *Set) size() int {
	n := 0
	for _, st := range append([]*Store{s.main}, s.parts...) {
		if fi, err := os.Stat(st.db.Path()); err == nil {
			n += int(fi.Size())
		}
	}
	return n
}
