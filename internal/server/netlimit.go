package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mockserver/mockserver/internal/procs"
	"github.com/mockserver/mockserver/internal/request"
)

// newHTTPServer is the http.Server of one listener (the shared one, a
// per-API one or a world's own), with the configured timeouts, and l
// wrapped in the connection cap. Every listener gets its own cap: one
// world's or API's clients cannot take another's connections.
//
//   - ReadHeaderTimeout cuts a client that is slow to send its headers,
//     ReadTimeout one slow to send its body (chunked too), IdleTimeout a
//     keep-alive connection left unused, WriteTimeout a client slow to read
//     the answer. A handler slow on purpose (a fault delay, a journal
//     wait, a stream) moves its own deadlines with request.Unhurried.
//   - The cap (capListener) keeps the open connections, and so the file
//     descriptors, bounded; at the cap, the connection quiet longest (no
//     request in progress, or one whose body is still coming: readingBody)
//     is closed to make room, so idle or slowloris connections cannot lock
//     new clients out.
//   - The deadlines those timeouts set are kept by the cap's connections
//     and fired by its watchdog (deadline.go), at most a tick late, not
//     moved on the socket four times a request.
//   - On Shutdown, connections that never sent a request are closed at
//     once: net/http would otherwise wait up to 5 s for each to send one.
func newHTTPServer(cfg *Config, l net.Listener, h http.Handler, log *slog.Logger) (*http.Server, net.Listener) {
	capped := newCapListener(l, cfg.MaxConns)
	capped.watchDeadlines(deadlineTick(cfg))
	srv := &http.Server{
		Handler:           counted(h),
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		ConnState:         capped.connState,
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			return context.WithValue(ctx, connKey{}, c)
		},
		BaseContext: func(net.Listener) context.Context {
			return request.WithTimeouts(context.Background(), cfg.ReadTimeout, cfg.WriteTimeout)
		},
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(capped.closeUnused)
	return srv, capped
}

// capListener caps the open connections of a listener at max. Accept
// accepts first, then finds the connection a slot: a free one, else the
// slot of the quiet connection (new and without a request yet, or idle
// between requests) that has been quiet longest, which it closes; else it
// waits for a connection to close or go quiet. At most max connections are
// served at once, plus the one accepted and waiting for a slot.
type capListener struct {
	net.Listener
	slots chan struct{} // one token per open connection
	quiet chan struct{} // a connection went quiet: a waiting Accept may evict it
	done  chan struct{} // closed by Close
	once  sync.Once

	// mu guards conns, the open connections the cap tracks. Each one's
	// state is its own (capConn.mark: atomics, no lock), so that a request
	// takes no lock of the listener's (issue 16). Leaf but for the
	// deadlines' locks the watchdog takes under it.
	mu    sync.Mutex
	conns map[*capConn]struct{}
	// seq orders the connections by when they last went quiet, without a
	// clock; waiting counts the Accepts that may wait for one to go quiet,
	// which a connection going quiet then signals (quiet).
	seq     atomic.Uint64
	waiting atomic.Int32

	// tick is the deadline watchdog's period (0: none, deadlines go to the
	// sockets) and now its last reading of the clock (deadline.go).
	tick  time.Duration
	now   atomic.Int64
	clock func() time.Time // the watchdog's clock: time.Now but in tests
	// parked (under mu) is true while the watchdog, finding no connection
	// to watch, waits on wake instead of ticking, so that an idle server
	// does not wake a few times a second; track wakes it.
	parked bool
	wake   chan struct{}
	// onPark, when set (tests), is called each time the watchdog parks.
	onPark func()
}

// connKey holds a request's connection in its context (ConnContext).
type connKey struct{}

// readingBody marks r's connection evictable at the cap while its body is
// read, and returns the function that marks it active again. A body that
// never ends (slowloris with a body) then gives way to new clients as an
// idle connection does, instead of holding its slot until ReadTimeout.
func readingBody(r *http.Request) (done func()) {
	c, ok := r.Context().Value(connKey{}).(*capConn)
	if !ok {
		return func() {}
	}
	c.setBody(true)
	return func() { c.setBody(false) }
}

// setBody records whether c's request body is being read.
func (c *capConn) setBody(reading bool) {
	c.body.Store(reading)
	if reading {
		c.since.Store(c.l.seq.Add(1))
		c.l.wentQuiet()
	}
}

// wentQuiet tells a waiting Accept that a connection may be evicted. It
// is called after the connection's state is stored, and Accept counts
// itself waiting before it looks for one: either the Accept sees the
// state, or this sees the Accept.
func (l *capListener) wentQuiet() {
	if l.waiting.Load() == 0 {
		return
	}
	select {
	case l.quiet <- struct{}{}:
	default:
	}
}

func newCapListener(l net.Listener, max int) *capListener {
	return &capListener{Listener: l, slots: make(chan struct{}, max), quiet: make(chan struct{}, 1),
		done: make(chan struct{}), conns: map[*capConn]struct{}{}, wake: make(chan struct{}, 1)}
}

// Accept returns the next connection once it has a slot.
func (l *capListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	select {
	case l.slots <- struct{}{}:
		return l.admit(c)
	default:
	}
	l.waiting.Add(1)
	defer l.waiting.Add(-1)
	for {
		select {
		case l.slots <- struct{}{}:
			return l.admit(c)
		default:
		}
		if l.evict() {
			continue // its Close freed a slot
		}
		select {
		case l.slots <- struct{}{}:
			<-l.slots // take it in the loop above
		case <-l.quiet:
		case <-l.done:
			_ = c.Close()
			return nil, net.ErrClosed
		}
	}
}

// admit tracks c, which holds a slot, and returns it; or closes it when
// the listener was closed meanwhile: the deadline watchdog stops once a
// closed listener tracks no connection, and would not watch this one.
func (l *capListener) admit(c net.Conn) (net.Conn, error) {
	cc := l.track(c)
	select {
	case <-l.done:
		_ = cc.Close()
		return nil, net.ErrClosed
	default:
		return cc, nil
	}
}

// track wraps c, which holds a slot, and tracks it as new.
func (l *capListener) track(c net.Conn) *capConn {
	cc := &capConn{Conn: c, l: l}
	cc.state.Store(int32(http.StateNew))
	cc.since.Store(l.seq.Add(1))
	l.mu.Lock()
	l.conns[cc] = struct{}{}
	wake := l.parked
	l.parked = false
	l.mu.Unlock()
	if wake {
		// The watchdog's reading is as old as its sleep: soon() must not
		// measure this connection's deadlines from it.
		l.now.Store(stamp(l.clock()))
		l.wake <- struct{}{} // never blocks: one wake per park
	}
	l.wentQuiet()
	return cc
}

// Close stops accepting; open connections are the http.Server's to close.
func (l *capListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// connState follows each connection's state (http.Server.ConnState).
func (l *capListener) connState(c net.Conn, s http.ConnState) {
	cc, ok := c.(*capConn)
	if !ok {
		return
	}
	switch s {
	case http.StateNew, http.StateActive, http.StateIdle:
		cc.mark(s)
	default: // hijacked (a fault's drop or truncate) or closed: no longer the server's
		l.forget(cc)
	}
}

// mark records c's state; a quiet one may be evicted from now on. An
// evicted connection is no longer tracked, whatever it marks.
func (c *capConn) mark(s http.ConnState) {
	c.body.Store(false)
	if s == http.StateActive {
		c.state.Store(int32(s))
		return
	}
	c.since.Store(c.l.seq.Add(1))
	c.state.Store(int32(s))
	c.l.wentQuiet()
}

// evictable reports whether the connection may be closed for a new one:
// quiet, or active with its body still coming (readingBody).
func (c *capConn) evictable() bool {
	return http.ConnState(c.state.Load()) != http.StateActive || c.body.Load()
}

func (l *capListener) forget(c *capConn) {
	l.mu.Lock()
	delete(l.conns, c)
	l.mu.Unlock()
}

// evict closes the connection quiet longest, if any, and reports whether
// it did.
func (l *capListener) evict() bool {
	var oldest *capConn
	var at uint64
	l.mu.Lock()
	for c := range l.conns {
		if since := c.since.Load(); c.evictable() && (oldest == nil || since < at) {
			oldest, at = c, since
		}
	}
	if oldest != nil {
		delete(l.conns, oldest)
	}
	l.mu.Unlock()
	if oldest == nil {
		return false
	}
	_ = oldest.Close()
	return true
}

// closeUnused closes the connections that have not sent a request yet, at
// shutdown (http.Server.RegisterOnShutdown; idle ones net/http closes).
func (l *capListener) closeUnused() {
	l.mu.Lock()
	var unused []*capConn
	for c := range l.conns {
		if http.ConnState(c.state.Load()) == http.StateNew {
			unused = append(unused, c)
		}
	}
	l.mu.Unlock()
	for _, c := range unused {
		_ = c.Close()
	}
}

// capConn gives its slot back when it closes, whoever closes it first.
type capConn struct {
	net.Conn
	l           *capListener
	once        sync.Once
	read, write deadline // kept for the watchdog (deadline.go)

	// The connection's state for the cap: net/http's, whether its request
	// body is being read (readingBody: as evictable as a quiet one), and
	// when it last went quiet (capListener.seq).
	state atomic.Int32
	body  atomic.Bool
	since atomic.Uint64
}

// CloseWrite half-closes a TCP connection, as net/http does after an
// answer it writes itself before the request was read whole (a 431 for
// headers past the limit): the client sees the answer end at once. Without
// it (net.Conn as embedded does not promote it) net/http cannot send its
// FIN and the client waits for the full close, half a second later
// (net/http's rstAvoidanceDelay).
func (c *capConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return errors.ErrUnsupported
}

func (c *capConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.forget(c)
		<-c.l.slots
	})
	return err
}

// counted counts each request of every listener in and out for the
// command's governor of spare Ps: a commit while another request is in
// flight keeps them (internal/procs).
func counted(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		procs.Enter()
		defer procs.Leave()
		h.ServeHTTP(w, r)
	})
}
