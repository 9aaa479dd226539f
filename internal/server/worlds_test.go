package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/server"
	"github.com/mockserver/mockserver/internal/servertest"
	"github.com/mockserver/mockserver/internal/state"
)

// created is the answer of POST /__admin/worlds.
type created struct {
	ID, Prefix, URL, Scenario string
	ListenURL                 string `json:"listen_url"`
	Created, Expires          time.Time
}

// newWorld creates a world with body (empty: every default) and fails the
// test unless it gets 201.
func newWorld(t *testing.T, m *servertest.Mock, body string, headers ...string) created {
	t.Helper()
	r := m.Do(t, http.MethodPost, "/__admin/worlds", strings.NewReader(body), headers...)
	if r.Status != http.StatusCreated {
		t.Fatalf("POST /__admin/worlds %s: %d %s", body, r.Status, r.Body)
	}
	var w created
	if err := json.Unmarshal(r.Body, &w); err != nil {
		t.Fatal(err)
	}
	return w
}

// worldsDir starts a mock whose worlds live in a directory the test can
// look into.
func worldsDir(t *testing.T, cfg server.Config) (*servertest.Mock, string) {
	t.Helper()
	cfg.WorldsDir = t.TempDir()
	return servertest.Start(t, servertest.Options{Config: cfg}), cfg.WorldsDir
}

// worldFiles lists the world files of the mock's process under dir: the
// live worlds' and, after a creation, the spare's being made for the next.
func worldFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "mockserver-worlds-*", "*.db"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// hasFile reports whether world id has its file under dir.
func hasFile(t *testing.T, dir, id string) bool {
	t.Helper()
	for _, f := range worldFiles(t, dir) {
		if filepath.Base(f) == id+".db" {
			return true
		}
	}
	return false
}

var worldID = regexp.MustCompile(`^[a-z2-7]{16}$`)

func TestWorlds_createListDelete(t *testing.T) {
	t.Parallel()
	m, dir := worldsDir(t, server.Config{})
	w := newWorld(t, m, "")
	if !worldID.MatchString(w.ID) || w.Prefix != "/w/"+w.ID || w.URL != m.URL+w.Prefix || w.Scenario != "default" || w.ListenURL != "" {
		t.Fatalf("created %+v", w)
	}
	if got := w.Expires.Sub(w.Created); got != 30*time.Minute {
		t.Fatalf("expires %s after creation, want the default ttl 30m", got)
	}
	if !hasFile(t, dir, w.ID) {
		t.Fatalf("no file for %s: %v", w.ID, worldFiles(t, dir))
	}
	other := newWorld(t, m, `{"scenario": "empty", "ttl": "1h"}`)
	if other.ID == w.ID || other.Scenario != "empty" || other.Expires.Sub(other.Created) != time.Hour {
		t.Fatalf("second world %+v", other)
	}
	m.Do(t, http.MethodGet, w.Prefix+"/api/test", nil)

	r := m.Do(t, http.MethodGet, "/__admin/worlds", nil)
	var list struct {
		Worlds []struct {
			ID       string
			URL      string
			Requests int64
		}
	}
	if err := json.Unmarshal(r.Body, &list); err != nil || len(list.Worlds) != 2 {
		t.Fatalf("list: %d %s", r.Status, r.Body)
	}
	if l := list.Worlds[0]; l.ID != w.ID || l.URL != w.URL || l.Requests != 1 || list.Worlds[1].Requests != 0 {
		t.Fatalf("list, oldest first, with the requests each answered: %s", r.Body)
	}

	if r := m.Do(t, http.MethodDelete, "/__admin/worlds/"+w.ID, nil); r.Status != http.StatusNoContent || len(r.Body) != 0 {
		t.Fatalf("DELETE: %d %s", r.Status, r.Body)
	}
	if hasFile(t, dir, w.ID) || !hasFile(t, dir, other.ID) {
		t.Fatalf("after DELETE, world files %v", worldFiles(t, dir))
	}
	want := `{"error":"no such world: ` + w.ID + `"}` + "\n"
	for _, p := range []string{"/api/test", "/v1/profile/?api_key=demo-key", "/panel/client", "/__admin/health", ""} {
		if r := m.Do(t, http.MethodGet, w.Prefix+p, nil); r.Status != http.StatusNotFound || string(r.Body) != want {
			t.Errorf("%s%s after DELETE: %d %s, want 404 %s", w.Prefix, p, r.Status, r.Body, want)
		}
	}
	if r := m.Do(t, http.MethodDelete, "/__admin/worlds/"+w.ID, nil); r.Status != http.StatusNotFound || string(r.Body) != want {
		t.Errorf("DELETE twice: %d %s", r.Status, r.Body)
	}
	if r := m.Do(t, http.MethodGet, "/w/nope/api/test", nil); r.Status != http.StatusNotFound || string(r.Body) != `{"error":"no such world: nope"}`+"\n" {
		t.Errorf("an unknown world: %d %s", r.Status, r.Body)
	}
}

// A world made ahead (the spare of the scenario last created) is only
// handed out for that scenario, and as new as a world made on demand.
func TestWorlds_aSpareIsOnlyForItsScenario(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{})
	orders := func(prefix string) string {
		return string(m.Do(t, "GET", prefix+"/__admin/state/carreta/orders", nil).Body)
	}
	first := newWorld(t, m, "")
	m.Do(t, "POST", first.Prefix+"/v1/order/?api_key=demo-key", strings.NewReader(`{}`))
	for _, c := range []struct{ body, scenario string }{{`{"scenario": "empty"}`, "empty"}, {"", "default"}, {"", "default"}, {`{"scenario": "empty"}`, "empty"}} {
		w := newWorld(t, m, c.body)
		r := m.Do(t, "GET", w.Prefix+"/__admin/scenario", nil)
		if w.Scenario != c.scenario || !strings.Contains(string(r.Body), `"name":"`+c.scenario+`"`) {
			t.Fatalf("asked for %s, got %+v %s", c.scenario, w, r.Body)
		}
		if want := map[string]string{"empty": "[]\n", "default": orders("")}[c.scenario]; orders(w.Prefix) != want {
			t.Errorf("a new %s world's carreta orders: %s, want %s", c.scenario, orders(w.Prefix), want)
		}
		if r := m.Do(t, "GET", w.Prefix+"/__admin/requests/count", nil); string(r.Body) != `{"count":0}`+"\n" {
			t.Errorf("a new world's journal: %s", r.Body)
		}
	}
}

// With --replica-id, world ids start with it, so an ingress can route
// /w/<id> to the replica that made the world (docs/deploy.md).
func TestWorlds_idsCarryTheReplica(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{Config: server.Config{ReplicaID: "mock-1"}})
	w := newWorld(t, m, "")
	if !strings.HasPrefix(w.ID, "mock-1-") || !worldID.MatchString(strings.TrimPrefix(w.ID, "mock-1-")) {
		t.Fatalf("id %q", w.ID)
	}
	if r := m.Do(t, "GET", w.Prefix+"/api/test", nil); r.Status != http.StatusOK {
		t.Fatalf("%s: %d", w.Prefix, r.Status)
	}
}

// A world's vendor APIs answer with the root's bytes: same status, body and
// content type, for answers and errors alike.
func TestWorlds_sameBytesAsTheRoot(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{})
	w := newWorld(t, m, "")
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/v1/search/?q=oc47&api_key=demo-key", ""},
		{"GET", "/v1/profile/?api_key=nope", ""},
		{"GET", "/v1/order/?api_key=demo-key", ""},
		{"POST", "/v1/order/?api_key=demo-key", "{"},
		{"GET", "/panel/client/filter/per_page/3", ""},
		{"GET", "/panel/no/such/thing", ""},
		{"GET", "/api/test", ""},
		{"POST", "/api/login", `{"email": "demo@example.com", "password": "wrong"}`},
		{"DELETE", "/api/test", ""},
		{"GET", "/__admin/scenario", ""},
		{"GET", "/__admin/state/carreta/orders/1", ""},
	} {
		headers := []string{"Authorization", "Basic Nzk5OTAwMDAwMDA6ZGVtbw==", "Content-Type", "application/json"}
		root := m.Do(t, c.method, c.path, strings.NewReader(c.body), headers...)
		world := m.Do(t, c.method, w.Prefix+c.path, strings.NewReader(c.body), headers...)
		if root.Status != world.Status || string(root.Body) != string(world.Body) || root.Header.Get("Content-Type") != world.Header.Get("Content-Type") {
			t.Errorf("%s %s: root %d %s, world %d %s", c.method, c.path, root.Status, root.Body, world.Status, world.Body)
		}
	}
}

// What a test does in one world (a write, a fault, a clock move, a reset)
// changes nothing in another world, nor in the root.
func TestWorlds_isolation(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{})
	a, b := newWorld(t, m, ""), newWorld(t, m, "")
	orders := func(prefix string) int {
		var rows []json.RawMessage
		_ = json.Unmarshal(m.Do(t, "GET", prefix+"/__admin/state/carreta/orders", nil).Body, &rows)
		return len(rows)
	}
	order := func(prefix string) {
		body, _ := os.ReadFile("../../bench/carreta-order.json")
		if r := m.Do(t, "POST", prefix+"/v1/order/?api_key=demo-key", strings.NewReader(string(body)), "Content-Type", "application/json"); r.Status != http.StatusCreated {
			t.Fatalf("order in %q: %d %s", prefix, r.Status, r.Body)
		}
	}
	seeded := orders("")
	order(b.Prefix) // b's own write, which a's reset must leave alone

	order(a.Prefix)
	arm := `{"id": "down", "api": "carreta", "path": "/v1/profile/", "action": {"status": 503}}`
	if r := m.Do(t, "POST", a.Prefix+"/__admin/faults", strings.NewReader(arm)); r.Status != http.StatusCreated {
		t.Fatalf("arming in a: %d %s", r.Status, r.Body)
	}
	if r := m.Do(t, "POST", a.Prefix+"/__admin/clock", strings.NewReader(`{"set": "2017-01-15 22:02:43", "freeze": true}`)); r.Status != http.StatusOK {
		t.Fatalf("clock in a: %d %s", r.Status, r.Body)
	}
	if r := m.Do(t, "GET", a.Prefix+"/v1/profile/?api_key=demo-key", nil); r.Status != http.StatusServiceUnavailable {
		t.Fatalf("a's fault did not hit a: %d", r.Status)
	}
	if got := orders(a.Prefix); got != seeded+1 {
		t.Fatalf("a has %d orders, want %d", got, seeded+1)
	}

	untouched(t, m, b.Prefix, seeded+1, orders)
	untouched(t, m, "", seeded, orders)

	if r := m.Do(t, "POST", a.Prefix+"/__admin/reset", nil); r.Status != http.StatusOK {
		t.Fatalf("reset a: %d %s", r.Status, r.Body)
	}
	if got := orders(a.Prefix); got != seeded {
		t.Errorf("a has %d orders after its reset, want %d", got, seeded)
	}
	if got := orders(b.Prefix); got != seeded+1 {
		t.Errorf("a's reset reset b: %d orders, want %d", got, seeded+1)
	}
	if r := m.Do(t, "GET", "/__admin/requests/count?api=carreta", nil); string(r.Body) != `{"count":1}`+"\n" {
		t.Errorf("the root's journal: %s, want its own one carreta request", r.Body)
	}
}

// untouched checks that world p (the root for "") kept wantOrders carreta
// orders, has no fault armed and its clock running at real time, and
// journaled none of another world's requests.
func untouched(t *testing.T, m *servertest.Mock, p string, wantOrders int, orders func(string) int) {
	t.Helper()
	if got := orders(p); got != wantOrders {
		t.Errorf("%q has %d carreta orders after a's write, want %d", p, got, wantOrders)
	}
	if r := m.Do(t, "GET", p+"/v1/profile/?api_key=demo-key", nil); r.Status != http.StatusOK {
		t.Errorf("a's fault hit %q: %d", p, r.Status)
	}
	if r := m.Do(t, "GET", p+"/__admin/faults", nil); string(r.Body) != `{"faults":[]}`+"\n" {
		t.Errorf("%q's faults: %s", p, r.Body)
	}
	if r := m.Do(t, "GET", p+"/__admin/clock", nil); strings.Contains(string(r.Body), "2017") || strings.Contains(string(r.Body), `"frozen":true`) {
		t.Errorf("a's clock move moved %q's: %s", p, r.Body)
	}
	if r := m.Do(t, "GET", p+"/__admin/requests/count?fault=down", nil); string(r.Body) != `{"count":0}`+"\n" {
		t.Errorf("%q's journal holds a's request: %s", p, r.Body)
	}
}

// carreta's APPEND_SLASH redirect keeps the client in its world.
func TestWorlds_carretaRedirectKeepsThePrefix(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{})
	w := newWorld(t, m, "")
	r := m.Do(t, "GET", w.Prefix+"/v1/search?q=oc47&api_key=demo-key", nil)
	if want := w.Prefix + "/v1/search/?q=oc47&api_key=demo-key"; r.Status != http.StatusMovedPermanently || r.Header.Get("Location") != want {
		t.Fatalf("%d Location %q, want 301 %q", r.Status, r.Header.Get("Location"), want)
	}
	if r := m.Do(t, "GET", "/v1/search?q=oc47&api_key=demo-key", nil); r.Header.Get("Location") != "/v1/search/?q=oc47&api_key=demo-key" {
		t.Fatalf("the root's redirect: %q", r.Header.Get("Location"))
	}
}

// A world unused for its ttl goes: its prefix answers 404, it leaves the
// list and its file is removed. Every request puts the end off. The
// expiry clock is the test's, moved instead of waited for.
func TestWorlds_expireAfterTheirTTLUnused(t *testing.T) {
	t.Parallel()
	clk := clock.New(nil)
	clk.Freeze(true)
	m, dir := worldsDir(t, server.Config{ExpiryClock: clk})
	w := newWorld(t, m, `{"ttl": "10m"}`)
	keep := newWorld(t, m, `{"ttl": "1h"}`)
	for range 3 {
		if err := clk.Advance(9 * time.Minute); err != nil {
			t.Fatal(err)
		}
		if r := m.Do(t, "GET", w.Prefix+"/api/test", nil); r.Status != http.StatusOK {
			t.Fatalf("a world used within its ttl: %d %s", r.Status, r.Body)
		}
	}
	if err := clk.Advance(10 * time.Minute); err != nil {
		t.Fatal(err)
	}
	if r := m.Do(t, "GET", w.Prefix+"/api/test", nil); r.Status != http.StatusNotFound || !strings.Contains(string(r.Body), "no such world") {
		t.Fatalf("an expired world: %d %s", r.Status, r.Body)
	}
	r := m.Do(t, "GET", "/__admin/worlds", nil)
	if strings.Contains(string(r.Body), w.ID) || !strings.Contains(string(r.Body), keep.ID) {
		t.Fatalf("list after expiry: %s", r.Body)
	}
	if hasFile(t, dir, w.ID) || !hasFile(t, dir, keep.ID) {
		t.Fatalf("world files after expiry: %v", worldFiles(t, dir))
	}
}

// At --max-worlds a new world is a 429 saying so; deleting one makes room.
func TestWorlds_limit(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{Config: server.Config{MaxWorlds: 2}})
	first := newWorld(t, m, "")
	newWorld(t, m, "")
	r := m.Do(t, "POST", "/__admin/worlds", nil)
	want := `{"error":"world limit reached: the server holds 2 worlds, its limit (--max-worlds 2); delete one (DELETE /__admin/worlds/{id}) or let one expire"}` + "\n"
	if r.Status != http.StatusTooManyRequests || string(r.Body) != want {
		t.Fatalf("past the limit: %d %s, want 429 %s", r.Status, r.Body, want)
	}
	m.Do(t, "DELETE", "/__admin/worlds/"+first.ID, nil)
	newWorld(t, m, "")
}

// A request to create a world that cannot be read is a 400 and creates
// nothing; a bad scenario gets the problems POST /__admin/scenario gives.
func TestWorlds_badRequests(t *testing.T) {
	t.Parallel()
	m, dir := worldsDir(t, server.Config{})
	const bad = "name: x\nseed: 1\namapi:\n  users: [{name: a}]\nbogus: 1\n"
	loaded := m.Do(t, "POST", "/__admin/scenario", strings.NewReader(bad))
	body, _ := json.Marshal(map[string]string{"scenario": bad})
	r := m.Do(t, "POST", "/__admin/worlds", strings.NewReader(string(body)))
	var got, want struct {
		Error    string
		Problems []string
	}
	_ = json.Unmarshal(r.Body, &got)
	_ = json.Unmarshal(loaded.Body, &want)
	if r.Status != http.StatusBadRequest || got.Error != "the scenario has problems; no world was created" ||
		len(got.Problems) < 2 || strings.Join(got.Problems, "|") != strings.Join(want.Problems, "|") {
		t.Fatalf("a bad scenario: %d %s, want the problems of POST /__admin/scenario %s", r.Status, r.Body, loaded.Body)
	}
	for body, msg := range map[string]string{
		`{"ttl": "25h"}`:              `ttl must be a duration from 1s to 24h, like 30m, got \"25h\"`,
		`{"ttl": "0s"}`:               `ttl must be a duration`,
		`{"ttl": "soon"}`:             `ttl must be a duration`,
		`{"tll": "1h"}`:               `json: unknown field \"tll\"`,
		`{"listen": "yes"}`:           `send {\"scenario\"`,
		`[]`:                          `send {\"scenario\"`,
		`{"scenario": "no-such"}`:     `no scenario named \"no-such\"`,
		`{"scenario": "name: [x"}`:    `the scenario has problems`,
		`{"ttl": "1h"} {"ttl": "2h"}`: `unexpected data after the JSON value`,
	} {
		if r := m.Do(t, "POST", "/__admin/worlds", strings.NewReader(body)); r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), msg) {
			t.Errorf("%s: %d %s, want 400 saying %s", body, r.Status, r.Body, msg)
		}
	}
	if r := m.Do(t, "GET", "/__admin/worlds", nil); string(r.Body) != `{"worlds":[]}`+"\n" {
		t.Errorf("bad requests created worlds: %s", r.Body)
	}
	if files := worldFiles(t, dir); len(files) != 0 {
		t.Errorf("bad requests left files: %v", files)
	}
}

// A world's control API is that world's, every §8 route but the worlds
// themselves, which only the root manages; its wrong methods are 405s.
func TestWorlds_aWorldsControlAPI(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{})
	w := newWorld(t, m, "")
	if r := m.Do(t, "GET", w.Prefix+"/__admin/worlds", nil); r.Status != http.StatusNotFound {
		t.Errorf("a world's /__admin/worlds: %d %s", r.Status, r.Body)
	}
	if r := m.Do(t, "PUT", w.Prefix+"/__admin/reset", nil); r.Status != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "POST" {
		t.Errorf("PUT a world's reset: %d %q %s", r.Status, r.Header.Get("Allow"), r.Body)
	}
	if r := m.Do(t, "GET", w.Prefix+"/__admin/requests?fualt=x", nil); r.Status != http.StatusBadRequest {
		t.Errorf("a world's journal filter: %d %s", r.Status, r.Body)
	}
	if r := m.Do(t, "POST", w.Prefix+"/__admin/scenario?name=empty", nil); r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"name":"empty"`) {
		t.Errorf("loading a scenario into a world: %d %s", r.Status, r.Body)
	}
	if r := m.Do(t, "GET", "/__admin/scenario", nil); !strings.Contains(string(r.Body), `"name":"default"`) {
		t.Errorf("a world's scenario load changed the root's: %s", r.Body)
	}
}

// With --admin-token, creating, listing and deleting worlds and every
// world's control API need it, but health; vendor paths never do.
func TestWorlds_adminToken(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{Config: server.Config{AdminToken: "s3cret"}})
	auth := []string{"Authorization", "bearer s3cret"}
	for _, c := range []struct{ method, path string }{{"POST", "/__admin/worlds"}, {"GET", "/__admin/worlds"}, {"DELETE", "/__admin/worlds/x"}} {
		if r := m.Do(t, c.method, c.path, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("%s %s without the token: %d", c.method, c.path, r.Status)
		}
	}
	w := newWorld(t, m, "", auth...)
	for _, c := range []struct {
		method, path string
		auth         []string
		want         int
	}{
		{"GET", "/__admin/health", nil, http.StatusOK},
		{"HEAD", "/__admin/health", nil, http.StatusOK},
		{"GET", "/__admin/requests", nil, http.StatusUnauthorized},
		{"POST", "/__admin/reset", nil, http.StatusUnauthorized},
		{"GET", "/__admin/requests", auth, http.StatusOK},
		{"GET", "/v1/profile/?api_key=demo-key", nil, http.StatusOK},
		{"GET", "/api/test", nil, http.StatusOK},
	} {
		if r := m.Do(t, c.method, w.Prefix+c.path, nil, c.auth...); r.Status != c.want {
			t.Errorf("%s %s%s (auth %v): %d, want %d", c.method, w.Prefix, c.path, c.auth, r.Status, c.want)
		}
	}
	if r := m.Do(t, "GET", "/__admin/worlds", nil, auth...); r.Status != http.StatusOK {
		t.Errorf("list with the token: %d", r.Status)
	}
	if r := m.Do(t, "DELETE", "/__admin/worlds/"+w.ID, nil, auth...); r.Status != http.StatusNoContent {
		t.Errorf("delete with the token: %d", r.Status)
	}
}

// With "listen": true the world also answers on a port of its own,
// unprefixed, for clients whose base URL is a host only; the port closes
// when the world goes.
func TestWorlds_ownListener(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{})
	w := newWorld(t, m, `{"listen": true}`)
	host, port, err := net.SplitHostPort(strings.TrimPrefix(w.ListenURL, "http://"))
	if err != nil || host != "127.0.0.1" || port == "0" {
		t.Fatalf("listen_url %q", w.ListenURL)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(url string) (*http.Response, string) {
		t.Helper()
		resp, err := client.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, body := get(w.ListenURL + "/v1/profile/?api_key=demo-key")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"balance"`) {
		t.Fatalf("own listener: %d %s", resp.StatusCode, body)
	}
	if resp, _ := get(w.ListenURL + "/v1/profile?api_key=demo-key"); resp.Header.Get("Location") != "/v1/profile/?api_key=demo-key" {
		t.Errorf("the redirect on the own listener: %q", resp.Header.Get("Location"))
	}
	m.Do(t, "GET", w.Prefix+"/v1/profile/?api_key=demo-key", nil)
	if _, body := get(w.ListenURL + "/__admin/requests/count?api=carreta"); body != `{"count":3}`+"\n" {
		t.Errorf("one journal for both ways in: %s", body)
	}
	if r := m.Do(t, "GET", "/__admin/requests/count", nil); string(r.Body) != `{"count":0}`+"\n" {
		t.Errorf("the root journaled the world's requests: %s", r.Body)
	}
	m.Do(t, "DELETE", "/__admin/worlds/"+w.ID, nil)
	if _, err := client.Get(w.ListenURL + "/api/test"); err == nil {
		t.Errorf("the own listener still answers after the world went")
	}
}

// Deleting a world with requests in flight: the request held in a fault
// delay is let go and answered, requests racing the deletion are answered
// or get the 404 of a gone world, and none ever gets a 5xx from a closed
// state file. The test holds the delay itself (fault.Injector.SetTimer):
// no sleep.
func TestWorlds_deleteWithRequestsInFlight(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{})
	w := newWorld(t, m, "")
	reached := make(chan struct{}, 16)
	m.Srv.WorldByID(w.ID).Faults().SetTimer(func(time.Duration) <-chan time.Time {
		reached <- struct{}{}
		return make(chan time.Time) // never ends: only the deletion lets it go
	})
	arm := `{"id": "slow", "api": "carreta", "path": "/v1/profile/", "when": {"nth": 1}, "action": {"delay": "10m"}}`
	if r := m.Do(t, "POST", w.Prefix+"/__admin/faults", strings.NewReader(arm)); r.Status != http.StatusCreated {
		t.Fatalf("arming: %d %s", r.Status, r.Body)
	}
	held := make(chan servertest.Response, 1)
	go func() {
		r, _ := m.Send("GET", w.Prefix+"/v1/profile/?api_key=demo-key", nil)
		held <- r
	}()
	<-reached

	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var mu sync.Mutex
	var bad []string
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				r, err := m.Send("POST", w.Prefix+"/api/create-order", strings.NewReader(`{}`), "Authorization", "Bearer 1|DemoTokenDemoTokenDemoTokenDemoTokenDemo")
				if err != nil || (r.Status != http.StatusBadRequest && r.Status != http.StatusNotFound) {
					mu.Lock()
					bad = append(bad, fmt.Sprint(err, r.Status, string(r.Body)))
					mu.Unlock()
				}
				if r.Status == http.StatusNotFound {
					return // the world is gone, as this client now knows
				}
			}
		}()
	}
	if r := m.Do(t, "DELETE", "/__admin/worlds/"+w.ID, nil); r.Status != http.StatusNoContent {
		t.Fatalf("DELETE: %d %s", r.Status, r.Body)
	}
	wg.Wait()
	stop()
	if r := <-held; r.Status != http.StatusOK {
		t.Errorf("the request held in its delay: %d %s, want its answer", r.Status, r.Body)
	}
	if len(bad) > 0 {
		t.Errorf("requests racing the deletion got %d unclean answers, the first: %s", len(bad), bad[0])
	}
}

// A shutdown removes every world and the worlds directory; a restarted
// server has none.
func TestWorlds_goAtShutdown(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := server.Config{DB: filepath.Join(dir, "root.db"), WorldsDir: filepath.Join(dir, "worlds")}
	srv, stop := servertest.Serve(t, cfg)
	resp, err := http.Post("http://"+srv.Addr()+"/__admin/worlds", "application/json", strings.NewReader(`{"listen": true}`))
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %v %v", err, resp)
	}
	resp.Body.Close()
	if m, _ := filepath.Glob(filepath.Join(cfg.WorldsDir, "*", "*.db")); len(m) == 0 {
		t.Fatalf("no world file in %s", cfg.WorldsDir)
	}
	if err := stop(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if entries, err := os.ReadDir(cfg.WorldsDir); err != nil || len(entries) != 0 {
		t.Fatalf("after shutdown the worlds directory holds %v (%v)", entries, err)
	}
}

// The worlds of a server that died without shutting down (kill -9) are
// removed by the next server to use the worlds directory; those of a
// server still running are not.
func TestWorlds_aDeadServersWorldsGo(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	dead := filepath.Join(base, "mockserver-worlds-dead")
	if err := os.Mkdir(dead, 0o700); err != nil {
		t.Fatal(err)
	}
	release, err := state.Claim(dead)
	if err != nil {
		t.Fatal(err)
	}
	_ = release() // the claim dies with its process
	if err := os.WriteFile(filepath.Join(dead, "k3v6s2q7m4xz5abc.db"), []byte("left behind"), 0o600); err != nil {
		t.Fatal(err)
	}
	alive := servertest.Start(t, servertest.Options{Config: server.Config{WorldsDir: base}})
	kept := newWorld(t, alive, "")

	m := servertest.Start(t, servertest.Options{Config: server.Config{WorldsDir: base}})
	newWorld(t, m, "")
	if _, err := os.Stat(dead); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the dead server's worlds are still there: %v", err)
	}
	if !hasFile(t, base, kept.ID) {
		t.Errorf("the running server's world was removed")
	}
	if r := alive.Do(t, "GET", kept.Prefix+"/api/test", nil); r.Status != http.StatusOK {
		t.Errorf("the running server's world: %d %s", r.Status, r.Body)
	}
}
