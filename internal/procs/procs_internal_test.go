package procs

import (
	"slices"
	"testing"
)

func TestNext(t *testing.T) {
	for _, tc := range []struct {
		name       string
		raised     bool
		lone       int
		others     bool
		wantRaised bool
		wantLone   int
	}{
		{"an overlap raises", false, lowerAfter, true, true, 0},
		{"an overlap keeps raised and restarts the count", true, 10, true, true, 0},
		{"a lone commit counts", true, 0, false, true, 1},
		{"the last lone commit before the bound keeps raised", true, lowerAfter - 2, false, true, lowerAfter - 1},
		{"the lowerAfter-th lone commit lowers", true, lowerAfter - 1, false, false, lowerAfter},
		{"lone commits keep lowered", false, lowerAfter, false, false, lowerAfter},
	} {
		raised, lone := next(tc.raised, tc.lone, tc.others)
		if raised != tc.wantRaised || lone != tc.wantLone {
			t.Errorf("%s: next(%v, %d, %v) = %v, %d; want %v, %d", tc.name, tc.raised, tc.lone, tc.others, raised, lone, tc.wantRaised, tc.wantLone)
		}
	}
}

// recorder stands in for runtime.GOMAXPROCS.
type recorder struct{ set []int }

func (r *recorder) gomaxprocs(n int) int {
	r.set = append(r.set, n)
	return 0
}

// TestGovernor_setsOnlyOnChange: a lone writer's commits lower the Ps once,
// after lowerAfter of them; a commit with a second request in flight
// raises them once, before it runs; nothing else calls the setter.
func TestGovernor_setsOnlyOnChange(t *testing.T) {
	r := &recorder{}
	g := New(1, 2, r.gomaxprocs)
	g.inflight.Add(1) // the writer's own request
	for range lowerAfter - 1 {
		g.commit()
	}
	if len(r.set) != 0 {
		t.Fatalf("set %v before the %dth lone commit", r.set, lowerAfter)
	}
	g.commit()
	g.commit()
	if !slices.Equal(r.set, []int{1}) {
		t.Fatalf("after %d lone commits set %v, want [1]", lowerAfter+1, r.set)
	}
	g.inflight.Add(1) // a second request
	g.commit()
	g.commit()
	if !slices.Equal(r.set, []int{1, 3}) {
		t.Fatalf("after overlapping commits set %v, want [1 3]", r.set)
	}
	g.inflight.Add(-1)
	for range lowerAfter - 1 {
		g.commit()
	}
	if !slices.Equal(r.set, []int{1, 3}) {
		t.Fatalf("lowered before %d lone commits: %v", lowerAfter, r.set)
	}
	g.commit()
	if !slices.Equal(r.set, []int{1, 3, 1}) {
		t.Fatalf("set %v, want [1 3 1]", r.set)
	}
}

// TestNoGovernor: with none installed (the library, tests) the calls do
// nothing and count nothing.
func TestNoGovernor(t *testing.T) {
	Install(nil)
	Enter()
	Commit()
	Leave()
	if active.Load() != nil {
		t.Fatal("a governor is installed")
	}
}

// TestGovernor_lower: Lower drops the spare Ps once (a second Lower sets
// nothing), lone commits after it keep base, and the first commit with
// another request in flight raises them again.
func TestGovernor_lower(t *testing.T) {
	r := &recorder{}
	g := New(1, 2, r.gomaxprocs)
	g.lower()
	g.lower()
	if !slices.Equal(r.set, []int{1}) {
		t.Fatalf("after two lowers set %v, want [1]", r.set)
	}
	g.inflight.Add(1) // a lone writer
	g.commit()
	if !slices.Equal(r.set, []int{1}) {
		t.Fatalf("a lone commit after Lower set %v, want [1]", r.set)
	}
	g.inflight.Add(1) // a second request
	g.commit()
	if !slices.Equal(r.set, []int{1, 3}) {
		t.Fatalf("an overlapping commit after Lower set %v, want [1 3]", r.set)
	}
}
