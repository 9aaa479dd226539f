package state_test

import (
	"fmt"
	"testing"

	"github.com/mockserver/mockserver/internal/state"
)

// A Put of the bytes the bucket already holds leaves every page as it
// was (no leaf decoded into a node, so none written at the commit); a Put
// of other bytes stores them. Tx.Put, Memo.Put and PutChanged alike.
func TestPut_sameBytesDirtyNoPage(t *testing.T) {
	s, _ := open(t)
	m := state.NewMemo("t.items", cloneMemoRec)
	rec := &memoRec{Name: "a", Tags: []string{"x"}}
	if err := s.Update(func(tx *state.Tx) error {
		if err := tx.Put("t.items", state.Key(1), rec); err != nil {
			return err
		}
		return m.Put(tx, state.Key(2), rec)
	}); err != nil {
		t.Fatal(err)
	}
	// Each put says whether it stored the bytes, or nothing (-1).
	puts := map[string]func(tx *state.Tx, r *memoRec) (int, error){
		"Tx.Put":   func(tx *state.Tx, r *memoRec) (int, error) { return -1, tx.Put("t.items", state.Key(1), r) },
		"Memo.Put": func(tx *state.Tx, r *memoRec) (int, error) { return -1, m.Put(tx, state.Key(2), r) },
		"PutChanged": func(tx *state.Tx, r *memoRec) (int, error) {
			stored, err := state.PutChanged(tx.Bucket("t.items"), state.Key(1), []byte(`{"name":"`+r.Name+`","tags":["x"]}`))
			if stored {
				return 1, err
			}
			return 0, err
		},
	}
	for name, put := range puts {
		for _, c := range []struct {
			name    string
			dirties bool
		}{{"a", false}, {"b", true}, {"a", true}} {
			err := s.Update(func(tx *state.Tx) error {
				stored, err := put(tx, &memoRec{Name: c.name, Tags: []string{"x"}})
				if err != nil {
					return err
				}
				if n := tx.Nodes(); (n > 0) != c.dirties || stored >= 0 && (stored == 1) != c.dirties {
					t.Errorf("%s of %q: %d nodes, stored %v; want dirty %v", name, c.name, n, stored, c.dirties)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	var got memoRec
	if err := s.View(func(tx *state.Tx) error { return tx.Get("t.items", state.Key(1), &got) }); err != nil || got.Name != "a" {
		t.Fatalf("stored: %+v, %v", got, err)
	}
}

// Insert stores a new row as Put would, and what it stores reads back.
func TestInsert_storesTheRow(t *testing.T) {
	s, _ := open(t)
	if err := s.Update(func(tx *state.Tx) error {
		return tx.Insert("t.items", state.Key(7), &memoRec{Name: "n", Tags: []string{}})
	}); err != nil {
		t.Fatal(err)
	}
	var got memoRec
	err := s.View(func(tx *state.Tx) error {
		if raw := string(tx.Bucket("t.items").Get(state.Key(7))); raw != `{"name":"n","tags":[]}` {
			t.Errorf("stored %s", raw)
		}
		return tx.Get("t.items", state.Key(7), &got)
	})
	if err != nil || got.Name != "n" {
		t.Fatalf("%+v, %v", got, err)
	}
}

// Rows appended one write at a time fill their pages (at least 75%),
// where Insert leaves each split page half empty.
func TestAppend_fillsPages(t *testing.T) {
	s, _ := open(t)
	use := func(bucket string, put func(tx *state.Tx, k []byte, v any) error) int {
		for i := range 400 {
			rec := &memoRec{Name: fmt.Sprintf("row %d with some text to fill a page", i)}
			if err := s.Update(func(tx *state.Tx) error {
				id, err := tx.NextID(bucket)
				if err != nil {
					return err
				}
				return put(tx, state.Key(id), rec)
			}); err != nil {
				t.Fatal(err)
			}
		}
		var pct int
		_ = s.View(func(tx *state.Tx) error {
			st := tx.Bucket(bucket).Stats()
			pct = st.LeafInuse * 100 / st.LeafAlloc
			return nil
		})
		return pct
	}
	appended := use("t.items", func(tx *state.Tx, k []byte, v any) error { return tx.Append("t.items", k, v) })
	inserted := use("t.other", func(tx *state.Tx, k []byte, v any) error { return tx.Insert("t.other", k, v) })
	if appended < 75 || inserted > 60 {
		t.Errorf("pages %d%% full appended, %d%% inserted", appended, inserted)
	}
}
