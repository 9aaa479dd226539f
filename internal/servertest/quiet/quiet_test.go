package quiet

import (
	"io"
	"net"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"
)

// Close returns only once a handler that is running has returned: the
// state file closes after it, never under it. The handler is let go only
// once the listener is closed, which close does first, so a close that did
// not wait would have returned before the handler did.
func TestQuietClose_waitsForHandlers(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	var returned atomic.Bool
	s, q := NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		returned.Store(true)
	}))
	addr := s.Listener.Addr().String()
	go func() {
		if resp, err := http.Get(s.URL); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}()
	<-entered
	closed := make(chan bool)
	go func() {
		q.Close(s)
		closed <- returned.Load()
	}()
	for {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			break // the listener is closed: close has begun
		}
		c.Close()
	}
	close(release)
	if !<-closed {
		t.Fatal("close returned while a handler was running")
	}
}

// A test server's connections are pending from their accept until their
// handler returns, not through the pause net/http may add after it.
func TestQuietClose_pendingFollowsTheHandler(t *testing.T) {
	s, q := NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer s.Close()
	resp, err := http.Get(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	q.mu.Lock()
	n := len(q.pending)
	q.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d connections pending after their answer, want none", n)
	}
}

// A handler that took its connection over (a fault's drop or truncate)
// still runs: httptest's own Close stops counting the connection at the
// takeover and may return at once, but Close waits for the handler, as
// its comment on StateHijacked says it must.
func TestQuietClose_waitsForAHijackingHandler(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	var returned atomic.Bool
	s, q := NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			defer conn.Close()
		}
		close(entered)
		<-release
		returned.Store(true)
	}))
	go func() {
		if resp, err := http.Get(s.URL); err == nil {
			resp.Body.Close()
		}
	}()
	<-entered
	closed := make(chan bool, 1)
	go func() {
		q.Close(s)
		closed <- returned.Load()
	}()
	// httptest's Close (which Close also runs) returns once no connection
	// it counts is open: the hijacked one is not counted.
	s.Close()
	for range 1000 {
		runtime.Gosched() // room for a Close that followed it to return
	}
	select {
	case early := <-closed:
		close(release)
		if !early {
			t.Fatal("close returned while a hijacking handler was running")
		}
	default:
		close(release)
		if !<-closed {
			t.Fatal("close returned while a hijacking handler was running")
		}
	}
}
