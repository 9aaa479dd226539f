package procs_test

import (
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/procs"
	"github.com/mockserver/mockserver/internal/state"
)

// TestInstall_theGroupCommitAsksTheGovernor: the installed governor sees
// every group commit's leader and the requests counted in: a lone
// writer's commits lower GOMAXPROCS to base, a commit while a second
// request is in flight raises it before its transaction runs.
func TestInstall_theGroupCommitAsksTheGovernor(t *testing.T) {
	var mu sync.Mutex
	var set []int
	record := func(n int) int {
		mu.Lock()
		defer mu.Unlock()
		set = append(set, n)
		return 0
	}
	seen := func() []int {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(set)
	}
	s, err := state.OpenScratch(filepath.Join(t.TempDir(), "g.db"), clock.New(nil), "t.items")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	procs.Install(procs.New(1, 2, record))
	defer procs.Install(nil)
	write := func(i int) {
		t.Helper()
		if err := s.Batch(func(tx *state.Tx) error { return tx.Put("t.items", state.Key(uint64(i)), i) }); err != nil {
			t.Fatal(err)
		}
	}
	procs.Enter()
	for i := range 100 {
		write(i)
	}
	if got := seen(); !slices.Equal(got, []int{3, 1}) {
		t.Fatalf("after 100 lone writes GOMAXPROCS was set to %v, want [3 1]", got)
	}
	procs.Enter()
	var afterRaise []int
	if err := s.Batch(func(tx *state.Tx) error {
		afterRaise = seen()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	procs.Leave()
	procs.Leave()
	if !slices.Equal(afterRaise, []int{3, 1, 3}) {
		t.Fatalf("inside the overlapping commit GOMAXPROCS had been set to %v, want [3 1 3]", afterRaise)
	}
}

// TestLower_theInstalledGovernor: Lower drops the installed governor's
// spare Ps (the command calls it once the server is up), and does nothing
// with none installed.
func TestLower_theInstalledGovernor(t *testing.T) {
	procs.Lower() // none installed: nothing to do
	var set []int
	procs.Install(procs.New(2, 2, func(n int) int { set = append(set, n); return 0 }))
	defer procs.Install(nil)
	procs.Lower()
	if !slices.Equal(set, []int{4, 2}) {
		t.Fatalf("GOMAXPROCS was set to %v, want [4 2] (installed raised, then lowered)", set)
	}
}
