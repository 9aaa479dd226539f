// Package servertest starts the whole mock in-process for black-box tests,
// in the shape of net/http/httptest: Start, then URL and Close. Every API's
// tests go through the same echo instance, middleware and state file a user
// gets, on a temporary bbolt file.
package servertest

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mockserver/mockserver/internal/contract"
	"github.com/mockserver/mockserver/internal/scenario"
	"github.com/mockserver/mockserver/internal/server"
	"github.com/mockserver/mockserver/internal/servertest/quiet"
	"golang.org/x/crypto/bcrypt"
)

// Update rewrites golden files instead of comparing: go test ./... -update
var Update = flag.Bool("update", false, "rewrite golden files under testdata/golden")

// Mock is a running in-process mock server.
type Mock struct {
	*httptest.Server
	Srv *server.Server
}

// Options tune Start. The zero value serves the embedded default scenario.
type Options struct {
	// Scenario is the YAML of the scenario to seed from; empty means the
	// embedded default. A value without a newline names an embedded
	// scenario ("empty", "flaky").
	Scenario string
	// Config overrides server settings (DB and Scenario are filled in).
	Config server.Config
}

// Start seeds a fresh state file in t.TempDir() and serves it until the test
// ends. Every answer of a vendor API is checked against its OpenAPI document
// unless opts.Config.CheckAnswers says what to do instead. A test's state
// file is a copy of the one the first mock of the same scenario seeded in
// this process, when that is the same state (seeded.go).
func Start(t testing.TB, opts Options) *Mock {
	t.Helper()
	dir := t.TempDir()
	cfg := opts.Config
	if cfg.DB == "" {
		cfg.DB = filepath.Join(dir, "state.db")
	}
	if cfg.PasswordCost == 0 {
		// Hashing at the vendors' cost was most of the suite's time; no
		// answer depends on the cost.
		cfg.PasswordCost = bcrypt.MinCost
	}
	var src []byte
	switch {
	case opts.Scenario == "":
	case !strings.Contains(opts.Scenario, "\n"):
		var err error
		if src, err = scenario.Embedded(opts.Scenario); err != nil {
			t.Fatalf("no embedded scenario %q", opts.Scenario)
		}
	default:
		src = []byte(opts.Scenario)
	}
	scratch(t, &cfg)
	_, bench := t.(*testing.B)
	if !bench && cfg.CheckAnswers == nil {
		// Every answer a test gets must conform to its API's OpenAPI
		// document (docs/openapi, SPEC §13); one that does not fails the
		// test. Benchmarks are left out: they measure the mock's own speed,
		// and the tests check the same answers.
		cfg.CheckAnswers = func(r contract.Report) { t.Error(r) }
	}
	var srv *server.Server
	if key, ok := seedKeyOf(opts, cfg.PasswordCost, bench); ok {
		srv = startSeeded(t, key, src, cfg)
	} else {
		if src != nil {
			cfg.Scenario = writeFile(t, dir, src)
		}
		srv = mustNew(t, cfg)
	}
	hs, q := quiet.NewServer(srv.Handler())
	m := &Mock{Server: hs, Srv: srv}
	t.Cleanup(func() {
		// As a shutdown does (server.Serve): delays and journal waits end
		// at once, so no request a test left pending holds Close up.
		srv.Faults().Interrupt()
		srv.Journal().Interrupt()
		q.Close(m.Server) // the requests done, not the connections (package quiet)
		_ = srv.Close()
	})
	return m
}

// scratch has a test's state file opened without fsync
// (server.Config.ScratchDB): the file dies with the test, and every commit
// paid an fdatasync, some 0.2 s of a vendor package's run. A restart in the
// same test still finds every commit (the page cache holds them, even
// past a kill -9 of the process); only a crash of the machine would lose
// them. The kill -9 tests (cmd/mockserver) run the real binary, not
// servertest. Benchmarks keep the fsync: they measure the mock as a user
// runs it.
func scratch(t testing.TB, cfg *server.Config) {
	if _, bench := t.(*testing.B); !bench {
		cfg.ScratchDB = true
	}
}

// writeFile writes a scenario's source into dir for Config.Scenario.
func writeFile(t testing.TB, dir string, src []byte) string {
	path := filepath.Join(dir, "scenario.yaml")
	if err := os.WriteFile(path, src, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Response is what Do got back.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends a request and reads the whole response, failing the test on a
// transport error. headers are name, value pairs. Redirects are not
// followed, so a test sees the 301 itself. Do calls t.Fatal, so it must run
// on the test's goroutine: a request sent from another goroutine uses Send.
func (m *Mock) Do(t testing.TB, method, path string, body io.Reader, headers ...string) Response {
	t.Helper()
	r, err := m.Send(method, path, body, headers...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Send is Do for any goroutine: it returns the error instead of failing
// the test.
func (m *Mock) Send(method, path string, body io.Reader, headers ...string) (Response, error) {
	req, err := http.NewRequestWithContext(context.Background(), method, m.URL+path, body)
	if err != nil {
		return Response{}, err
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return Response{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return Response{}, fmt.Errorf("%s %s: reading the body: %w", method, path, err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: data}, nil
}

// Golden compares got with testdata/golden/<name>, or writes it with -update.
// Golden files pin exact wire bytes: key order, escaping, spacing.
func Golden(t testing.TB, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *Update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden %s: %v (run go test with -update to create it)", path, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("body differs from %s\ngot:  %s\nwant: %s", path, got, want)
	}
}

// Expect asserts the exact status and the exact body bytes of r: the
// vendor packages' tests call it as expect, with one meaning everywhere.
func Expect(t testing.TB, r Response, status int, body string) {
	t.Helper()
	if r.Status != status || string(r.Body) != body {
		t.Fatalf("got %d %s\nwant %d %s", r.Status, r.Body, status, body)
	}
}

// Serve runs the real server, listeners and Serve loop included, as
// mockserver serve does, for tests of what only a serving server does
// (shutdown, own listeners). It returns once the server listens; stop ends
// Serve as SIGTERM would and returns Serve's error. A test that does not
// call stop has it called when the test ends.
func Serve(t testing.TB, cfg server.Config) (srv *server.Server, stop func() error) {
	t.Helper()
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.DB == "" {
		cfg.DB = filepath.Join(t.TempDir(), "state.db")
	}
	scratch(t, &cfg)
	srv = mustNew(t, cfg)
	if err := srv.Listen(); err != nil {
		_ = srv.Close()
		t.Fatalf("listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx) }()
	var once sync.Once
	var serveErr error
	stop = func() error {
		once.Do(func() { cancel(); serveErr = <-served })
		return serveErr
	}
	t.Cleanup(func() { _ = stop() })
	return srv, stop
}

// PlaceCarretaOrder orders the first offer of a carreta search for oc47 as
// demo-key, one piece: a new order, which follows the default scenario's
// lifecycle (the clock and console tests watch it move).
func (m *Mock) PlaceCarretaOrder(t testing.TB) {
	t.Helper()
	var found struct{ Objects []map[string]json.RawMessage }
	r := m.Do(t, http.MethodGet, "/v1/search/?q=oc47&api_key=demo-key", nil)
	if err := json.Unmarshal(r.Body, &found); err != nil || len(found.Objects) == 0 {
		t.Fatalf("search: %v %s", err, r.Body)
	}
	found.Objects[0]["order_qty"] = json.RawMessage("1")
	body, _ := json.Marshal(found.Objects[0])
	if r := m.Do(t, http.MethodPost, "/v1/order/?api_key=demo-key", bytes.NewReader(body), "Content-Type", "application/json"); r.Status != http.StatusCreated {
		t.Fatalf("order: %d %s", r.Status, r.Body)
	}
}
