// Package quiet closes a test's httptest server once its requests are
// done, not once its connections are closed: servertest's Mock closes its
// state file after that.
//
// net/http holds a connection half a second after an answer given before
// the request's body was read (a 413 to a body over the limit:
// rstAvoidanceDelay, a sleep in net/http that no option shortens), and
// httptest.Server.Close waits for every connection: each test that sent an
// over-limit body held one of its binary's two parallel slots idle for that
// half second at its end. The pause touches no state (the handler has
// returned and the answer is written), so the state file may close under
// it; the httptest server's own Close ends it in the background.
//
// A package of its own, with only the standard library: its tests are a
// small binary to link, where servertest's would link the whole mock.
package quiet

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
)

// Tracker tracks a test server's connections that may still reach a handler:
// new ones (no request yet), and those whose request has been read and
// whose handler has not returned.
type Tracker struct {
	mu      sync.Mutex
	pending map[net.Conn]http.ConnState // StateNew or StateActive
	changed chan struct{}               // closed and replaced on every change
}

// quietConnKey holds a request's connection in its context.
type quietConnKey struct{}

// NewServer is a started httptest server of h whose connections q tracks.
func NewServer(h http.Handler) (*httptest.Server, *Tracker) {
	q := &Tracker{pending: map[net.Conn]http.ConnState{}, changed: make(chan struct{})}
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer q.set(r.Context().Value(quietConnKey{}).(net.Conn), http.StateIdle)
		h.ServeHTTP(w, r)
	}))
	s.Config.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		return context.WithValue(ctx, quietConnKey{}, c)
	}
	s.Config.ConnState = func(c net.Conn, st http.ConnState) {
		if st != http.StateHijacked { // its handler is still running
			q.set(c, st)
		}
	}
	s.Start()
	return s, q
}

// set records c's state; the handler's return counts as idle.
func (q *Tracker) set(c net.Conn, st http.ConnState) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if st == http.StateNew || st == http.StateActive {
		q.pending[c] = st
	} else {
		delete(q.pending, c)
	}
	close(q.changed)
	q.changed = make(chan struct{})
}

// Close shuts s as httptest.Server.Close does (no new connection, no
// keep-alive, idle and new connections closed) and returns once no
// connection can reach a handler any more; s's Close goes on in the
// background. It does not return when s's Close does: that one stops
// counting a connection when its handler takes it over (StateHijacked),
// while the handler still runs.
func (q *Tracker) Close(s *httptest.Server) {
	_ = s.Listener.Close()
	s.Config.SetKeepAlivesEnabled(false) // closes the idle ones
	go s.Close()
	q.mu.Lock()
	for c, st := range q.pending {
		if st == http.StateNew {
			_ = c.Close() // as s.Close does: it has sent no request
		}
	}
	for len(q.pending) > 0 {
		changed := q.changed
		q.mu.Unlock()
		<-changed
		q.mu.Lock()
	}
	q.mu.Unlock()
}
