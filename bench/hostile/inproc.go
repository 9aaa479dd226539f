package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mockserver/mockserver/internal/server"
)

// discard is a ResponseWriter that keeps the headers and drops the body.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

// inproc is the journal mode's worst case without the sockets: the server
// runs in this process with the binary's default soft memory limit, and
// each request goes straight to its handler, with its own copy of the
// 1000 KiB header as net/http would have made (-clone=false shares one,
// leaving only what our code allocates). Go's HTTP layer reads such
// a header at a few hundred requests a second here (bare mode), so a run
// of 1 M over loopback takes hours; in process, the part that is ours (the
// journal's truncation, budget and eviction, the memory limit, the
// listing) sees the same requests at the rate of its own cost. RSS is read
// from /proc/self/status, so the client's garbage counts too.
func inproc(n, workers, budget int, every time.Duration, clone bool) {
	dir, err := os.MkdirTemp("", "hostile")
	if err != nil {
		fatal(err)
	}
	defer os.RemoveAll(dir)
	srv, err := server.New(server.Config{DB: filepath.Join(dir, "state.db"), JournalBytes: budget, MemoryLimit: server.MemoryAuto}, nil)
	if err != nil {
		fatal(err)
	}
	defer srv.Close()
	h := srv.Handler()
	memoryRun(os.Getpid(), budget, every, "in process", fmt.Sprintf("a copy of the header per request: %v", clone),
		func() (int, time.Duration, int) { return inprocLoad(h, n, workers, clone) }, workers,
		func() { send(h, httptest.NewRequest(http.MethodDelete, "/__admin/requests", nil)) })
}

// inprocLoad is load's requests, sent to h by workers goroutines, with the
// journal listed every 2,000th; it returns the count, the time and the
// largest listing.
func inprocLoad(h http.Handler, n, workers int, clone bool) (int, time.Duration, int) {
	list := func() int {
		var c counter
		h.ServeHTTP(&c, httptest.NewRequest(http.MethodGet, "/__admin/requests", nil))
		return c.n
	}
	sendOne := func(i int, header string, body []byte) {
		req := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/api/create-order?i=%d", i), bytes.NewReader(body))
		if clone {
			header = strings.Clone(header)
		}
		req.Header.Set("X-Big", header)
		req.Header.Set("Content-Type", "application/json")
		send(h, req)
	}
	return drive(n, workers, 0, list, sendOne)
}

// send serves req and drops the answer.
func send(h http.Handler, req *http.Request) {
	h.ServeHTTP(&discard{h: http.Header{}}, req)
}

// counter is a ResponseWriter that counts the body's bytes.
type counter struct {
	h http.Header
	n int
}

func (c *counter) Header() http.Header {
	if c.h == nil {
		c.h = http.Header{}
	}
	return c.h
}
func (c *counter) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }
func (c *counter) WriteHeader(int)             {}
