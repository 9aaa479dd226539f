package carreta_test

import (
	"bytes"
	"encoding/binary"
	"path/filepath"
	"testing"

	"github.com/mockserver/mockserver/internal/carreta"
	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/state"
)

// TestLifecycle_legacyDueIndex: a file whose due index is of the layout
// before blocks (one key per order, carreta.due) has it moved into blocks
// at start, and its orders go on along their paths as on a file that was
// never converted: the same list and histories thirty days on.
func TestLifecycle_legacyDueIndex(t *testing.T) {
	t.Parallel()
	want := run(t, filepath.Join(t.TempDir(), "state.db"), 3)
	moved := 0
	got := runWith(t, filepath.Join(t.TempDir(), "state.db"), 3, func(db string) {
		moved = toLegacyDue(t, db)
	})
	if moved == 0 {
		t.Fatal("no order had a move due at the restart")
	}
	if string(got) != string(want) {
		t.Fatalf("after the legacy due index:\n%s\nwant:\n%s", got, want)
	}
}

// toLegacyDue rewrites db's due blocks as the layout before them and
// returns how many orders it held.
func toLegacyDue(t *testing.T, db string) int {
	t.Helper()
	st, err := state.Open(db+".carreta", clock.New(nil), carreta.Buckets...) // carreta's own file (state.Files)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	err = st.Update(func(tx *state.Tx) error {
		err := tx.ForEach("carreta.due_blocks", func(_, v []byte) error {
			for ; len(v) >= 16; v = v[16:] {
				n++
				if err := tx.Bucket("carreta.due").Put(state.Key(binary.BigEndian.Uint64(v)), bytes.Clone(v[8:16])); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		return tx.ClearBucket("carreta.due_blocks")
	})
	if err != nil || st.Close() != nil {
		t.Fatal(err)
	}
	return n
}
