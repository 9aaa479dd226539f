package server

import (
	"math"
	"runtime"
	"slices"
	"testing"
)

// The soft limit is derived from the live journals' budgets and the rest
// of the live heap unless the configuration fixes it or turns it off, and
// GOMEMLIMIT always wins.
func TestMemoryLimit(t *testing.T) {
	t.Parallel()
	const mib = 1 << 20
	for _, tc := range []struct {
		name     string
		cfg      int64
		env      string
		budget   int64
		journals int
		other    int64
		want     int64
		wantSet  bool
	}{
		{"derived, the root alone, nothing else live", MemoryAuto, "", 32 * mib, 1, 0, 56 * mib, true},
		{"derived, a small state gets the headroom", MemoryAuto, "", 32 * mib, 1, 10 * mib, 66 * mib, true},
		{"derived, a large state gets its own size again", MemoryAuto, "", 32 * mib, 1, 300 * mib, 632 * mib, true},
		{"derived, two worlds", MemoryAuto, "", 32 * mib, 3, 0, 120 * mib, true},
		{"derived, never under one journal", MemoryAuto, "", 32 * mib, 0, 0, 56 * mib, true},
		{"derived, journals holding more than measured", MemoryAuto, "", 32 * mib, 1, -5 * mib, 56 * mib, true},
		{"derived, saturated", MemoryAuto, "", math.MaxInt64 / 2, 3, 0, math.MaxInt64, true},
		{"fixed", 200 * mib, "", 32 * mib, 5, 300 * mib, 200 * mib, true},
		{"none: a Go test's default", 0, "", 32 * mib, 1, 0, 0, false},
		{"GOMEMLIMIT wins over derived", MemoryAuto, "100MiB", 32 * mib, 1, 0, 0, false},
		{"GOMEMLIMIT wins over fixed", 200 * mib, "off", 32 * mib, 1, 0, 0, false},
	} {
		got, set := memoryLimit(tc.cfg, tc.env, tc.budget, tc.journals, tc.other)
		if got != tc.want || set != tc.wantSet {
			t.Errorf("%s: %d, %v; want %d, %v", tc.name, got, set, tc.want, tc.wantSet)
		}
	}
}

// The limiter sets the limit for the journals it is told of and for the
// live heap each collection measured, and nothing when the server sets
// none.
func TestMemLimiter(t *testing.T) {
	t.Parallel()
	const mib = 1 << 20
	var got []int64
	record := func(n int64) int64 { got = append(got, n); return 0 }
	m := &memLimiter{cfg: MemoryAuto, budget: mib, set: record}
	m.setJournals(1)
	m.setJournals(4)
	m.collected(100*mib, 4*mib) // 96 MiB live beside the journals' 4
	want := []int64{MemoryHeadroom + mib, MemoryHeadroom + 4*mib, 2*96*mib + 4*mib}
	if !slices.Equal(got, want) {
		t.Fatalf("limits set %v; want %v", got, want)
	}
	got = nil
	off := &memLimiter{cfg: MemoryAuto, env: "64MiB", budget: mib, set: record}
	off.setJournals(2)
	off.collected(100*mib, 0)
	if got != nil {
		t.Fatalf("with GOMEMLIMIT set the limiter set %v", got)
	}
}

// A collection moves the limit: follow measures the live heap after each
// one, driven by the collector itself (runtime.GC here), not a timer.
func TestMemLimiter_followsCollections(t *testing.T) {
	sets := make(chan int64, 64)
	m := &memLimiter{cfg: MemoryAuto, budget: 1 << 20, set: func(n int64) int64 {
		select {
		case sets <- n:
		default:
		}
		return 0
	}}
	m.setJournals(1)
	<-sets
	m.follow()
	defer m.stop()
	keep := make([]byte, 8<<20) // live beside no journal: the limit must grow past the headroom
	for len(sets) == 0 {
		runtime.GC()
		runtime.Gosched()
	}
	if limit := <-sets; limit < 2*int64(len(keep))+1<<20 {
		t.Fatalf("after a collection with %d bytes live the limit is %d", len(keep), limit)
	}
	runtime.KeepAlive(keep)
}
