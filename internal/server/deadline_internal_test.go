package server

import (
	"errors"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"testing"
	"time"
)

// recordingConn records the deadlines given to the socket.
type recordingConn struct {
	net.Conn
	read, write []time.Time
}

func (c *recordingConn) SetReadDeadline(t time.Time) error {
	c.read = append(c.read, t)
	return nil
}

func (c *recordingConn) SetWriteDeadline(t time.Time) error {
	c.write = append(c.write, t)
	return nil
}

// A deadline far off stays with the connection until it passes: the
// socket gets it only then (expire), and loses it when the next one is
// set; one already passed or due within two ticks goes to the socket at
// once, and clearing it clears the socket.
func TestDeadline_toTheSocketOnlyOncePassed(t *testing.T) {
	t.Parallel()
	const tick = int64(10 * time.Millisecond)
	now := stamp(time.Now())
	soon := now + 2*tick
	far := unstamp(now + 100*tick)
	sock := &recordingConn{}
	var d deadline

	steps := []struct {
		name string
		do   func()
		want []time.Time // the socket's read deadlines so far
	}{
		{"a far deadline is kept", func() { _ = d.set(sock, false, far, soon) }, nil},
		{"cleared, it is still kept", func() { _ = d.set(sock, false, time.Time{}, soon) }, nil},
		{"no deadline never expires", func() { d.expire(sock, false, now+1000*tick) }, nil},
		{"set again, not yet passed", func() { _ = d.set(sock, false, far, soon); d.expire(sock, false, now) }, nil},
		{"passed, the socket gets it", func() { d.expire(sock, false, now+100*tick) }, []time.Time{far}},
		{"passed once, not given twice", func() { d.expire(sock, false, now+200*tick) }, []time.Time{far}},
		{"a new far one clears the socket", func() { _ = d.set(sock, false, far.Add(time.Hour), soon) },
			[]time.Time{far, {}}},
		{"one long past goes at once", func() { _ = d.set(sock, false, time.Unix(1, 0), soon) },
			[]time.Time{far, {}, time.Unix(1, 0)}},
		{"and clearing it clears the socket", func() { _ = d.set(sock, false, time.Time{}, soon) },
			[]time.Time{far, {}, time.Unix(1, 0), {}}},
		{"one due within two ticks goes at once", func() { _ = d.set(sock, false, unstamp(now+tick), soon) },
			[]time.Time{far, {}, time.Unix(1, 0), {}, unstamp(now + tick)}},
	}
	for _, s := range steps {
		s.do()
		if len(sock.read) != len(s.want) {
			t.Fatalf("%s: the socket's read deadlines are %v, want %v", s.name, sock.read, s.want)
		}
		for i := range s.want {
			if !sock.read[i].Equal(s.want[i]) {
				t.Fatalf("%s: the socket's read deadlines are %v, want %v", s.name, sock.read, s.want)
			}
		}
	}
	if len(sock.write) != 0 {
		t.Fatalf("a read deadline set write deadlines: %v", sock.write)
	}
}

// Stamps order as the times do, the zero time is none, and a stamp gives
// back its time.
func TestStamp(t *testing.T) {
	t.Parallel()
	now := time.Now()
	if stamp(time.Time{}) != 0 || stamp(epoch) == 0 || stamp(time.Unix(1, 0)) == 0 {
		t.Fatal("only the zero time stamps as none")
	}
	if !(stamp(time.Unix(1, 0)) < stamp(now) && stamp(now) < stamp(now.Add(time.Nanosecond))) {
		t.Fatal("stamps do not order as the times")
	}
	if got := unstamp(stamp(now)); !got.Equal(now) {
		t.Fatalf("unstamp(stamp(%v)) = %v", now, got)
	}
	if stamp(time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)) <= stamp(now) {
		t.Fatal("a deadline past int64 nanoseconds does not stay in the future")
	}
}

// fakeWatch runs a listener's watchdog on the test's ticks and clock. Its
// clock starts an hour before real time, so that a deadline it gives a
// socket has passed in real time too, and a Read held by it fails at once.
type fakeWatch struct {
	t       *testing.T
	ticks   chan time.Time
	stopped <-chan struct{}
	start   time.Time
	off     atomic.Int64 // the clock's time since start
}

func startFakeWatch(t *testing.T, l *capListener) *fakeWatch {
	w := &fakeWatch{t: t, ticks: make(chan time.Time), start: time.Now().Add(-time.Hour)}
	w.stopped = l.startWatch(time.Millisecond, w.now, w.ticks, func() {}, func() {})
	t.Cleanup(func() { close(w.ticks) })
	return w
}

func (w *fakeWatch) now() time.Time { return w.start.Add(time.Duration(w.off.Load())) }

// tickAt sets the clock to d after its start and hands the watchdog a
// tick; it fails the test if the watchdog has stopped instead.
func (w *fakeWatch) tickAt(d time.Duration) {
	w.t.Helper()
	w.off.Store(int64(d))
	select {
	case w.ticks <- time.Time{}:
	case <-w.stopped:
		w.t.Fatal("the watchdog stopped with a connection tracked")
	}
}

// readBlocked starts a read of sc that blocks (the client sends nothing)
// until a deadline fails it.
func readBlocked(sc net.Conn) <-chan error {
	read := make(chan error, 1)
	go func() { _, err := sc.Read(make([]byte, 1)); read <- err }()
	return read
}

// wantDeadlineExceeded fails t unless the read ended on its deadline.
func wantDeadlineExceeded(t *testing.T, read <-chan error) {
	t.Helper()
	if err := <-read; !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("a read past its deadline returned %v, want os.ErrDeadlineExceeded", err)
	}
}

// Through a listener with a watchdog, a read blocked on a capped
// connection fails with os.ErrDeadlineExceeded once the watchdog's tick
// finds its deadline passed, as with the socket's own; before that the
// socket does not hold it (a deadline cleared is
// TestDeadline_toTheSocketOnlyOncePassed's).
func TestCapConn_watchdogFiresPassedDeadlines(t *testing.T) {
	t.Parallel()
	l := listenCapped(t, 4)
	w := startFakeWatch(t, l)
	_, sc := cappedConn(t, l)
	_ = sc.SetReadDeadline(w.start.Add(10 * time.Minute))
	read := readBlocked(sc)
	w.tickAt(5 * time.Minute)
	select {
	case err := <-read:
		t.Fatalf("the read ended (%v) before its deadline passed", err)
	default:
	}
	w.tickAt(11 * time.Minute)
	wantDeadlineExceeded(t, read)
}

// With no connection to watch the watchdog parks instead of ticking (an
// idle server does not wake a few times a second), and the next
// connection wakes it: that connection's passed deadline still fires.
// Without the wake, the tick below would wait on a parked watchdog.
func TestCapConn_watchdogParksWhenIdleAndWakes(t *testing.T) {
	t.Parallel()
	l := listenCapped(t, 4)
	parks := make(chan struct{}, 4)
	l.onPark = func() { parks <- struct{}{} }
	w := startFakeWatch(t, l)
	w.tickAt(0)
	<-parks // with no connection

	_, sc := cappedConn(t, l)
	_ = sc.SetReadDeadline(w.start.Add(10 * time.Minute))
	read := readBlocked(sc)
	w.tickAt(11 * time.Minute)
	wantDeadlineExceeded(t, read)
	select {
	case <-parks:
		t.Fatal("the watchdog parked while a connection was tracked")
	default:
	}
	_ = sc.Close()
	l.connState(sc, http.StateClosed)
	w.tickAt(12 * time.Minute)
	<-parks // after the last connection closed
}

// A connection accepted while the watchdog is parked, just before its
// listener closes, is still watched: the parked watchdog finds both its
// wake and the listener's close, and must not stop while that connection
// is tracked (a shutdown lets it finish, and its timeouts must still cut
// it). The watchdog is held in its park until both have happened; each
// round would have stopped it half the time.
func TestCapConn_watchdogWokenAsItsListenerClosesKeepsWatching(t *testing.T) {
	t.Parallel()
	for range 20 {
		l := listenCapped(t, 4)
		parked, release := make(chan struct{}, 1), make(chan struct{})
		l.onPark = func() { parked <- struct{}{}; <-release }
		w := startFakeWatch(t, l)
		w.tickAt(0)
		<-parked // with no connection
		_, sc := cappedConn(t, l)
		_ = l.Close()
		l.onPark = nil
		close(release)
		_ = sc.SetReadDeadline(w.start.Add(10 * time.Minute))
		read := readBlocked(sc)
		w.tickAt(11 * time.Minute) // fails if the watchdog stopped
		wantDeadlineExceeded(t, read)
	}
}
