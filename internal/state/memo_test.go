package state_test

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/clock"

	"github.com/mockserver/mockserver/internal/state"
	"github.com/mockserver/mockserver/internal/state/statetest"
)

// memoRec has a slice, which the memo's clone must copy.
type memoRec struct {
	Name string   `json:"name"`
	Tags []string `json:"tags"`
}

func cloneMemoRec(r *memoRec) *memoRec {
	c := *r
	c.Tags = slices.Clone(r.Tags)
	return &c
}

func TestCloneMemoRec_copiesEverything(t *testing.T) {
	statetest.CheckClone(t, cloneMemoRec)
}

// memoGet reads key through m in a transaction of its own.
func memoGet(t *testing.T, s *state.Store, m *state.Memo[memoRec], key []byte) (*memoRec, error) {
	t.Helper()
	var r *memoRec
	err := s.View(func(tx *state.Tx) error {
		var err error
		r, err = m.Get(tx, key)
		return err
	})
	return r, err
}

func TestMemo_answersWhatTheFileHolds(t *testing.T) {
	s, _ := open(t)
	m := state.NewMemo("t.items", cloneMemoRec)
	key := state.Key(1)
	if _, err := memoGet(t, s, m, key); !errors.Is(err, state.ErrNotFound) {
		t.Fatalf("absent record: %v", err)
	}
	if err := s.Update(func(tx *state.Tx) error { return m.Put(tx, key, &memoRec{Name: "a", Tags: []string{"x"}}) }); err != nil {
		t.Fatal(err)
	}
	r, err := memoGet(t, s, m, key)
	if err != nil || r.Name != "a" || !slices.Equal(r.Tags, []string{"x"}) {
		t.Fatalf("after Put: %+v, %v", r, err)
	}
	// What a caller does to its copy is not what the next one gets.
	r.Name, r.Tags[0] = "changed", "changed"
	if r, _ := memoGet(t, s, m, key); r.Name != "a" || r.Tags[0] != "x" {
		t.Fatalf("a caller's change leaked into the memo: %+v", r)
	}
	// A write that bypasses the memo: the file's bytes win.
	if err := s.Update(func(tx *state.Tx) error { return tx.Put("t.items", key, memoRec{Name: "b"}) }); err != nil {
		t.Fatal(err)
	}
	if r, _ := memoGet(t, s, m, key); r.Name != "b" || r.Tags != nil {
		t.Fatalf("after a write around the memo: %+v", r)
	}
	// A Put that is rolled back: the committed record stays the answer.
	boom := errors.New("rolled back")
	err = s.Update(func(tx *state.Tx) error {
		if err := m.Put(tx, key, &memoRec{Name: "never"}); err != nil {
			return err
		}
		if r, err := m.Get(tx, key); err != nil || r.Name != "never" {
			t.Errorf("inside its transaction: %+v, %v", r, err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if r, _ := memoGet(t, s, m, key); r.Name != "b" {
		t.Fatalf("after a rolled-back Put: %+v", r)
	}
}

func TestMemo_decodedValueIsNotSharedWithTheCaller(t *testing.T) {
	s, _ := open(t)
	m := state.NewMemo("t.items", cloneMemoRec)
	key := state.Key(7)
	if err := s.Update(func(tx *state.Tx) error { return tx.Put("t.items", key, memoRec{Name: "a", Tags: []string{"x"}}) }); err != nil {
		t.Fatal(err)
	}
	r, _ := memoGet(t, s, m, key) // a miss: decoded here
	r.Tags[0] = "changed"
	if r, _ := memoGet(t, s, m, key); r.Tags[0] != "x" {
		t.Fatalf("the first caller's change leaked into the memo: %+v", r)
	}
}

// memoRow is about a saplab position: strings, numbers and a history of
// dated entries, which is what makes its decoding dear.
type memoRow struct {
	ID      int64     `json:"id"`
	Brand   string    `json:"brand"`
	Name    string    `json:"name"`
	Price   string    `json:"price"`
	Payed   bool      `json:"is_payed"`
	Created time.Time `json:"created"`
	History []struct {
		Date   time.Time `json:"date"`
		Status string    `json:"status"`
	} `json:"history"`
}

func cloneMemoRow(r *memoRow) *memoRow {
	c := *r
	c.History = slices.Clone(r.History)
	return &c
}

// BenchmarkMemoGet is one record read as a write reads it: decoded by
// Tx.Get, and through a Memo that holds its bytes (a compare and a clone).
//
//	go test -run '^$' -bench MemoGet -benchmem ./internal/state/
func BenchmarkMemoGet(b *testing.B) {
	s, err := state.Open(filepath.Join(b.TempDir(), "s.db"), clock.New(nil), "t.items")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	row := memoRow{ID: 19, Brand: "KNECHT/MAHLE", Name: "Фильтр масляный", Price: "236.69", Created: time.Now()}
	for _, st := range []string{"Приостановлено", "Принято", "Выдано (Отправлено)"} {
		row.History = append(row.History, struct {
			Date   time.Time `json:"date"`
			Status string    `json:"status"`
		}{time.Now(), st})
	}
	key := state.Key(19)
	m := state.NewMemo("t.items", cloneMemoRow)
	if err := s.Update(func(tx *state.Tx) error { return m.Put(tx, key, &row) }); err != nil {
		b.Fatal(err)
	}
	for _, mode := range []string{"decode", "memo"} {
		b.Run(mode, func(b *testing.B) {
			b.ReportAllocs()
			_ = s.View(func(tx *state.Tx) error {
				for b.Loop() {
					var err error
					if mode == "memo" {
						_, err = m.Get(tx, key)
					} else {
						err = tx.Get("t.items", key, new(memoRow))
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				return nil
			})
		})
	}
}
