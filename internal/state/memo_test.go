package state_test

import (
	"errors"
	"slices"
	"testing"

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
