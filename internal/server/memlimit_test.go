package server

import (
	"math"
	"testing"
)

// The soft limit is derived from the live journals' budgets unless the
// configuration fixes it or turns it off, and GOMEMLIMIT always wins.
func TestMemoryLimit(t *testing.T) {
	const mib = 1 << 20
	for _, tc := range []struct {
		name     string
		cfg      int64
		env      string
		budget   int64
		journals int
		want     int64
		wantSet  bool
	}{
		{"derived, the root alone", MemoryAuto, "", 32 * mib, 1, 64 * mib, true},
		{"derived, two worlds", MemoryAuto, "", 32 * mib, 3, 128 * mib, true},
		{"derived, never under one journal", MemoryAuto, "", 32 * mib, 0, 64 * mib, true},
		{"derived, saturated", MemoryAuto, "", math.MaxInt64 / 2, 3, math.MaxInt64, true},
		{"fixed", 200 * mib, "", 32 * mib, 5, 200 * mib, true},
		{"none: a Go test's default", 0, "", 32 * mib, 1, 0, false},
		{"GOMEMLIMIT wins over derived", MemoryAuto, "100MiB", 32 * mib, 1, 0, false},
		{"GOMEMLIMIT wins over fixed", 200 * mib, "off", 32 * mib, 1, 0, false},
	} {
		got, set := memoryLimit(tc.cfg, tc.env, tc.budget, tc.journals)
		if got != tc.want || set != tc.wantSet {
			t.Errorf("%s: %d, %v; want %d, %v", tc.name, got, set, tc.want, tc.wantSet)
		}
	}
}

// The limiter sets the limit for the journals it is told of, and nothing
// when the server sets none.
func TestMemLimiter(t *testing.T) {
	var got []int64
	record := func(n int64) int64 { got = append(got, n); return 0 }
	m := &memLimiter{cfg: MemoryAuto, budget: 1 << 20, set: record}
	m.journals(1)
	m.journals(4)
	if len(got) != 2 || got[0] != MemoryHeadroom+1<<20 || got[1] != MemoryHeadroom+4<<20 {
		t.Fatalf("limits set %v", got)
	}
	got = nil
	off := &memLimiter{cfg: MemoryAuto, env: "64MiB", budget: 1 << 20, set: record}
	off.journals(2)
	if got != nil {
		t.Fatalf("with GOMEMLIMIT set the limiter set %v", got)
	}
}
