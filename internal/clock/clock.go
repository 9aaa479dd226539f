// Package clock is the server's one source of time. Every package that needs
// "now" takes a *Clock instead of calling time.Now, so tests and the control
// API (POST /__admin/clock) can move time for all three APIs at once.
package clock

import (
	"errors"
	"sync"
	"time"
)

// Moscow is UTC+3 without daylight saving (since 2014), the zone all three
// vendors print, fixed so that a scratch container without tzdata prints
// the same times. It lives here, the lowest package that needs it;
// clock.Moscow is this zone.
var Moscow = time.FixedZone("MSK", 3*60*60)

// Earliest and Latest bound what the clock may be moved to: years 1 to 9999
// in Moscow time, the four-digit years the vendors print. Any instant in
// between is kept exactly; in UTC it is year 0 to 9999, which JSON still
// encodes, so stored records always encode. A running clock that reaches
// Latest stays there.
var (
	Earliest = time.Date(1, 1, 1, 0, 0, 0, 0, Moscow)
	Latest   = time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, Moscow)
)

// ErrOutOfRange is returned by a move that would leave the clock before
// Earliest or after Latest; the clock is then left as it was.
var ErrOutOfRange = errors.New("the clock can only show times from 0001-01-01 00:00:00 to 9999-12-31 23:59:59 Moscow time")

// InRange reports whether the clock can be moved to t: within Earliest and
// Latest, and with a year JSON can encode (0..9999) in t's own zone too,
// since records store the clock's time in the zone it was given.
func InRange(t time.Time) bool {
	return !t.Before(Earliest) && !t.After(Latest) && t.Year() >= 0 && t.Year() <= 9999
}

// Clock is real time, or real time run on from a reading someone set, or
// one frozen instant. It keeps the reading itself (base), not an offset
// from real time: an offset is a time.Duration, which cannot reach further
// than 292 years and silently wrapped around for a date like 9999-12-31.
// The zero value is not usable; call New.
type Clock struct {
	// mu guards r: Now and Frozen read-lock it (every transaction's Tx.Now
	// and every admin and vendor reading of the time), Move (and Set,
	// Advance, Freeze, Reset through it) write-locks it. It is held only to
	// read the real time and do the arithmetic: a leaf, always the last
	// lock taken (after bbolt's, in a transaction's Tx.Now).
	mu   sync.RWMutex
	real func() time.Time
	r    reading
}

// reading is the clock's state; its methods take the real time they apply
// at, so one control-API request applies all its moves at one instant.
type reading struct {
	moved  bool      // false: Now is real time itself
	frozen bool      // true: Now is base
	base   time.Time // the reading at realAt (moved or frozen)
	realAt time.Time // the real time base was read at
}

// now is the reading at real time real.
func (r reading) now(real time.Time) time.Time {
	switch {
	case r.frozen:
		return r.base
	case !r.moved:
		return real
	}
	if t := r.base.Add(real.Sub(r.realAt)); t.Before(Latest) {
		return t
	}
	return Latest // a clock set to the last second stops there rather than print year 10000
}

// set makes the reading t at real time real.
func (r *reading) set(t, real time.Time) {
	r.moved, r.base, r.realAt = true, t, real
}

// freeze stops the reading where it stands at real (freeze) or lets a
// stopped one run on from there (!freeze).
func (r *reading) freeze(freeze bool, real time.Time) {
	switch {
	case freeze && !r.frozen:
		r.set(r.now(real), real)
		r.frozen = true
	case !freeze && r.frozen:
		r.frozen = false
		r.set(r.base, real) // runs on from where it stood
	}
}

// New returns a clock that follows the given real-time source (time.Now when
// nil).
func New(real func() time.Time) *Clock {
	if real == nil {
		real = time.Now
	}
	return &Clock{real: real}
}

// Now is the server's current time.
func (c *Clock) Now() time.Time {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.r.now(c.real())
}

// At is what Now would have returned when the clock's real-time source
// read real: real must be such a reading (a time.Now of the caller, for a
// clock made with New(nil)), not any time. It spares a caller that has
// just read the real time a second reading: the server's request path
// reads it once and gives the journal entry the clock's time of the same
// instant (issue 16: a reading was a third of a small read's clock cost).
func (c *Clock) At(real time.Time) time.Time {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.r.now(real)
}

// Set makes Now return t at this instant; time keeps running from there
// unless the clock is frozen, in which case it stays at t. A t outside
// Earliest..Latest is ErrOutOfRange and changes nothing.
func (c *Clock) Set(t time.Time) error {
	return c.Move(Move{Set: &t})
}

// Advance moves the clock by d (negative moves it back); past Earliest or
// Latest it is ErrOutOfRange and changes nothing.
func (c *Clock) Advance(d time.Duration) error {
	return c.Move(Move{Advance: d})
}

// Freeze stops the clock at its current reading (freeze=true) or lets it run
// again from where it stands (freeze=false).
func (c *Clock) Freeze(freeze bool) {
	_ = c.Move(Move{Freeze: &freeze}) // freezing never leaves the range it is in
}

// Frozen reports whether the clock is stopped.
func (c *Clock) Frozen() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.r.frozen
}

// Reset returns the clock to real time, running.
func (c *Clock) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.r = reading{}
}

// Move is one request to move the clock (POST /__admin/clock), applied in
// this order: Reset, freeze (Freeze true), Set (when given), Advance,
// unfreeze (Freeze false). Freezing before moving and unfreezing after
// leaves a frozen clock at exactly the time asked for.
type Move struct {
	Reset   bool
	Freeze  *bool
	Set     *time.Time // a pointer: 0001-01-01T00:00:00Z is a time one may set
	Advance time.Duration
}

// Move applies m at one real instant, whole or not at all: if the clock
// would end outside Earliest..Latest it returns ErrOutOfRange and stays as
// it was.
func (c *Clock) Move(m Move) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, err := c.r.after(m, c.real())
	if err != nil {
		return err
	}
	c.r = r
	return nil
}

// Preview is what Now reads (now) and would read right after Move(m)
// (to), both of one instant, or Move's error, with the clock left as it
// is: the time a clock preview looks ahead from and to. One reading, so a
// running clock's advance shows as exactly to - now.
func (c *Clock) Preview(m Move) (now, to time.Time, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	real := c.real()
	r, err := c.r.after(m, real)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	return c.r.now(real), r.now(real), nil
}

// after is the reading after m at real, or ErrOutOfRange; r is unchanged.
func (r reading) after(m Move, real time.Time) (reading, error) {
	if m.Reset {
		r = reading{}
	}
	if m.Freeze != nil && *m.Freeze {
		r.freeze(true, real)
	}
	if m.Set != nil {
		if !InRange(*m.Set) {
			return r, ErrOutOfRange
		}
		r.set(*m.Set, real)
	}
	if m.Advance != 0 {
		r.set(r.now(real).Add(m.Advance), real)
	}
	if m.Freeze != nil && !*m.Freeze {
		r.freeze(false, real)
	}
	if r.moved && !InRange(r.now(real)) {
		return r, ErrOutOfRange
	}
	return r, nil
}
