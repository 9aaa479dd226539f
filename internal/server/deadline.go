package server

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mockserver/mockserver/internal/admin"
)

// Coarse deadlines: a capped connection keeps the read and write deadlines
// net/http and the handlers set on it (the configured timeouts,
// request.Unhurried, the console's stream) in two words of its own, and
// the listener's watchdog, which ticks a few times a second, gives the
// socket a deadline only once one has passed: a blocked Read or Write then
// fails with os.ErrDeadlineExceeded as with the socket's own deadline, at
// most one tick late (deadlineTick: an eighth of the shortest timeout,
// 250 ms at most).
//
// Why: with the timeouts set, net/http moves a socket deadline four times a
// request (the request's read and write deadlines, the idle and the header
// deadlines) and clears it four times; each move reads the clock twice and
// moves a runtime timer, which the bare server (no timeouts) never does.
// Kept here, a move is an atomic store (issue 16, docs/decisions.md, "#16:
// small reads at c=32").
//
// A deadline already passed, or due within two ticks, goes to the socket at
// once (net/http's abortPendingRead sets one long past to wake its
// background read), and so does clearing a deadline the socket holds.

// epoch is the origin of stamps: a reading with the monotonic clock, so
// that stamps taken from time.Now compare as the runtime's deadlines do.
var epoch = time.Now()

// stamp is t as nanoseconds since epoch, 0 for the zero time (no deadline);
// a time that is epoch itself is 1 ns later, so that it is not "none".
func stamp(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	if s := int64(t.Sub(epoch)); s != 0 {
		return s
	}
	return 1
}

// unstamp is the time of a stamp s != 0.
func unstamp(s int64) time.Time { return epoch.Add(time.Duration(s)) }

// deadline is one direction's deadline of a capped connection.
type deadline struct {
	// mu is held to give the socket a deadline or take it away, so that
	// the watchdog and a setter never leave it out of step with want. A
	// leaf: taken under capListener.mu by the watchdog, alone otherwise.
	mu    sync.Mutex
	want  atomic.Int64 // the deadline last set, as a stamp; 0: none
	armed atomic.Bool  // the socket holds a deadline (want, given it at once or once passed)
}

// apply sets the socket's read or write deadline.
func apply(c net.Conn, write bool, t time.Time) error {
	if write {
		return c.SetWriteDeadline(t)
	}
	return c.SetReadDeadline(t)
}

// set records t as the deadline; soon is the stamp before which a
// deadline goes to the socket at once. It returns the socket's error when
// the socket was changed, else nil.
func (d *deadline) set(c net.Conn, write bool, t time.Time, soon int64) error {
	w := stamp(t)
	d.want.Store(w)
	if (w == 0 || w >= soon) && !d.armed.Load() {
		return nil // the usual case: the watchdog will see it, if it ever passes
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.settle(c, write, soon)
}

// settle brings the socket in step with want, under mu: a deadline due
// before soon is the socket's, any other is taken off it.
func (d *deadline) settle(c net.Conn, write bool, soon int64) error {
	if w := d.want.Load(); w != 0 && w < soon {
		d.armed.Store(true)
		return apply(c, write, unstamp(w))
	}
	if d.armed.Load() {
		d.armed.Store(false)
		return apply(c, write, time.Time{})
	}
	return nil
}

// expire gives the socket its deadline if it has passed by now (a stamp).
// armed is stored before want is read again, and set stores want before it
// reads armed: one of the two always sees the other's change, so a
// deadline set meanwhile is never left behind a passed one.
func (d *deadline) expire(c net.Conn, write bool, now int64) {
	if w := d.want.Load(); w == 0 || w > now || d.armed.Load() {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.armed.Store(true)
	if w := d.want.Load(); w != 0 && w <= now {
		_ = apply(c, write, unstamp(w)) // passed: a blocked Read or Write fails now
		return
	}
	d.armed.Store(false)
}

// SetReadDeadline keeps t for the watchdog (a listener without one, as in
// some tests, passes it to the socket).
func (c *capConn) SetReadDeadline(t time.Time) error {
	if c.l.tick == 0 {
		return c.Conn.SetReadDeadline(t)
	}
	return c.read.set(c.Conn, false, t, c.l.soon())
}

// SetWriteDeadline keeps t for the watchdog, as SetReadDeadline.
func (c *capConn) SetWriteDeadline(t time.Time) error {
	if c.l.tick == 0 {
		return c.Conn.SetWriteDeadline(t)
	}
	return c.write.set(c.Conn, true, t, c.l.soon())
}

// SetDeadline sets both (net/http clears both this way on a hijack).
func (c *capConn) SetDeadline(t time.Time) error {
	return errors.Join(c.SetReadDeadline(t), c.SetWriteDeadline(t))
}

// expire gives c's socket the deadlines that have passed by now.
func (c *capConn) expire(now int64) {
	c.read.expire(c.Conn, false, now)
	c.write.expire(c.Conn, true, now)
}

// maxTick bounds the watchdog's period, and so how late a deadline fires.
const maxTick = 250 * time.Millisecond

// deadlineTick is the watchdog's period for cfg's timeouts: an eighth of
// the shortest (the console stream's write timeout included), so that a
// timeout is cut at most an eighth late; between 1 ms and maxTick.
func deadlineTick(cfg *Config) time.Duration {
	tick := maxTick
	for _, d := range []time.Duration{cfg.ReadHeaderTimeout, cfg.ReadTimeout, cfg.WriteTimeout, cfg.IdleTimeout, admin.StreamWriteTimeout} {
		if d > 0 && d/8 < tick {
			tick = d / 8
		}
	}
	return max(tick, time.Millisecond)
}

// soon is the stamp before which a deadline goes to the socket at once:
// two ticks past the watchdog's last reading of the clock, which is at
// most a tick old, so every deadline the watchdog would fire late by more
// than a tick is given to the socket instead.
func (l *capListener) soon() int64 { return l.now.Load() + 2*int64(l.tick) }

// watchDeadlines starts the listener's watchdog on real time: a ticker of
// period tick and the wall clock (startWatch).
func (l *capListener) watchDeadlines(tick time.Duration) {
	t := time.NewTicker(tick)
	l.startWatch(tick, time.Now, t.C, t.Stop, func() { t.Reset(tick) })
}

// startWatch starts the watchdog: on each of ticks it reads clock and
// gives each tracked connection the deadlines that have passed. It runs
// until the listener is closed and its last tracked connection is gone: a
// shutdown lets requests in flight finish, and their timeouts still hold.
// A hijacked connection is no longer tracked: net/http clears its
// deadlines as it hands it over. While no connection is tracked it parks
// (pause: no ticks) until track wakes it (resume). The returned channel
// is closed once it has stopped. Tests give it their own ticks and clock.
func (l *capListener) startWatch(tick time.Duration, clock func() time.Time, ticks <-chan time.Time, pause, resume func()) <-chan struct{} {
	l.tick, l.clock = tick, clock
	l.now.Store(stamp(clock()))
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		defer pause()
		for range ticks {
			switch l.expire() {
			case watchStop:
				return
			case watchPark:
				pause()
				if l.onPark != nil {
					l.onPark()
				}
				if !l.unpark() {
					return // closed with nothing to watch; admit closes a late one
				}
				resume()
			}
		}
	}()
	return stopped
}

// unpark waits, parked, for track's wake or the listener's close, and
// reports whether to tick again. A connection tracked just before the
// close has sent its wake by then (track wakes before admit looks at
// done), and select picks at random between two ready cases: so on a
// close the wake is looked for again, and a watchdog woken for a tracked
// connection does not stop and leave its deadlines unfired.
func (l *capListener) unpark() bool {
	select {
	case <-l.wake:
		return true
	case <-l.done:
		select {
		case <-l.wake:
			return true
		default:
			return false
		}
	}
}

// What the watchdog does after a tick.
const (
	watchOn   = iota // tick again
	watchPark        // no connection: wait for track
	watchStop        // closed, no connection left
)

// expire is one tick of the watchdog: it fires the passed deadlines and
// says what to do next.
func (l *capListener) expire() int {
	now := stamp(l.clock())
	l.now.Store(now)
	l.mu.Lock()
	defer l.mu.Unlock()
	for c := range l.conns {
		c.expire(now)
	}
	select {
	case <-l.done:
		if len(l.conns) > 0 {
			return watchOn
		}
		return watchStop
	default:
	}
	if len(l.conns) == 0 {
		l.parked = true
		return watchPark
	}
	return watchOn
}
