package state_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/state"
)

// Reseal replaces the stored scenario in one transaction and compacts the
// file: the old source's bytes are gone from it (bbolt would have left
// them in a freed page), and every record and sequence is kept.
func TestReseal_leavesNoTraceOfTheOldSource(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := state.Open(path, clock.New(nil), "rows")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	old := bytes.Repeat([]byte("plaintext-secret-Q9 "), 300)
	err = s.Reset(old, func(tx *state.Tx) error {
		for range 3 {
			id, err := tx.NextID("rows")
			if err != nil {
				return err
			}
			if err := tx.Put("rows", state.Key(id), map[string]uint64{"id": id}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Reseal([]byte("sealed")); err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(file, []byte("plaintext-secret-Q9")) {
		t.Fatal("the old source is still in the file")
	}
	src, seeded, err := s.Seeded()
	if err != nil || !seeded || string(src) != "sealed" {
		t.Fatalf("stored %q, %v, %v", src, seeded, err)
	}
	err = s.Update(func(tx *state.Tx) error {
		var row map[string]uint64
		if err := tx.Get("rows", state.Key(3), &row); err != nil || row["id"] != 3 {
			t.Errorf("row 3: %v %v", row, err)
		}
		if id, err := tx.NextID("rows"); err != nil || id != 4 {
			t.Errorf("the sequence went on at %d (%v), want 4", id, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Reseal(nil); err != nil {
		t.Fatal(err)
	}
	if src, _, _ := s.Seeded(); src != nil {
		t.Fatalf("Reseal(nil) left %q", src)
	}
}
