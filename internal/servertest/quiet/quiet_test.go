package quiet

import (
	"io"
	"net"
	"net/http"
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
