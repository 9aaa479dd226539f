package mocktest

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/server"
	"golang.org/x/crypto/bcrypt"
)

// Mock is one running mock as a test sees it: a whole in-process server
// (New) or a world on a running server (Connect). Its methods are safe
// for concurrent use.
type Mock struct {
	c  client
	id string
}

// Option tunes New and Connect.
type Option func(*options)

// options are what the Options set.
type options struct {
	scenario string
	ttl      time.Duration
	token    string
	http     *http.Client
}

// WithScenario seeds the mock from a scenario instead of the default: the
// name of one the server knows ("empty", "flaky", or a file of its
// scenarios directory), or a scenario's YAML or JSON text. A scenario with
// problems fails the test with them.
func WithScenario(nameOrText string) Option {
	return func(o *options) { o.scenario = nameOrText }
}

// WithTTL is how long a world made by Connect lives without a request
// before the server deletes it (default 30m, at most 24h): a test killed
// before its cleanup leaks nothing for longer. New ignores it.
func WithTTL(d time.Duration) Option {
	return func(o *options) { o.ttl = d }
}

// WithAdminToken sends "Authorization: Bearer <token>" on every control
// request, for a server started with --admin-token. With New, the
// in-process server requires the token too.
func WithAdminToken(token string) Option {
	return func(o *options) { o.token = token }
}

// WithHTTPClient makes control requests through hc instead of a client of
// the package's own.
func WithHTTPClient(hc *http.Client) Option {
	return func(o *options) { o.http = hc }
}

// collect applies opts over the defaults.
func collect(opts []Option) options {
	o := options{http: &http.Client{}}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// New starts the whole mock in-process on 127.0.0.1 with a free port, its
// state file and world files in t.TempDir(), and stops it when the test
// and its subtests end. A mock that cannot start fails the test.
func New(t testing.TB, opts ...Option) *Mock {
	t.Helper()
	o := collect(opts)
	dir := t.TempDir()
	srv, err := server.New(server.Config{
		Addr:       "127.0.0.1:0",
		DB:         filepath.Join(dir, "mock.db"),
		WorldsDir:  dir,
		AdminToken: o.token,
		// Passwords set at run time hash at bcrypt's lowest cost: no
		// answer depends on it, and a test suite pays for every hash.
		PasswordCost: bcrypt.MinCost,
	}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("mocktest: start the mock: %v", err)
	}
	// httptest serves it, as servertest does, rather than srv.Serve:
	// httptest's Close drops connections a client opened but never used
	// at once, where http.Server.Shutdown gives them 5 seconds, and a
	// test's cleanup should not wait for them.
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		// As a shutdown does: delays and journal waits end at once, so no
		// request the test left pending holds Close up. The worlds that
		// Connect made on this server are gone by now: their cleanups were
		// registered later, so they ran first.
		srv.Faults().Interrupt()
		srv.Journal().Interrupt()
		hs.Close()
		if err := srv.Close(); err != nil {
			t.Errorf("mocktest: stop the mock: %v", err)
		}
	})
	m := &Mock{c: client{http: o.http, base: hs.URL, token: o.token}}
	if o.scenario != "" {
		if err := m.LoadScenario(context.Background(), o.scenario); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// worldCreated is the answer of POST /__admin/worlds this package reads.
type worldCreated struct {
	ID     string `json:"id"`
	Prefix string `json:"prefix"`
}

// Connect attaches to the mock server at serverURL (its root, such as
// http://127.0.0.1:8080, not a world's URL) and creates a world for this
// test from WithScenario's scenario (default: the default scenario),
// deleted when the test and its subtests end. Tests that call t.Parallel
// can Connect to one server: each sees its world alone. A server that
// cannot be reached, or refuses the world, fails the test.
func Connect(t testing.TB, serverURL string, opts ...Option) *Mock {
	t.Helper()
	o := collect(opts)
	if _, err := url.Parse(serverURL); err != nil || !strings.HasPrefix(serverURL, "http") {
		t.Fatalf("mocktest: Connect needs the server's URL, like http://127.0.0.1:8080, got %q", serverURL)
	}
	root := client{http: o.http, base: strings.TrimRight(serverURL, "/"), token: o.token}
	req := map[string]string{}
	if o.scenario != "" {
		req["scenario"] = o.scenario
	}
	if o.ttl != 0 {
		req["ttl"] = o.ttl.String()
	}
	var w worldCreated
	if err := root.do(context.Background(), http.MethodPost, "/__admin/worlds", req, &w); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		err := root.do(context.Background(), http.MethodDelete, "/__admin/worlds/"+url.PathEscape(w.ID), nil, nil)
		var e *Error
		if err != nil && !(errors.As(err, &e) && e.Status == http.StatusNotFound) { // expired: already gone
			t.Errorf("mocktest: delete world %s: %v", w.ID, err)
		}
	})
	return &Mock{c: client{http: o.http, base: root.base + w.Prefix, token: o.token}, id: w.ID}
}

// URL is the mock's base URL: the server's for New, the server's with the
// world's prefix (http://host:port/w/<id>) for Connect. The vendor APIs are
// under it at /api, /v1 and /panel, the control API at /__admin.
func (m *Mock) URL() string { return m.c.base }

// AmapiURL is amapi's base URL: URL() + "/api".
func (m *Mock) AmapiURL() string { return m.c.base + "/api" }

// CarretaURL is carreta's base URL: URL() + "/v1". carreta's paths end in
// a slash (CarretaURL() + "/profile/").
func (m *Mock) CarretaURL() string { return m.c.base + "/v1" }

// SaplabURL is saplab's base URL: URL() + "/panel".
func (m *Mock) SaplabURL() string { return m.c.base + "/panel" }

// World is the id of the world Connect created; "" for New, whose mock is
// the server's root.
func (m *Mock) World() string { return m.id }

// Reset puts the state back to the scenario loaded, as it was seeded
// (POST /__admin/reset). Fault rules, the journal and the clock are kept.
func (m *Mock) Reset(ctx context.Context) error {
	return m.c.do(ctx, http.MethodPost, "/__admin/reset", nil, nil)
}

// scenarioName is what the server takes for a scenario's name rather than
// its text.
var scenarioName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// LoadScenario validates a scenario, then replaces the whole state with it
// (POST /__admin/scenario): nameOrText is a scenario's name, as
// WithScenario takes it, or its YAML or JSON text. A scenario with
// problems changes nothing and returns an *Error listing them.
func (m *Mock) LoadScenario(ctx context.Context, nameOrText string) error {
	if scenarioName.MatchString(nameOrText) {
		return m.c.do(ctx, http.MethodPost, "/__admin/scenario?name="+url.QueryEscape(nameOrText), nil, nil)
	}
	return m.c.do(ctx, http.MethodPost, "/__admin/scenario", []byte(nameOrText), nil)
}
