package state_test

import (
	"testing"

	"github.com/mockserver/mockserver/internal/state"
)

// appending is a record that writes its own JSON, or declines to.
type appending struct {
	Name    string `json:"name"`
	decline bool
}

func (a *appending) AppendJSON(dst []byte) ([]byte, bool) {
	return append(dst, `{"name":"by hand"}`...), !a.decline
}

// A record that is a state.Appender is stored as it writes itself; one
// whose AppendJSON declines, as json.Marshal writes it; Put, Insert,
// Append and Memo.Put alike.
func TestAppender(t *testing.T) {
	s, _ := open(t)
	m := state.NewMemo("t.items", func(a *appending) *appending { c := *a; return &c })
	puts := []func(tx *state.Tx, id uint64, v *appending) error{
		func(tx *state.Tx, id uint64, v *appending) error { return tx.Put("t.items", state.Key(id), v) },
		func(tx *state.Tx, id uint64, v *appending) error { return tx.Insert("t.items", state.Key(id), v) },
		func(tx *state.Tx, id uint64, v *appending) error { return tx.Append("t.items", state.Key(id), v) },
		func(tx *state.Tx, id uint64, v *appending) error { return m.Put(tx, state.Key(id), v) },
	}
	for i, put := range puts {
		for _, c := range []struct {
			decline bool
			want    string
		}{{false, `{"name":"by hand"}`}, {true, `{"name":"marshalled"}`}} {
			id := uint64(10*i + 1)
			if c.decline {
				id++
			}
			err := s.Update(func(tx *state.Tx) error {
				return put(tx, id, &appending{Name: "marshalled", decline: c.decline})
			})
			if err != nil {
				t.Fatal(err)
			}
			_ = s.View(func(tx *state.Tx) error {
				if got := string(tx.Bucket("t.items").Get(state.Key(id))); got != c.want {
					t.Errorf("put %d, decline %v: stored %s, want %s", i, c.decline, got, c.want)
				}
				return nil
			})
		}
	}
}

// named writes its own JSON, its name repeated to the size asked.
type named struct {
	Name string `json:"name"`
	n    int
}

func (a *named) AppendJSON(dst []byte) ([]byte, bool) {
	dst = append(dst, `{"name":"`...)
	for range a.n {
		dst = append(dst, a.Name...)
	}
	return append(dst, `"}`...), true
}

// TestAppender_rowsOwnTheirBytes: bbolt keeps a Put's value slice until
// the commit, so each row must own its bytes: many records appended into
// the pooled buffer in one transaction (small ones, and ones past the
// buffer's size) are each stored as they wrote themselves, none over
// another's.
func TestAppender_rowsOwnTheirBytes(t *testing.T) {
	s, _ := open(t)
	want := map[uint64]string{}
	err := s.Update(func(tx *state.Tx) error {
		for id := uint64(1); id <= 64; id++ {
			a := &named{Name: string(rune('a' + id%26)), n: int(id%4) * 600}
			data, _ := a.AppendJSON(nil)
			want[id] = string(data)
			if err := tx.Put("t.items", state.Key(id), a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.View(func(tx *state.Tx) error {
		for id, w := range want {
			if got := string(tx.Bucket("t.items").Get(state.Key(id))); got != w {
				t.Errorf("row %d: %.40s..., want %.40s...", id, got, w)
			}
		}
		return nil
	})
}
