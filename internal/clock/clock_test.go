package clock_test

import (
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/clock"
)

func TestClock(t *testing.T) {
	real := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	c := clock.New(func() time.Time { return real })
	if !c.Now().Equal(real) {
		t.Fatal("a new clock must follow real time")
	}
	c.Advance(2 * time.Hour)
	if got := c.Now(); !got.Equal(real.Add(2 * time.Hour)) {
		t.Fatalf("after Advance: %v", got)
	}
	real = real.Add(time.Minute) // real time passes: a running clock follows
	if got := c.Now(); !got.Equal(real.Add(2 * time.Hour)) {
		t.Fatalf("running clock: %v", got)
	}
	c.Freeze(true)
	frozenAt := c.Now()
	real = real.Add(time.Hour)
	if !c.Now().Equal(frozenAt) {
		t.Fatal("a frozen clock moved")
	}
	set := time.Date(2017, 1, 15, 22, 2, 43, 0, time.UTC)
	c.Set(set)
	if !c.Now().Equal(set) {
		t.Fatalf("Set while frozen: %v", c.Now())
	}
	c.Freeze(false)
	real = real.Add(time.Second)
	if got := c.Now(); !got.Equal(set.Add(time.Second)) {
		t.Fatalf("unfrozen clock must run on from where it stood: %v", got)
	}
	c.Reset()
	if !c.Now().Equal(real) || c.Frozen() {
		t.Fatal("Reset must return to real, running time")
	}
}
