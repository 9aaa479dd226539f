// Package clock is the server's one source of time. Every package that needs
// "now" takes a *Clock instead of calling time.Now, so tests and the control
// API (POST /__admin/clock) can move time for all three APIs at once.
package clock

import (
	"sync"
	"time"
)

// Clock is real time shifted by an offset, or frozen at one instant.
// The zero value is not usable; call New.
type Clock struct {
	mu     sync.RWMutex
	real   func() time.Time
	offset time.Duration
	frozen *time.Time
}

// New returns a clock that follows the given real-time source (time.Now when
// nil) with no offset.
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
	if c.frozen != nil {
		return *c.frozen
	}
	return c.real().Add(c.offset)
}

// Set makes Now return t at this instant; time keeps running from there
// unless the clock is frozen, in which case it stays at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen != nil {
		c.frozen = &t
		return
	}
	c.offset = t.Sub(c.real())
}

// Advance moves the clock by d (negative moves it back).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen != nil {
		t := c.frozen.Add(d)
		c.frozen = &t
		return
	}
	c.offset += d
}

// Freeze stops the clock at its current reading (freeze=true) or lets it run
// again from where it stands (freeze=false).
func (c *Clock) Freeze(freeze bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case freeze && c.frozen == nil:
		t := c.real().Add(c.offset)
		c.frozen = &t
	case !freeze && c.frozen != nil:
		c.offset = c.frozen.Sub(c.real())
		c.frozen = nil
	}
}

// Frozen reports whether the clock is stopped.
func (c *Clock) Frozen() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.frozen != nil
}

// Reset returns the clock to real time, running.
func (c *Clock) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = 0
	c.frozen = nil
}
