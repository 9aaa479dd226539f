package servertest

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
)

// A Mock's Close at a test's end waits for its requests to be done, not for
// its connections to be closed. net/http holds a connection half a second
// after an answer given before the request's body was read (a 413 to a body
// over the limit: rstAvoidanceDelay, a sleep in net/http that no option
// shortens), and httptest.Server.Close waits for every connection: each
// test that sent an over-limit body held one of its binary's two parallel
// slots idle for that half second at its end. The pause touches no state
// (the handler has returned and the answer is written), so the state file
// may close under it; the httptest server's own Close ends it in the
// background.

// quiet tracks a test server's connections that may still reach a handler:
// new ones (no request yet), and those whose request has been read and
// whose handler has not returned.
type quiet struct {
	mu      sync.Mutex
	pending map[net.Conn]http.ConnState // StateNew or StateActive
	changed chan struct{}               // closed and replaced on every change
}

// quietConnKey holds a request's connection in its context.
type quietConnKey struct{}

// newServer is an httptest server of h whose connections q tracks.
func newServer(h http.Handler) (*httptest.Server, *quiet) {
	q := &quiet{pending: map[net.Conn]http.ConnState{}, changed: make(chan struct{})}
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
func (q *quiet) set(c net.Conn, st http.ConnState) {
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

// close shuts s as httptest.Server.Close does (no new connection, no
// keep-alive, idle and new connections closed) and returns once no
// connection can reach a handler any more, or once s's Close has returned;
// that Close goes on in the background.
func (q *quiet) close(s *httptest.Server) {
	_ = s.Listener.Close()
	s.Config.SetKeepAlivesEnabled(false) // closes the idle ones
	closed := make(chan struct{})
	go func() {
		s.Close()
		close(closed)
	}()
	q.mu.Lock()
	for c, st := range q.pending {
		if st == http.StateNew {
			_ = c.Close() // as s.Close does: it has sent no request
		}
	}
	for len(q.pending) > 0 {
		changed := q.changed
		q.mu.Unlock()
		select {
		case <-changed:
		case <-closed:
			return
		}
		q.mu.Lock()
	}
	q.mu.Unlock()
}
