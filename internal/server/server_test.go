package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/journal"
	"github.com/mockserver/mockserver/internal/server"
	"github.com/mockserver/mockserver/internal/servertest"
)

// envelope decodes a JSON object body, failing the test on anything else
// (an HTML error page above all).
func envelope(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %q", body)
	}
	return m
}

// Each API's own error shape: the key its clients read the message from.
var shapes = []struct {
	api, path, key string
	extra          map[string]any
}{
	{"amapi", "/api/login", "message", nil},
	{"carreta", "/v1/order/", "error", nil},
	{"saplab", "/panel/client/form", "text", map[string]any{"status": "error"}},
}

func TestBodyOverLimit_is413InTheAPIsShape(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{Scenario: "empty"})
	big := bytes.Repeat([]byte("a"), 2<<20)
	// net/http holds each connection half a second after a 413 answered
	// before the body was read (rstAvoidanceDelay); the mock's Close at the
	// test's end does not wait for that (internal/servertest/quiet).
	for _, s := range shapes {
		t.Run(s.api, func(t *testing.T) {
			t.Parallel()
			r := m.Do(t, http.MethodPost, s.path, bytes.NewReader(big), "Content-Type", "application/json")
			if r.Status != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d, want 413: %s", r.Status, r.Body)
			}
			env := envelope(t, r.Body)
			if _, ok := env[s.key]; !ok {
				t.Fatalf("413 body %s lacks %q", r.Body, s.key)
			}
			for k, v := range s.extra {
				if env[k] != v {
					t.Fatalf("413 body %s: %s is %v, want %v", r.Body, k, env[k], v)
				}
			}
		})
	}
	// Chunked bodies have no Content-Length: the limit holds while reading.
	t.Run("chunked", func(t *testing.T) {
		t.Parallel()
		req, _ := http.NewRequest(http.MethodPost, m.URL+"/v1/order/", io.MultiReader(bytes.NewReader(big)))
		req.ContentLength = -1
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("chunked 2 MiB body: status %d", resp.StatusCode)
		}
	})
}

func TestUnknownRoute_isAJSONErrorInTheAPIsShape(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{Scenario: "empty"})
	for _, p := range []string{"/api/no-such-thing", "/v1/no-such-thing/", "/panel/no/such/thing", "/__admin/nothing", "/elsewhere"} {
		r := m.Do(t, http.MethodGet, p, nil)
		if r.Status != http.StatusNotFound {
			t.Errorf("%s: status %d", p, r.Status)
		}
		envelope(t, r.Body)
	}
}

// A 404 from a control-API handler keeps the handler's message; only a path
// no route serves is "no such route".
func TestAdmin_notFoundSaysWhatWasNotFound(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{Scenario: "empty"})
	cases := []struct {
		method, path, body, want string
	}{
		{http.MethodPost, "/__admin/carreta/orders/999/status", `{"status":3}`, `{"error":"no carreta order with this id"}`},
		{http.MethodGet, "/__admin/state/carreta/orders/999", "", `{"error":"no carreta/orders with id \"999\""}`},
		{http.MethodGet, "/__admin/faults/nope", "", `{"error":"no fault rule with id \"nope\" (GET /__admin/faults lists them)"}`},
		{http.MethodGet, "/__admin/nothing", "", `{"error":"no such route: GET /__admin/nothing"}`},
		{http.MethodPost, "/elsewhere", "", `{"error":"no such route: POST /elsewhere"}`},
	}
	for _, c := range cases {
		r := m.Do(t, c.method, c.path, strings.NewReader(c.body), "Content-Type", "application/json")
		if r.Status != http.StatusNotFound || string(r.Body) != c.want+"\n" {
			t.Errorf("%s %s: %d %s, want 404 %s", c.method, c.path, r.Status, r.Body, c.want)
		}
	}
}

func TestAdmin_scenarioLoadResetAndProblems(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{})
	name := func() string {
		r := m.Do(t, http.MethodGet, "/__admin/scenario", nil)
		return envelope(t, r.Body)["name"].(string)
	}
	if name() != "default" {
		t.Fatalf("started with %q", name())
	}
	bad := m.Do(t, http.MethodPost, "/__admin/scenario", strings.NewReader("name: x\ncarreta:\n  accounts: [{api_key: k}, {api_key: k}]\n"))
	if bad.Status != http.StatusBadRequest {
		t.Fatalf("bad scenario: status %d", bad.Status)
	}
	want := `{"error":"the scenario has problems; the state was not changed","problems":["(request body):3: duplicate api_key \"k\" (first at line 3)"]}` + "\n"
	if string(bad.Body) != want {
		t.Fatalf("bad scenario body:\n%s\nwant\n%s", bad.Body, want)
	}
	if name() != "default" {
		t.Fatal("a rejected scenario changed the state")
	}
	ok := m.Do(t, http.MethodPost, "/__admin/scenario", strings.NewReader(`{"name": "from-json", "seed": 5}`), "Content-Type", "application/json")
	if ok.Status != http.StatusOK || name() != "from-json" {
		t.Fatalf("JSON scenario: %d %s", ok.Status, ok.Body)
	}
	if r := m.Do(t, http.MethodPost, "/__admin/scenario?name=flaky", nil); r.Status != http.StatusOK || name() != "flaky" {
		t.Fatalf("?name=flaky: %d %s", r.Status, r.Body)
	}
	if r := m.Do(t, http.MethodPost, "/__admin/scenario?name=../etc/passwd", nil); r.Status != http.StatusBadRequest {
		t.Fatalf("a path as name: %d %s", r.Status, r.Body)
	}
	if r := m.Do(t, http.MethodPost, "/__admin/reset", nil); r.Status != http.StatusOK || name() != "flaky" {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
}

func TestJournal_recordsRedactedAndCounts(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{Scenario: "empty"})
	m.Do(t, http.MethodPost, "/api/login", strings.NewReader(`{"email":"a@b.c"}`), "Authorization", "Bearer 1|secret-token", "Content-Type", "application/json")
	m.Do(t, http.MethodGet, "/v1/profile/?api_key=k", nil)
	m.Do(t, http.MethodGet, "/__admin/health", nil) // not journaled

	r := m.Do(t, http.MethodGet, "/__admin/requests?api=amapi", nil)
	var list struct {
		Requests []struct {
			API, Method, Path, Body string
			Headers                 map[string][]string
		}
	}
	if err := json.Unmarshal(r.Body, &list); err != nil || len(list.Requests) != 1 {
		t.Fatalf("journal: %s", r.Body)
	}
	e := list.Requests[0]
	if e.Path != "/api/login" || e.Body != `{"email":"a@b.c"}` || e.Headers["Authorization"][0] != "Bearer [redacted]" {
		t.Fatalf("entry: %+v", e)
	}
	if strings.Contains(string(r.Body), "secret-token") {
		t.Fatal("the token leaked into the journal")
	}
	if c := m.Do(t, http.MethodGet, "/__admin/requests/count", nil); string(c.Body) != `{"count":2}`+"\n" {
		t.Fatalf("count: %s", c.Body)
	}
	if c := m.Do(t, http.MethodGet, "/__admin/requests/count?path=/v1/**", nil); string(c.Body) != `{"count":1}`+"\n" {
		t.Fatalf("count by glob: %s", c.Body)
	}
	if w := m.Do(t, http.MethodGet, "/__admin/requests/wait?api=carreta&count=2&timeout=50ms", nil); w.Status != http.StatusRequestTimeout || !strings.Contains(string(w.Body), `"count":1`) {
		t.Fatalf("wait past the count: %d %s", w.Status, w.Body)
	}
	m.Do(t, http.MethodDelete, "/__admin/requests", nil)
	if c := m.Do(t, http.MethodGet, "/__admin/requests/count", nil); string(c.Body) != `{"count":0}`+"\n" {
		t.Fatalf("after DELETE: %s", c.Body)
	}
}

// A control route asked with a method it does not serve answers 405 with
// Allow, as the vendor APIs do, not a 404 that says the route is missing:
// the control API's own routes and each vendor's under /__admin/<api>.
func TestAdmin_wrongMethodIs405WithAllow(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{Scenario: "empty"})
	for _, c := range []struct{ method, path, allow string }{
		{http.MethodPut, "/__admin/reset", "POST"},
		{http.MethodGet, "/__admin/reset", "POST"},
		{http.MethodDelete, "/__admin/clock", "GET, POST"},
		{http.MethodPost, "/__admin/requests/count", "GET"},
		{http.MethodPost, "/__admin/requests", "GET, DELETE"},
		{http.MethodPut, "/__admin/faults/some-id", "GET, DELETE"},
		{http.MethodPost, "/__admin/health", "GET, HEAD"},
		{http.MethodGet, "/__admin/carreta/orders/1/status", "POST"},
		{http.MethodGet, "/__admin/saplab/orders", "POST"},
		{http.MethodPatch, "/__admin/amapi/service", "GET, POST"},
		{"TRACE", "/__admin/scenario", "GET, POST"},
	} {
		r := m.Do(t, c.method, c.path, nil)
		want := `{"error":"` + c.method + " " + c.path + `: this route answers ` + c.allow + `"}` + "\n"
		if r.Status != http.StatusMethodNotAllowed || r.Header.Get("Allow") != c.allow || string(r.Body) != want {
			t.Errorf("%s %s: %d Allow %q %s, want 405 Allow %q %s", c.method, c.path, r.Status, r.Header.Get("Allow"), r.Body, c.allow, want)
		}
	}
	if r := m.Do(t, http.MethodGet, "/__admin/nothing", nil); r.Status != http.StatusNotFound {
		t.Errorf("an unknown control route: %d %s, want 404", r.Status, r.Body)
	}
}

// HEAD /__admin/health answers like GET without a body, for probes that
// use HEAD.
func TestAdmin_healthAnswersHEAD(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{Scenario: "empty"})
	r := m.Do(t, http.MethodHead, "/__admin/health", nil)
	if r.Status != http.StatusOK || len(r.Body) != 0 {
		t.Fatalf("HEAD /__admin/health: %d %q, want 200 and no body", r.Status, r.Body)
	}
	if r := m.Do(t, http.MethodGet, "/__admin/health", nil); r.Status != http.StatusOK || string(r.Body) != `{"status":"ok"}`+"\n" {
		t.Fatalf("GET /__admin/health: %d %s", r.Status, r.Body)
	}
}

// With --admin-token every control route needs the token but GET and HEAD
// /__admin/health, which probes use and which reveals nothing (SPEC §1).
// The scheme is matched in any case (RFC 9110 §11.1); vendor paths never
// need the token.
func TestAdmin_token(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{Scenario: "empty", Config: server.Config{AdminToken: "s3cret"}})
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		if r := m.Do(t, method, "/__admin/health", nil); r.Status != http.StatusOK {
			t.Fatalf("%s health without a token: %d", method, r.Status)
		}
	}
	const refused = `{"error":"the control API needs Authorization: Bearer \u003cadmin token\u003e"}` + "\n"
	for _, auth := range []string{"", "Bearer wrong", "Basic s3cret", "Bearers3cret", "s3cret"} {
		if r := m.Do(t, http.MethodGet, "/__admin/scenario", nil, "Authorization", auth); r.Status != http.StatusUnauthorized || string(r.Body) != refused {
			t.Errorf("%q: %d %s, want 401 %s", auth, r.Status, r.Body, refused)
		}
	}
	if r := m.Do(t, http.MethodPost, "/__admin/health", nil); r.Status != http.StatusUnauthorized {
		t.Errorf("POST health without a token: %d, want 401 before the 405", r.Status)
	}
	for _, auth := range []string{"Bearer s3cret", "bearer s3cret", "BEARER s3cret"} {
		if r := m.Do(t, http.MethodGet, "/__admin/scenario", nil, "Authorization", auth); r.Status != http.StatusOK {
			t.Errorf("%q: %d %s", auth, r.Status, r.Body)
		}
	}
	if r := m.Do(t, http.MethodGet, "/api/test", nil); r.Status != http.StatusOK {
		t.Errorf("a vendor path wanted the admin token: %d %s", r.Status, r.Body)
	}
}

func TestAdmin_clock(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{Scenario: "empty"})
	r := m.Do(t, http.MethodPost, "/__admin/clock", strings.NewReader(`{"set": "2017-01-15 22:02:43", "freeze": true}`))
	if r.Status != http.StatusOK || string(r.Body) != `{"now":"2017-01-15T22:02:43+03:00","frozen":true}`+"\n" {
		t.Fatalf("set: %d %s", r.Status, r.Body)
	}
	r = m.Do(t, http.MethodPost, "/__admin/clock", strings.NewReader(`{"advance": "2h"}`))
	if string(r.Body) != `{"now":"2017-01-16T00:02:43+03:00","frozen":true}`+"\n" {
		t.Fatalf("advance: %s", r.Body)
	}
	for _, bad := range []string{`{"advance": "soon"}`, `{"set": "yesterday"}`, `{"sett": "x"}`, `[`} {
		if r := m.Do(t, http.MethodPost, "/__admin/clock", strings.NewReader(bad)); r.Status != http.StatusBadRequest {
			t.Errorf("%s: status %d", bad, r.Status)
		}
	}
	// The body is decoded strictly: a second value is refused, not ignored.
	r = m.Do(t, http.MethodPost, "/__admin/clock", strings.NewReader(`{"advance": "1h"} {"reset": true}`))
	if want := `{"error":"send {\"set\": \"2026-01-02T15:04:05+03:00\"}, {\"advance\": \"2h\"}, {\"freeze\": true} or {\"reset\": true}: unexpected data after the JSON value"}` + "\n"; r.Status != http.StatusBadRequest || string(r.Body) != want {
		t.Errorf("two values: %d %s, want 400 %s", r.Status, r.Body, want)
	}
	// Any time of years 1..9999 is kept exactly (an offset from real time
	// once wrapped past 292 years); beyond, the request is refused whole.
	for _, c := range []struct{ set, want string }{
		{"9999-12-31 23:59:59", "9999-12-31T23:59:59+03:00"},
		{"0001-01-01 00:00:00", "0001-01-01T00:00:00+03:00"},
		{"1970-01-01T00:00:00Z", "1970-01-01T03:00:00+03:00"},
	} {
		r := m.Do(t, http.MethodPost, "/__admin/clock", strings.NewReader(`{"set": "`+c.set+`", "freeze": true}`))
		if want := `{"now":"` + c.want + `","frozen":true}` + "\n"; r.Status != http.StatusOK || string(r.Body) != want {
			t.Errorf("set %s: %d %s, want %s", c.set, r.Status, r.Body, want)
		}
	}
	// Running, the clock reads the time set plus what has passed since.
	r = m.Do(t, http.MethodPost, "/__admin/clock", strings.NewReader(`{"set": "9999-12-31 23:59:59", "freeze": false}`))
	if !strings.HasPrefix(string(r.Body), `{"now":"9999-12-31T23:59:59`) || !strings.HasSuffix(string(r.Body), `+03:00","frozen":false}`+"\n") {
		t.Errorf("set running to the last second of 9999: %d %s", r.Status, r.Body)
	}
	m.Do(t, http.MethodPost, "/__admin/clock", strings.NewReader(`{"set": "9999-12-31 22:00:00", "freeze": true}`))
	const refused = `{"error":"the clock can only show times from 0001-01-01 00:00:00 to 9999-12-31 23:59:59 Moscow time; the clock was not moved"}` + "\n"
	for _, bad := range []string{`{"advance": "2h"}`, `{"set": "0000-12-31 23:59:59"}`, `{"set": "0100-01-01T00:00:00Z", "advance": "-2562000h"}`, `{"set": "9999-01-01 00:00:00", "advance": "9000h"}`} {
		if r := m.Do(t, http.MethodPost, "/__admin/clock", strings.NewReader(bad)); r.Status != http.StatusBadRequest || string(r.Body) != refused {
			t.Errorf("%s: %d %s, want 400 %s", bad, r.Status, r.Body, refused)
		}
	}
	if r := m.Do(t, http.MethodGet, "/__admin/clock", nil); string(r.Body) != `{"now":"9999-12-31T22:00:00+03:00","frozen":true}`+"\n" {
		t.Fatalf("a refused move changed the clock: %s", r.Body)
	}
}

func TestAdmin_stateInspection(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{Scenario: "empty"})
	r := m.Do(t, http.MethodGet, "/__admin/state", nil)
	colls := map[string][]string{}
	if err := json.Unmarshal(r.Body, &colls); err != nil || len(colls) != 3 {
		t.Fatalf("collections: %s", r.Body)
	}
	for apiName, cs := range colls {
		for _, c := range cs {
			if r := m.Do(t, http.MethodGet, "/__admin/state/"+apiName+"/"+c, nil); r.Status != http.StatusOK || !bytes.HasPrefix(r.Body, []byte("[")) {
				t.Errorf("%s/%s: %d %s", apiName, c, r.Status, r.Body)
			}
		}
	}
	if r := m.Do(t, http.MethodGet, "/__admin/state/carreta/nothing", nil); r.Status != http.StatusNotFound {
		t.Fatalf("unknown collection: %d", r.Status)
	}
}

func TestPerAPIListener_servesOnlyThatAPI(t *testing.T) {
	t.Parallel()
	srv, _ := servertest.Serve(t, server.Config{CarretaAddr: "127.0.0.1:0"})
	addrs := srv.Addrs()
	if len(addrs) != 2 {
		t.Fatalf("addrs %v", addrs)
	}
	get := func(url string) (int, string) {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := get("http://" + addrs[1] + "/api/test")
	if code != http.StatusNotFound || !strings.HasPrefix(body, `{"error": `) {
		t.Fatalf("amapi path on the carreta listener: %d %s", code, body)
	}
	if code, _ := get("http://" + addrs[1] + "/__admin/health"); code != http.StatusOK {
		t.Fatalf("admin on the carreta listener: %d", code)
	}
	// The refused request is on record as the listener's API's, as every
	// other request is.
	entries := srv.Journal().List(journal.Filter{Path: "/api/test"})
	if len(entries) != 1 || entries[0].API != "carreta" || entries[0].Status != http.StatusNotFound {
		t.Fatalf("journal of the refused request: %+v", entries)
	}
}

// bcryptHash matches a bcrypt hash, whose salt is random by design: the one
// part of seeded state that is not reproducible.
var bcryptHash = regexp.MustCompile(`\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}`)

// The scenario seed makes all seeded and generated data byte-identical from
// run to run: two fresh state files seeded from the default scenario at the
// same clock reading hold the same rows in every collection. Rows the
// scenario gives no time (amapi users and tokens) are stamped with the
// seeding time, as a Laravel seeder stamps now(); a user who wants identical
// state freezes the clock and resets, which is what this test does, so that
// the two seedings cannot straddle a second boundary.
func TestSeed_isReproducible(t *testing.T) {
	t.Parallel()
	dump := func(at string) map[string]string {
		m := servertest.Start(t, servertest.Options{})
		if r := m.Do(t, http.MethodPost, "/__admin/clock", strings.NewReader(`{"set":"`+at+`","freeze":true}`)); r.Status != http.StatusOK {
			t.Fatalf("clock: %d %s", r.Status, r.Body)
		}
		if r := m.Do(t, http.MethodPost, "/__admin/reset", nil); r.Status != http.StatusOK {
			t.Fatalf("reset: %d %s", r.Status, r.Body)
		}
		r := m.Do(t, http.MethodGet, "/__admin/state", nil)
		colls := map[string][]string{}
		if err := json.Unmarshal(r.Body, &colls); err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for apiName, cs := range colls {
			for _, c := range cs {
				rows := m.Do(t, http.MethodGet, "/__admin/state/"+apiName+"/"+c, nil)
				out[apiName+"/"+c] = bcryptHash.ReplaceAllString(string(rows.Body), "<bcrypt>")
			}
		}
		return out
	}
	a, b := dump("2026-03-01T12:00:00+03:00"), dump("2026-03-01T12:00:00+03:00")
	for k, v := range a {
		if b[k] != v {
			t.Errorf("%s differs between two seedings of the same scenario", k)
		}
	}
	// The comparison sees the seeding time: another reading changes the
	// amapi rows, and only the rows the scenario gives no time.
	c := dump("2026-03-02T12:00:00+03:00")
	for k, v := range a {
		timeless := k == "amapi/users" || k == "amapi/tokens"
		if (c[k] != v) != timeless {
			t.Errorf("%s: differs at another clock reading = %v, want %v", k, c[k] != v, timeless)
		}
	}
}

// A posted scenario is one YAML document, as a file is: a second one is a
// 400 with the state kept, not silently ignored.
func TestAdmin_scenarioOfTwoDocumentsIs400(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{Scenario: "empty"})
	r := m.Do(t, http.MethodPost, "/__admin/scenario", strings.NewReader("name: x\nseed: 1\n---\nname: y\nbogus: 1\n"))
	want := `{"error":"the scenario has problems; the state was not changed","problems":["(request body):3: a scenario is one YAML document; this is a second one"]}` + "\n"
	if r.Status != http.StatusBadRequest || string(r.Body) != want {
		t.Fatalf("two documents: %d %s, want %s", r.Status, r.Body, want)
	}
	if r := m.Do(t, http.MethodGet, "/__admin/scenario", nil); !strings.Contains(string(r.Body), `"name":"empty"`) {
		t.Fatalf("a rejected scenario changed the state: %s", r.Body)
	}
}
