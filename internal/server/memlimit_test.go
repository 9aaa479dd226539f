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

// The collector's percent is the largest in [100, 400] whose heap goal
// stays a whole MemoryHeadroom under the soft limit, and 100 when none
// does.
func TestGCPercent(t *testing.T) {
	t.Parallel()
	const mib = 1 << 20
	for _, tc := range []struct {
		name        string
		live, limit int64
		want        int
	}{
		{"small reads: 8 MiB live under ~60 MiB", 8 * mib, 60 * mib, 350},
		{"exactly 400 fits", 8 * mib, 40*mib + MemoryHeadroom, 400},
		{"a byte short of 400", 8 * mib, 40*mib + MemoryHeadroom - 1, 399},
		{"exactly 100 fits", 8 * mib, 16*mib + MemoryHeadroom, 100},
		{"a byte short of 100: the runtime's", 8 * mib, 16*mib + MemoryHeadroom - 1, 100},
		{"the worst case: live near the limit", 60 * mib, 64 * mib, 100},
		{"live over the limit", 100 * mib, 64 * mib, 100},
		{"tiny live heap", 1, 56 * mib, 400},
		{"nothing measured as live", 0, 56 * mib, 400},
		{"negative live", -5, 56 * mib, 400},
		{"limit under the headroom", 1 * mib, MemoryHeadroom / 2, 100},
		{"limit zero", 1 * mib, 0, 100},
		{"limit saturated", 8 * mib, math.MaxInt64, 400},
		{"huge live, saturated limit", math.MaxInt64 / 3, math.MaxInt64, 199},
		{"huge live, just short of 400", math.MaxInt64 / 5, math.MaxInt64, 399},
		{"huge live, 400", math.MaxInt64 / 6, math.MaxInt64, 400},
		{"largest live", math.MaxInt64, math.MaxInt64, 100},
		{"smallest limit", 8 * mib, math.MinInt64, 100},
	} {
		if got := gcPercent(tc.live, tc.limit); got != tc.want {
			t.Errorf("%s: gcPercent(%d, %d) = %d; want %d", tc.name, tc.live, tc.limit, got, tc.want)
		}
	}
}

// After a collection the limiter sets the percent under the limit it has
// just set, and again when the limit moves with the journals; it sets no
// percent before a collection has measured the live heap, none when GOGC
// is in the environment, and none when the server sets no limit.
func TestMemLimiter_percent(t *testing.T) {
	t.Parallel()
	const mib = 1 << 20
	var limits []int64
	var percents []int
	m := &memLimiter{cfg: MemoryAuto, budget: 32 * mib,
		set:        func(n int64) int64 { limits = append(limits, n); return 0 },
		setPercent: func(p int) int { percents = append(percents, p); return 100 },
	}
	m.setJournals(1)
	if percents != nil {
		t.Fatalf("before any collection the percent was set: %v", percents)
	}
	m.collected(8*mib, 0) // limit 8 + 24 + 32 = 64 MiB, room 40: 400
	m.collected(8*mib, 0) // the same: set again, as the limit is
	m.collected(40*mib, 32*mib)
	// limit 8 + 24 + 32 = 64 MiB with 40 live: the worst case, 100
	m.setJournals(3) // limit 128 MiB, room 104 with 40 live: 160
	want := []int{400, 400, 100, 160}
	if !slices.Equal(percents, want) {
		t.Fatalf("percents set %v; want %v (limits %v)", percents, want, limits)
	}

	for _, off := range []*memLimiter{
		{cfg: MemoryAuto, gogc: "200", budget: mib},
		{cfg: MemoryAuto, env: "64MiB", budget: mib},
		{cfg: 0, budget: mib},
	} {
		percents = nil
		off.set = func(int64) int64 { return 0 }
		off.setPercent = func(p int) int { percents = append(percents, p); return 100 }
		off.setJournals(1)
		off.collected(8*mib, 0)
		if percents != nil {
			t.Errorf("limiter (cfg %d, GOGC %q, GOMEMLIMIT %q) set percents %v", off.cfg, off.gogc, off.env, percents)
		}
	}
}

// The limit and the percent are the process's: with two servers in one
// process (or a closed server's cleanup still running as the next one
// starts) each limiter sets both after every collection, so the percent
// in force is the one bounded under the limit in force. A limiter that
// skipped a percent equal to the one it set last left the other's 400
// under its own limit, with its live heap within the headroom of it.
func TestMemLimiter_percentFollowsItsOwnLimit(t *testing.T) {
	t.Parallel()
	const mib = 1 << 20
	var limit int64
	var percent int
	limiter := func() *memLimiter {
		return &memLimiter{cfg: MemoryAuto, budget: 32 * mib,
			set:        func(n int64) int64 { old := limit; limit = n; return old },
			setPercent: func(p int) int { old := percent; percent = p; return old },
		}
	}
	a, b := limiter(), limiter()
	a.setJournals(1)
	b.setJournals(1)
	a.collected(40*mib, 32*mib) // a's worst case: 100 under 64 MiB
	b.collected(8*mib, 0)       // b: 400 under 64 MiB
	a.collected(40*mib, 32*mib) // a's worst case again
	if want := gcPercent(40*mib, limit); percent != want {
		t.Fatalf("percent %d under the limit %d a has just set; want %d", percent, limit, want)
	}
}
