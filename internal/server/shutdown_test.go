package server_test

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/server"
)

// A pending GET /__admin/requests/wait does not hold a shutdown up: it is
// answered at once with its count so far (408, saying why), and Serve
// returns cleanly. Were the wait left to run, the 60-second wait would
// outlast the shutdown timeout and Serve would fail with a deadline. The
// test stops the server only once the wait is registered, so it never races
// the wait's arrival.
func TestShutdown_endsPendingWaits(t *testing.T) {
	t.Parallel()
	srv, err := server.New(server.Config{Addr: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "state.db"), ShutdownTimeout: 5 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx) }()

	type result struct {
		status int
		body   string
		err    error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + srv.Addr() + "/__admin/requests/wait?path=/nothing&count=2&timeout=60s")
		if err != nil {
			got <- result{err: err}
			return
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- result{resp.StatusCode, string(b), err}
	}()
	for srv.Journal().Waiting() == 0 {
		runtime.Gosched() // until the wait is registered
	}

	stop()
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v (a pending wait held the shutdown up)", err)
	}
	r := <-got
	want := `{"count":0,"error":"the server is shutting down; 0 of 2 requests arrived"}` + "\n"
	if r.err != nil || r.status != http.StatusRequestTimeout || r.body != want {
		t.Fatalf("the pending wait got %d %q %v, want 408 %s", r.status, r.body, r.err, want)
	}
}
