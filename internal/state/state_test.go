package state_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/state"
	bolt "go.etcd.io/bbolt"
)

type rec struct {
	ID   uint64 `json:"id"`
	Name string `json:"name"`
}

func open(t *testing.T) (*state.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s.db")
	s, err := state.Open(path, clock.New(nil), "t.items", "t.other")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, path
}

func TestUpdate_failedRequestWritesNothing(t *testing.T) {
	s, _ := open(t)
	boom := errors.New("validation failed")
	err := s.Update(func(tx *state.Tx) error {
		id, _ := tx.NextID("t.items")
		if err := tx.Put("t.items", state.Key(id), rec{ID: id, Name: "half"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v", err)
	}
	_ = s.View(func(tx *state.Tx) error {
		n := 0
		_ = tx.ForEach("t.items", func(k, v []byte) error { n++; return nil })
		if n != 0 {
			t.Fatalf("%d records survived a failed transaction", n)
		}
		if seq := tx.Bucket("t.items").Sequence(); seq != 0 {
			t.Fatalf("sequence moved to %d in a failed transaction", seq)
		}
		return nil
	})
}

func TestNextID_keysKeepInsertionOrder(t *testing.T) {
	s, _ := open(t)
	err := s.Update(func(tx *state.Tx) error {
		for i := 0; i < 300; i++ { // past 255, where little-endian or text keys misorder
			id, err := tx.NextID("t.items")
			if err != nil {
				return err
			}
			if err := tx.Put("t.items", state.Key(id), rec{ID: id}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var prev uint64
	_ = s.View(func(tx *state.Tx) error {
		return tx.ForEach("t.items", func(k, v []byte) error {
			id, ok := state.ID(k)
			if !ok || id != prev+1 {
				t.Fatalf("key %x after %d", k, prev)
			}
			prev = id
			return nil
		})
	})
	if prev != 300 {
		t.Fatalf("saw %d records", prev)
	}
}

func TestTx_nowIsFixedPerTransaction(t *testing.T) {
	clk := clock.New(nil)
	path := filepath.Join(t.TempDir(), "s.db")
	s, err := state.Open(path, clk, "t.items")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clk.Freeze(true)
	clk.Set(at)
	_ = s.View(func(tx *state.Tx) error {
		clk.Advance(time.Hour)
		if !tx.Now().Equal(at) {
			t.Fatalf("tx.Now() = %v, want the reading at the start %v", tx.Now(), at)
		}
		return nil
	})
}

func TestReset_isAllOrNothing(t *testing.T) {
	s, _ := open(t)
	seedOne := func(name string) func(tx *state.Tx) error {
		return func(tx *state.Tx) error { return tx.Put("t.items", state.Key(1), rec{ID: 1, Name: name}) }
	}
	if err := s.Reset([]byte("first"), seedOne("first")); err != nil {
		t.Fatal(err)
	}
	err := s.Reset([]byte("second"), func(tx *state.Tx) error {
		_ = seedOne("second")(tx)
		return errors.New("bad scenario")
	})
	if err == nil {
		t.Fatal("a failing seed must fail the reset")
	}
	var got rec
	_ = s.View(func(tx *state.Tx) error { return tx.Get("t.items", state.Key(1), &got) })
	src, seeded, _ := s.Seeded()
	if got.Name != "first" || string(src) != "first" || !seeded {
		t.Fatalf("after a failed reset: record %q, scenario %q", got.Name, src)
	}
	// A successful reset empties what the previous scenario wrote.
	_ = s.Update(func(tx *state.Tx) error { return tx.Put("t.other", []byte("x"), rec{}) })
	if err := s.Reset([]byte("third"), seedOne("third")); err != nil {
		t.Fatal(err)
	}
	_ = s.View(func(tx *state.Tx) error {
		if tx.Bucket("t.other").Get([]byte("x")) != nil {
			t.Fatal("reset kept a record of the old state")
		}
		return nil
	})
}

func TestReopen_keepsStateAndBuckets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	s, err := state.Open(path, clock.New(nil), "t.items")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Reset([]byte("sc"), func(tx *state.Tx) error { return tx.Put("t.items", state.Key(7), rec{ID: 7}) }); err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	// A newer version declaring one more bucket opens the same file.
	s, err = state.Open(path, clock.New(nil), "t.items", "t.new")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var got rec
	if err := s.View(func(tx *state.Tx) error {
		tx.Bucket("t.new")
		return tx.Get("t.items", state.Key(7), &got)
	}); err != nil || got.ID != 7 {
		t.Fatalf("reopened: %+v, %v", got, err)
	}
	var buf bytes.Buffer
	if n, err := s.Snapshot(&buf); err != nil || n == 0 || int64(buf.Len()) != n {
		t.Fatalf("snapshot: %d bytes, %v", n, err)
	}
}

// A restart on a file that has every bucket writes nothing: the open of a
// seeded file commits no transaction (each commit writes a meta page and
// waits on two fsyncs), so the file's bytes stay as they were.
func TestReopen_withEveryBucketWritesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	s, err := state.Open(path, clock.New(nil), "t.items")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Reset([]byte("sc"), func(tx *state.Tx) error { return tx.Put("t.items", state.Key(7), rec{ID: 7}) }); err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err = state.Open(path, clock.New(nil), "t.items")
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("reopening a file with every bucket changed it")
	}
}

func TestBatch_concurrentWritersAllLand(t *testing.T) {
	s, _ := open(t)
	var wg sync.WaitGroup
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.Batch(func(tx *state.Tx) error {
				id, err := tx.NextID("t.items")
				if err != nil {
					return err
				}
				return tx.Put("t.items", state.Key(id), rec{ID: id})
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	_ = s.View(func(tx *state.Tx) error {
		n := 0
		_ = tx.ForEach("t.items", func(k, v []byte) error { n++; return nil })
		if n != 64 {
			t.Fatalf("%d of 64 batched writes landed", n)
		}
		return nil
	})
}

func TestOpen_lockedFileFailsFast(t *testing.T) {
	_, path := open(t)
	// The give-up is bbolt's lock timeout (a second in production); a
	// short one shows the same give-up without the wait.
	state.SetLockTimeout(t, time.Millisecond)
	opened := make(chan error, 1)
	go func() {
		_, err := state.Open(path, clock.New(nil), "t.items")
		opened <- err
	}()
	// An Open that hung on the lock would hang the test, and go test's
	// -timeout would report it; bbolt's own lock timeout ends it.
	err := <-opened
	if err == nil {
		t.Fatal("a second Open of a locked file succeeded")
	}
	if !errors.Is(err, bolt.ErrTimeout) {
		t.Fatalf("a second Open of a locked file failed with %v, want bbolt's lock timeout", err)
	}
}

// Releasing the mapped pages of a file read in full leaves every record
// readable, in that transaction and the next, as it was.
func TestTx_releaseMappedKeepsTheRecords(t *testing.T) {
	t.Parallel()
	s, _ := open(t)
	err := s.Update(func(tx *state.Tx) error {
		for id := uint64(1); id <= 2000; id++ {
			if err := tx.Put("t.items", state.Key(id), rec{ID: id, Name: "row"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	read := func(tx *state.Tx) int {
		n := 0
		_ = tx.ForEach("t.items", func(k, v []byte) error {
			if id, _ := state.ID(k); bytes.Contains(v, []byte(`"name":"row"`)) && id == uint64(n+1) {
				n++
			}
			return nil
		})
		return n
	}
	for range 2 {
		if err := s.View(func(tx *state.Tx) error {
			before := read(tx)
			if err := tx.ReleaseMapped(); err != nil {
				return err
			}
			if after := read(tx); before != 2000 || after != 2000 {
				t.Fatalf("%d records before the release, %d after; want 2000", before, after)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
}
