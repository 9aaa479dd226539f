package state_test

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/state"
	"github.com/mockserver/mockserver/internal/state/statetest"
)

// parts are two APIs: a with one bucket, b with a collection and an index
// that holds a nested bucket, as saplab's does.
var parts = []state.Part{{Name: "a", Buckets: []string{"a.items"}}, {Name: "b", Buckets: []string{"b.items", "b.index"}}}

// seedOf seeds each part with rows named after the scenario src.
func seedOf(src string) func(part string, tx *state.Tx) error {
	return func(part string, tx *state.Tx) error {
		if err := tx.SetSequence(part+".items", 40); err != nil {
			return err
		}
		id, _ := tx.NextID(part + ".items")
		if err := tx.Put(part+".items", state.Key(id), rec{ID: id, Name: src + " " + part}); err != nil {
			return err
		}
		if part != "b" {
			return nil
		}
		cols, err := tx.Bucket("b.index").CreateBucket([]byte("cols"))
		if err != nil {
			return err
		}
		return cols.Put([]byte("of"), []byte(src))
	}
}

func openSet(t *testing.T, path string) *state.Set {
	t.Helper()
	// Scratch files (no fsync): every reopen here is in this process,
	// which finds every commit in the page cache; what a crash leaves is
	// made by stopping a reset or a migration after a step (CrashAfter).
	s, err := state.OpenSet(path, clock.New(nil), true, parts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// dump is every part's buckets (statetest.Dump).
func dump(t *testing.T, s *state.Set) map[string]string {
	var names []string
	for _, p := range parts {
		names = append(names, p.Buckets...)
	}
	return statetest.Dump(t, s, names)
}

// fresh is the state a reset to src gives.
func fresh(t *testing.T, src string) map[string]string {
	t.Helper()
	s := openSet(t, filepath.Join(t.TempDir(), "fresh.db"))
	if err := s.Reset([]byte(src), seedOf(src)); err != nil {
		t.Fatal(err)
	}
	return dump(t, s)
}

// write is a use case of part a: one more row in its own file.
func write(t *testing.T, s *state.Set, name string) {
	t.Helper()
	err := s.Part("a").Update(func(tx *state.Tx) error {
		id, _ := tx.NextID("a.items")
		return tx.Put("a.items", state.Key(id), rec{ID: id, Name: name})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func seeded(t *testing.T, s *state.Set) string {
	t.Helper()
	src, ok, err := s.Seeded()
	if err != nil || !ok {
		t.Fatalf("Seeded: %v %v", ok, err)
	}
	return string(src)
}

func stale(t *testing.T, s *state.Set) ([]string, bool) {
	t.Helper()
	names, pending, err := s.Stale()
	if err != nil {
		t.Fatal(err)
	}
	return names, pending
}

func TestSet_eachPartInItsOwnFileAcrossARestart(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "s.db")
	s := openSet(t, path)
	if _, ok, _ := s.Seeded(); ok {
		t.Fatal("a new state says it was seeded")
	}
	if err := s.Reset([]byte("one"), seedOf("one")); err != nil {
		t.Fatal(err)
	}
	write(t, s, "kept")
	want := dump(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, f := range state.Files(path, parts) {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("file %s: %v", f, err)
		}
	}
	s = openSet(t, path)
	if got := dump(t, s); !maps.Equal(got, want) {
		t.Fatalf("after a restart:\n%v\nwant\n%v", got, want)
	}
	if names, pending := stale(t, s); names != nil || pending || seeded(t, s) != "one" {
		t.Fatalf("stale %v, pending %v, seeded %q", names, pending, seeded(t, s))
	}
	if want["a.items/"+string(state.Key(42))] != `{"id":42,"name":"kept"}` {
		t.Fatalf("the write is not in a.items: %v", want)
	}
}

func TestSet_aFailedSeedChangesNoFile(t *testing.T) {
	t.Parallel()
	s := openSet(t, filepath.Join(t.TempDir(), "s.db"))
	if err := s.Reset([]byte("one"), seedOf("one")); err != nil {
		t.Fatal(err)
	}
	write(t, s, "kept")
	want := dump(t, s)
	boom := errors.New("bad scenario")
	err := s.Reset([]byte("two"), func(part string, tx *state.Tx) error {
		if part == "b" { // a, the first, seeded already
			return boom
		}
		return seedOf("two")(part, tx)
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Reset: %v", err)
	}
	if got := dump(t, s); !maps.Equal(got, want) || seeded(t, s) != "one" {
		t.Fatalf("after a failed reset (seeded %q):\n%v\nwant\n%v", seeded(t, s), got, want)
	}
}

// A crash after any file of a reset leaves a state that the next start
// completes: every part is then the new scenario's, as a whole reset gives.
func TestSet_aResetCutShortIsCompletedOnRestart(t *testing.T) {
	want := fresh(t, "two")
	for _, cut := range []string{"a", "b"} {
		t.Run("after "+cut, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.db")
			s := openSet(t, path)
			if err := s.Reset([]byte("one"), seedOf("one")); err != nil {
				t.Fatal(err)
			}
			write(t, s, "gone with the reset")
			crash := errors.New("killed")
			state.CrashAfter(t, func(step, part string) error {
				if step == "reset" && part == cut {
					return crash
				}
				return nil
			})
			if err := s.Reset([]byte("two"), seedOf("two")); !errors.Is(err, crash) {
				t.Fatalf("Reset: %v", err)
			}
			state.CrashAfter(t, func(string, string) error { return nil })
			_ = s.Close()
			s = openSet(t, path)
			names, pending := stale(t, s)
			wantStale := map[string][]string{"a": {"b"}, "b": nil}[cut]
			if !slices.Equal(names, wantStale) || !pending || seeded(t, s) != "two" {
				t.Fatalf("stale %v (want %v), pending %v, seeded %q", names, wantStale, pending, seeded(t, s))
			}
			if err := s.Repair(names, seedOf("two")); err != nil {
				t.Fatal(err)
			}
			if got := dump(t, s); !maps.Equal(got, want) {
				t.Fatalf("after the repair:\n%v\nwant\n%v", got, want)
			}
			if names, pending := stale(t, s); names != nil || pending {
				t.Fatalf("still stale %v, pending %v", names, pending)
			}
		})
	}
}

func TestSet_aLostPartFileIsReseeded(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "s.db")
	s := openSet(t, path)
	if err := s.Reset([]byte("one"), seedOf("one")); err != nil {
		t.Fatal(err)
	}
	write(t, s, "kept")
	_ = s.Close()
	if err := os.Remove(path + ".b"); err != nil {
		t.Fatal(err)
	}
	s = openSet(t, path)
	names, pending := stale(t, s)
	if !slices.Equal(names, []string{"b"}) || pending {
		t.Fatalf("stale %v, pending %v", names, pending)
	}
	if err := s.Repair(names, seedOf("one")); err != nil {
		t.Fatal(err)
	}
	got := dump(t, s)
	if got["b.index/cols/of"] != "one" || got["a.items/"+string(state.Key(42))] == "" {
		t.Fatalf("after the repair: %v", got)
	}
}

// legacy writes a state of the single-file layout at path: every part's
// buckets in the one file, seeded from src, plus a write.
func legacy(t *testing.T, path, src string) {
	t.Helper()
	st, err := state.OpenScratch(path, clock.New(nil), "a.items", "b.items", "b.index")
	if err != nil {
		t.Fatal(err)
	}
	err = st.Reset([]byte(src), func(tx *state.Tx) error {
		if err := seedOf(src)("a", tx); err != nil {
			return err
		}
		return seedOf(src)("b", tx)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}

// A state file of the single-file layout is moved into the part files on
// open, once; a crash part of the way leaves it to move again.
func TestSet_aSingleFileStateMovesIntoPartFiles(t *testing.T) {
	want := fresh(t, "one")
	path := filepath.Join(t.TempDir(), "s.db")
	legacy(t, path, "one")
	crash := errors.New("killed")
	state.CrashAfter(t, func(step, part string) error {
		if step == "migrate" && part == path+".a" {
			return crash
		}
		return nil
	})
	if _, err := state.OpenSet(path, clock.New(nil), true, parts); !errors.Is(err, crash) {
		t.Fatalf("OpenSet: %v", err)
	}
	state.CrashAfter(t, func(string, string) error { return nil })
	if got := statetest.Buckets(t, path); len(got) != 4 {
		t.Fatalf("the cut migration changed the main file: %v", got)
	}
	s := openSet(t, path)
	if got := dump(t, s); !maps.Equal(got, want) {
		t.Fatalf("moved:\n%v\nwant\n%v", got, want)
	}
	if names, pending := stale(t, s); names != nil || pending || seeded(t, s) != "one" {
		t.Fatalf("stale %v, pending %v, seeded %q", names, pending, seeded(t, s))
	}
	_ = s.Close()
	if got := statetest.Buckets(t, path); !slices.Equal(got, []string{state.MetaBucket}) {
		t.Fatalf("the main file still holds %v", got)
	}
}

// The snapshot is one file of the single-file layout, the same bytes for
// the same state, and a state opened from it is the state it copied. Its
// buckets are copied a key per transaction here, as a large state's are
// in slices.
func TestSet_snapshotIsOneFileThatOpensAsTheState(t *testing.T) {
	state.SetCopyBatch(t, 1)
	s := openSet(t, filepath.Join(t.TempDir(), "s.db"))
	if err := s.Reset([]byte("one"), seedOf("one")); err != nil {
		t.Fatal(err)
	}
	write(t, s, "kept")
	var first, second bytes.Buffer
	if _, err := s.Snapshot(&first); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Snapshot(&second); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Fatal("two snapshots of one state differ")
	}
	restored := filepath.Join(t.TempDir(), "restored.db")
	if err := os.WriteFile(restored, first.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := statetest.Buckets(t, restored); len(got) != 4 {
		t.Fatalf("the snapshot holds %v", got)
	}
	r := openSet(t, restored)
	if got, want := dump(t, r), dump(t, s); !maps.Equal(got, want) || seeded(t, r) != "one" {
		t.Fatalf("restored (seeded %q):\n%v\nwant\n%v", seeded(t, r), got, want)
	}
}

func TestSet_templateWritesEveryFile(t *testing.T) {
	t.Parallel()
	s := openSet(t, filepath.Join(t.TempDir(), "s.db"))
	if err := s.Reset([]byte("one"), seedOf("one")); err != nil {
		t.Fatal(err)
	}
	tpl, err := s.Template()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "w.db")
	if err := state.WriteTemplate(path, parts, tpl); err != nil {
		t.Fatal(err)
	}
	w := openSet(t, path)
	if got, want := dump(t, w), dump(t, s); !maps.Equal(got, want) || seeded(t, w) != "one" {
		t.Fatalf("from the template:\n%v\nwant\n%v", got, want)
	}
	_ = w.Close()
	if err := state.RemoveFiles(path, parts); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(path + "*"); len(left) != 0 {
		t.Fatalf("left behind: %v", left)
	}
}

// An earlier version run on a state of this layout makes its API buckets,
// empty, in the main file: they are not taken for a single-file state
// whose rows are to move, which would empty the API files.
func TestSet_emptyAPIBucketsInTheMainFileAreNoMigration(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "s.db")
	s := openSet(t, path)
	if err := s.Reset([]byte("one"), seedOf("one")); err != nil {
		t.Fatal(err)
	}
	write(t, s, "kept")
	want := dump(t, s)
	_ = s.Close()
	old, err := state.OpenScratch(path, clock.New(nil), "a.items", "b.items", "b.index")
	if err != nil {
		t.Fatal(err)
	}
	_ = old.Close()
	s = openSet(t, path)
	if got := dump(t, s); !maps.Equal(got, want) {
		t.Fatalf("after an earlier version opened the main file:\n%v\nwant\n%v", got, want)
	}
}

// chunkedSeedOf is seedOf with part b's rows written in three commits of
// its own (Tx.Checkpoint), as saplab seeds a large generated state.
func chunkedSeedOf(src string) func(part string, tx *state.Tx) error {
	return func(part string, tx *state.Tx) error {
		if err := seedOf(src)(part, tx); err != nil || part != "b" {
			return err
		}
		for n := range 3 {
			if err := tx.Checkpoint(); err != nil {
				return err
			}
			id, _ := tx.NextID("b.items")
			if err := tx.Put("b.items", state.Key(id), rec{ID: id, Name: fmt.Sprintf("%s chunk %d", src, n)}); err != nil {
				return err
			}
		}
		return nil
	}
}

// A reset whose seed commits part of a part's rows on the way ends as a
// seed in one transaction of that part would.
func TestSet_aChunkedResetGivesTheWholeState(t *testing.T) {
	t.Parallel()
	s := openSet(t, filepath.Join(t.TempDir(), "s.db"))
	if err := s.Reset([]byte("one"), chunkedSeedOf("one")); err != nil {
		t.Fatal(err)
	}
	write(t, s, "gone with the reset")
	if err := s.Reset([]byte("two"), chunkedSeedOf("two")); err != nil {
		t.Fatal(err)
	}
	got := dump(t, s)
	if len(got) != 10 || got["b.items/"+string(state.Key(44))] == "" || got["b.items#seq"] != "44" {
		t.Fatalf("after a chunked reset: %v", got)
	}
	for _, v := range got {
		if bytes.Contains([]byte(v), []byte("one")) || bytes.Contains([]byte(v), []byte("gone")) {
			t.Fatalf("the old state survived the reset: %v", got)
		}
	}
	if names, pending := stale(t, s); names != nil || pending || seeded(t, s) != "two" {
		t.Fatalf("stale %v, pending %v, seeded %q", names, pending, seeded(t, s))
	}
}

// A crash between two commits of a part's seeding (Tx.Checkpoint) leaves
// the reset pending and that part stale, with no generation: the next start
// completes the reset from the new scenario, as if it had not been cut.
// A repair cut the same way is done again at the start after.
func TestSet_aCrashBetweenCheckpointsIsRepairedOnRestart(t *testing.T) {
	want := func() map[string]string {
		s := openSet(t, filepath.Join(t.TempDir(), "fresh.db"))
		if err := s.Reset([]byte("two"), chunkedSeedOf("two")); err != nil {
			t.Fatal(err)
		}
		return dump(t, s)
	}()
	path := filepath.Join(t.TempDir(), "s.db")
	s := openSet(t, path)
	if err := s.Reset([]byte("one"), chunkedSeedOf("one")); err != nil {
		t.Fatal(err)
	}
	write(t, s, "gone with the reset")
	crash := errors.New("killed")
	cut := func(after int) {
		n := 0
		state.CrashAfter(t, func(step, part string) error {
			if step == "checkpoint" && part == "b" {
				if n++; n == after {
					return crash
				}
			}
			return nil
		})
	}
	cut(2)
	if err := s.Reset([]byte("two"), chunkedSeedOf("two")); !errors.Is(err, crash) {
		t.Fatalf("Reset: %v", err)
	}
	_ = s.Close()
	for round, after := range []int{1, 0} {
		s = openSet(t, path)
		names, pending := stale(t, s)
		if !slices.Equal(names, []string{"a", "b"}) || !pending || seeded(t, s) != "two" {
			t.Fatalf("round %d: stale %v, pending %v, seeded %q", round, names, pending, seeded(t, s))
		}
		cut(after) // the first repair is cut after its first checkpoint, the second is not
		err := s.Repair(names, chunkedSeedOf("two"))
		if after > 0 {
			if !errors.Is(err, crash) {
				t.Fatalf("round %d: Repair: %v", round, err)
			}
			_ = s.Close()
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := dump(t, s); !maps.Equal(got, want) {
		t.Fatalf("after the repair:\n%v\nwant\n%v", got, want)
	}
	if names, pending := stale(t, s); names != nil || pending {
		t.Fatalf("still stale %v, pending %v", names, pending)
	}
}
