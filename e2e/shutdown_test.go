package e2e_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/server"
	"github.com/mockserver/mockserver/internal/servertest"
)

// TestFaults_shutdownCutsDelaysShort checks that SIGTERM does not wait out
// a fault's delay: the delayed request is finished at once (served, since
// the pause was all the fault asked for) and the server stops cleanly.
func TestFaults_shutdownCutsDelaysShort(t *testing.T) {
	t.Parallel()
	srv, stop := servertest.Serve(t, server.Config{})
	base := "http://" + srv.Addr()

	resp, err := http.Get(base + "/api/test")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	want := resp.StatusCode

	// The delay never ends by itself: only the shutdown's interrupt ends
	// it, which is what the test is about. The test learns when the request
	// has reached it.
	reached := make(chan time.Duration, 1)
	srv.Faults().SetTimer(func(d time.Duration) <-chan time.Time {
		reached <- d
		return make(chan time.Time)
	})
	resp, err = http.Post(base+"/__admin/faults", "application/json", strings.NewReader(
		`{"id": "slow", "api": "amapi", "path": "/api/test", "action": {"delay": "5m"}}`))
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("arming: %v %v", err, resp)
	}
	resp.Body.Close()

	type result struct {
		status int
		err    error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get(base + "/api/test")
		if err != nil {
			got <- result{err: err}
			return
		}
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- result{resp.StatusCode, err}
	}()
	<-reached

	// The delay never fires: only the shutdown can end the request, so a
	// shutdown that failed to cut it short hangs the test (go test's
	// -timeout reports it) rather than pass.
	if err := stop(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if r := <-got; r.err != nil || r.status != want {
		t.Fatalf("the delayed request ended with %d %v, want the real %d", r.status, r.err, want)
	}
}
