package saplab_test

import (
	"slices"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/lifecycle"
	"github.com/mockserver/mockserver/internal/saplab"
	"gopkg.in/yaml.v3"
)

// Changes lists what Advance would apply, move by move: a move to the
// status the position is in, or to one the shop no longer has, changes
// nothing and is left out; moves after until are not listed.
func TestLifecycle_Changes(t *testing.T) {
	var plan lifecycle.Plan
	src := `steps:
  - {status_id: 1, after: {min: 1h, max: 1h}}
  - {status_id: 2, after: {min: 1h, max: 1h}}
  - {status_id: 9, after: {min: 1h, max: 1h}}
  - {status_id: 3, after: {min: 1h, max: 1h}}
  - {status_id: 4, after: {min: 1h, max: 1h}}`
	if err := yaml.Unmarshal([]byte(src), &plan); err != nil {
		t.Fatal(err)
	}
	l := &saplab.Lifecycle{Plan: &plan, Seed: 1}
	created := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	names := map[int64]string{1: "Новый", 2: "В работе", 3: "Готов", 4: "Выдан"}
	name := func(id int64) (string, bool) { n, ok := names[id]; return n, ok }
	got := l.Changes(saplab.PositionState{ID: 7, Created: created}, 1, name, created.Add(4*time.Hour))
	want := []lifecycle.Change{
		{API: "saplab", ID: 7, From: 1, FromName: "Новый", To: 2, ToName: "В работе", At: created.Add(2 * time.Hour)},
		{API: "saplab", ID: 7, From: 2, FromName: "В работе", To: 3, ToName: "Готов", At: created.Add(4 * time.Hour)},
	}
	same := func(a, b lifecycle.Change) bool {
		a.At, b.At = a.At.UTC(), b.At.UTC()
		return a == b
	}
	if !slices.EqualFunc(got, want, same) {
		t.Fatalf("Changes:\n%+v\nwant\n%+v", got, want)
	}
	// Moves already made (Done) are not listed again.
	if got := l.Changes(saplab.PositionState{ID: 7, Created: created, Done: 4}, 3, name, created.Add(10*time.Hour)); len(got) != 1 || got[0].To != 4 {
		t.Fatalf("after 4 moves: %+v, want only the move to 4", got)
	}
}
