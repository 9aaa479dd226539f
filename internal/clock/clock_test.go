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

// TestClock_Move covers each move, and the range: any time in years
// 1..9999 (Moscow) is kept exactly, however far from real time; beyond it a
// move is refused whole. The clock once kept an offset from real time, a
// time.Duration, which wrapped past 292 years and answered a wrong time.
func TestClock_Move(t *testing.T) {
	msk := time.FixedZone("MSK", 3*60*60)
	real := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	at := func(y int, mo time.Month, d, h, mi, s, ns int, loc *time.Location) *time.Time {
		t := time.Date(y, mo, d, h, mi, s, ns, loc)
		return &t
	}
	yes, no := true, false
	cases := []struct {
		name   string
		before []clock.Move // applied first, each must succeed
		move   clock.Move
		want   time.Time // Now right after the move (the real time does not pass)
		later  time.Time // Now one real hour later
		err    error
	}{
		{"set_running", nil, clock.Move{Set: at(2017, 1, 15, 22, 2, 43, 0, msk)},
			*at(2017, 1, 15, 22, 2, 43, 0, msk), *at(2017, 1, 15, 23, 2, 43, 0, msk), nil},
		{"set_frozen", nil, clock.Move{Set: at(2017, 1, 15, 22, 2, 43, 0, msk), Freeze: &yes},
			*at(2017, 1, 15, 22, 2, 43, 0, msk), *at(2017, 1, 15, 22, 2, 43, 0, msk), nil},
		{"last_second_of_9999_exactly", nil, clock.Move{Set: at(9999, 12, 31, 23, 59, 59, 0, msk), Freeze: &yes},
			*at(9999, 12, 31, 23, 59, 59, 0, msk), *at(9999, 12, 31, 23, 59, 59, 0, msk), nil},
		{"a_running_clock_stops_at_the_end_of_9999", nil, clock.Move{Set: at(9999, 12, 31, 23, 59, 59, 0, msk)},
			*at(9999, 12, 31, 23, 59, 59, 0, msk), clock.Latest, nil},
		{"first_moment_of_year_1_exactly", nil, clock.Move{Set: at(1, 1, 1, 0, 0, 0, 0, msk), Freeze: &yes},
			*at(1, 1, 1, 0, 0, 0, 0, msk), *at(1, 1, 1, 0, 0, 0, 0, msk), nil},
		{"year_1_in_utc_is_a_time_to_set_not_no_time", nil, clock.Move{Set: at(1, 1, 1, 0, 0, 0, 0, time.UTC), Freeze: &yes},
			*at(1, 1, 1, 0, 0, 0, 0, time.UTC), *at(1, 1, 1, 0, 0, 0, 0, time.UTC), nil},
		{"advance_from_far_away", []clock.Move{{Set: at(9000, 6, 1, 0, 0, 0, 0, msk)}}, clock.Move{Advance: -2 * time.Hour},
			*at(9000, 5, 31, 22, 0, 0, 0, msk), *at(9000, 5, 31, 23, 0, 0, 0, msk), nil},
		{"unfreeze_runs_on", []clock.Move{{Set: at(2020, 2, 29, 0, 0, 0, 0, msk), Freeze: &yes}}, clock.Move{Freeze: &no},
			*at(2020, 2, 29, 0, 0, 0, 0, msk), *at(2020, 2, 29, 1, 0, 0, 0, msk), nil},
		{"reset_then_advance", []clock.Move{{Set: at(2020, 2, 29, 0, 0, 0, 0, msk), Freeze: &yes}}, clock.Move{Reset: true, Advance: time.Hour},
			real.Add(time.Hour), real.Add(2 * time.Hour), nil},
		{"after_9999_is_refused", nil, clock.Move{Set: at(9999, 12, 31, 21, 0, 0, 0, time.UTC)},
			real, real.Add(time.Hour), clock.ErrOutOfRange},
		{"before_year_1_is_refused", nil, clock.Move{Set: at(0, 12, 31, 20, 59, 59, 0, time.UTC), Freeze: &yes},
			real, real.Add(time.Hour), clock.ErrOutOfRange},
		{"year_10000_in_its_own_zone_is_refused", nil, clock.Move{Set: at(10000, 1, 1, 10, 0, 0, 0, time.FixedZone("+14", 14*60*60))},
			real, real.Add(time.Hour), clock.ErrOutOfRange},
		{"advancing_past_9999_is_refused_whole", []clock.Move{{Set: at(9999, 12, 31, 0, 0, 0, 0, msk)}}, clock.Move{Freeze: &yes, Advance: 48 * time.Hour},
			*at(9999, 12, 31, 0, 0, 0, 0, msk), *at(9999, 12, 31, 1, 0, 0, 0, msk), clock.ErrOutOfRange},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			now := real
			clk := clock.New(func() time.Time { return now })
			for _, m := range c.before {
				if err := clk.Move(m); err != nil {
					t.Fatal(err)
				}
			}
			// Preview tells what Move will do, and moves nothing.
			before := clk.Now()
			from, seen, err := clk.Preview(c.move)
			if err != c.err || (err == nil && (!seen.Equal(c.want) || !from.Equal(before))) {
				t.Fatalf("Preview: from %s to %s %v, want from %s to %s %v", from, seen, err, before, c.want, c.err)
			}
			if got := clk.Now(); !got.Equal(before) {
				t.Fatalf("Preview moved the clock from %s to %s", before, got)
			}
			if err := clk.Move(c.move); err != c.err {
				t.Fatalf("Move: %v, want %v", err, c.err)
			}
			if got := clk.Now(); !got.Equal(c.want) {
				t.Fatalf("Now %s, want %s", got, c.want)
			}
			now = now.Add(time.Hour)
			if got := clk.Now(); !got.Equal(c.later) {
				t.Fatalf("an hour later Now %s, want %s", got, c.later)
			}
		})
	}
}

// A running clock's preview reads one instant: to is exactly now plus the
// advance, though the real time moves between any two readings.
func TestPreview_oneInstant(t *testing.T) {
	real := time.Date(2026, 1, 2, 7, 0, 0, 0, time.UTC)
	clk := clock.New(func() time.Time { real = real.Add(time.Microsecond); return real })
	now, to, err := clk.Preview(clock.Move{Advance: 72 * time.Hour})
	if err != nil || to.Sub(now) != 72*time.Hour {
		t.Fatalf("preview from %s to %s (%v): want exactly 72h apart", now, to, err)
	}
}

// TestClock_At: At of the real time the clock's source reads is what Now
// reads at that instant, on a clock that follows real time, one moved and
// running, and one frozen.
func TestClock_At(t *testing.T) {
	real := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	c := clock.New(func() time.Time { return real })
	check := func(step string) {
		t.Helper()
		at := real
		if got, want := c.At(at), c.Now(); !got.Equal(want) {
			t.Fatalf("%s: At %v, Now %v", step, got, want)
		}
	}
	check("real time")
	if err := c.Advance(90 * time.Minute); err != nil {
		t.Fatal(err)
	}
	real = real.Add(time.Second)
	check("moved, running")
	if got, want := c.At(real.Add(time.Minute)), real.Add(90*time.Minute+time.Minute); !got.Equal(want) {
		t.Fatalf("a minute on: At %v, want %v", got, want)
	}
	c.Freeze(true)
	real = real.Add(time.Hour)
	check("frozen")
}
