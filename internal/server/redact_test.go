package server_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/server"
	"github.com/mockserver/mockserver/internal/servertest"
)

// Every credential the vendor documents name is replaced in the journal,
// in the query, the body and the headers, with the rest of the request
// kept as sent; the listing holds none of the plaintext.
func TestJournal_redactsEachAPIsSecrets(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{})
	const mp = "--XX\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nA\r\n" +
		"--XX\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\nmultipart-secret\r\n--XX--\r\n"
	jsonCT := []string{"Content-Type", "application/json"}
	form := []string{"Content-Type", "application/x-www-form-urlencoded", "Authorization", "Basic Nzk5OTAwMDAwMDA6ZGVtbw=="}
	cases := []struct {
		method, path, body string
		headers            []string
		query, wantBody    string
	}{
		{"POST", "/api/login", `{"email":"demo@example.com","password":"demo-password"}`, jsonCT,
			"", `{"email":"demo@example.com","password":"[redacted]"}`},
		{"POST", "/api/register", `{"name":"N","email":"n@example.com","password":"register-secret","password_confirmation":"register-secret"}`, jsonCT,
			"", `{"name":"N","email":"n@example.com","password":"[redacted]","password_confirmation":"[redacted]"}`},
		{"POST", "/api/change-password", `{"email":"demo@example.com","old_password":"demo-password","password":"changed-secret","password_confirmation":"changed-secret"}`,
			append([]string{"Authorization", "Bearer 1|DemoTokenDemoTokenDemoTokenDemoTokenDemo"}, jsonCT...),
			"", `{"email":"demo@example.com","old_password":"[redacted]","password":"[redacted]","password_confirmation":"[redacted]"}`},
		{"GET", "/v1/search/?q=oc47&api_key=demo-key", "", nil, "q=oc47&api_key=[redacted]", ""},
		{"POST", "/v1/order/?api_key=restricted-key", `{"api_key":"body-key","code":"OC47"}`, jsonCT,
			"api_key=[redacted]", `{"api_key":"[redacted]","code":"OC47"}`},
		{"POST", "/panel/client/form", "name=A&phone=70000000099&password=form-secret&status=on", form,
			"", "name=A&phone=70000000099&password=[redacted]&status=on"},
		{"POST", "/panel/client/form", mp, []string{"Content-Type", "multipart/form-data; boundary=XX", "Cookie", "PHPSESSID=cookie-secret"},
			"", strings.Replace(mp, "multipart-secret", "[redacted]", 1)},
		// No API owns the path: every API's secrets are redacted.
		{"POST", "/nowhere?api_key=stray-key", `{"password":"stray-secret"}`, jsonCT, "api_key=[redacted]", `{"password":"[redacted]"}`},
	}
	for _, c := range cases {
		m.Do(t, c.method, c.path, strings.NewReader(c.body), c.headers...)
	}
	r := m.Do(t, http.MethodGet, "/__admin/requests", nil)
	for _, secret := range []string{"demo-password", "register-secret", "changed-secret", "DemoToken", "demo-key", "restricted-key", "body-key",
		"form-secret", "multipart-secret", "cookie-secret", "Nzk5OTAwMDAwMDA6ZGVtbw", "stray-key", "stray-secret"} {
		if strings.Contains(string(r.Body), secret) {
			t.Errorf("%q is in the journal", secret)
		}
	}
	var list struct {
		Requests []struct {
			Path, Query, Body string
			Headers           map[string][]string
		}
	}
	if err := json.Unmarshal(r.Body, &list); err != nil || len(list.Requests) != len(cases) {
		t.Fatalf("journal (%v): %s", err, r.Body)
	}
	for i, c := range cases {
		e := list.Requests[i]
		if e.Query != c.query || e.Body != c.wantBody {
			t.Errorf("%s %s: query %q body %q\nwant query %q body %q", c.method, c.path, e.Query, e.Body, c.query, c.wantBody)
		}
	}
	if h := list.Requests[5].Headers; h["Authorization"][0] != "Basic [redacted]" {
		t.Errorf("saplab Authorization %q", h["Authorization"])
	}
	if h := list.Requests[6].Headers; h["Cookie"][0] != "[redacted]" {
		t.Errorf("Cookie %q", h["Cookie"])
	}
}

// A Referer is the URL of the page a browser came from, sent on with the
// next request: a carreta URL opened with its api_key would carry the key
// into the journal's headers. Its query gets every API's query secrets
// (it may name any API's URL); the rest of the header, and the request's
// own headers, are kept as sent.
func TestJournal_redactsTheRefererQuery(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{})
	for _, ref := range []string{
		"http://shop.example/v1/search/?q=oc47&api_key=referer-key#top",
		"http://shop.example/page?api%5Fkey=escaped-key",
		"http://shop.example/plain?q=1",
	} {
		m.Do(t, http.MethodGet, "/v1/profile/?api_key=demo-key", nil, "Referer", ref)
	}
	r := m.Do(t, http.MethodGet, "/__admin/requests", nil)
	for _, secret := range []string{"referer-key", "escaped-key", "demo-key"} {
		if strings.Contains(string(r.Body), secret) {
			t.Errorf("%q is in the journal", secret)
		}
	}
	var list struct {
		Requests []struct{ Headers map[string][]string }
	}
	if err := json.Unmarshal(r.Body, &list); err != nil || len(list.Requests) != 3 {
		t.Fatalf("journal (%v): %s", err, r.Body)
	}
	for i, want := range []string{
		"http://shop.example/v1/search/?q=oc47&api_key=[redacted]#top",
		"http://shop.example/page?api%5Fkey=[redacted]",
		"http://shop.example/plain?q=1",
	} {
		if got := list.Requests[i].Headers["Referer"]; len(got) != 1 || got[0] != want {
			t.Errorf("Referer %q, want %q", got, want)
		}
	}
}

// A proxy in front of the mock passes the request's own URI on in a header
// (X-Forwarded-Uri, X-Original-URL, X-Original-URI): a carreta request's
// api_key, which the query's redaction removed, was still in the journal's
// headers. Every header value's query loses its secrets, not only the
// Referer's; the request's own headers are kept as sent.
func TestJournal_redactsURLsInAnyHeader(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{})
	m.Do(t, http.MethodGet, "/v1/profile/?api_key=demo-key", nil,
		"X-Forwarded-Uri", "/v1/profile/?api_key=forwarded-key",
		"X-Original-URL", "http://mock.example/v1/profile/?api_key=original-key",
		"Origin", "http://shop.example/?api_key=origin-key",
		"User-Agent", "kept/1.0")
	r := m.Do(t, http.MethodGet, "/__admin/requests", nil)
	for _, secret := range []string{"forwarded-key", "original-key", "origin-key", "demo-key"} {
		if strings.Contains(string(r.Body), secret) {
			t.Errorf("%q is in the journal", secret)
		}
	}
	var list struct {
		Requests []struct{ Headers map[string][]string }
	}
	if err := json.Unmarshal(r.Body, &list); err != nil || len(list.Requests) != 1 {
		t.Fatalf("journal (%v): %s", err, r.Body)
	}
	h := list.Requests[0].Headers
	if got := h["X-Forwarded-Uri"]; len(got) != 1 || got[0] != "/v1/profile/?api_key=[redacted]" {
		t.Errorf("X-Forwarded-Uri %q", got)
	}
	if got := h["User-Agent"]; len(got) != 1 || got[0] != "kept/1.0" {
		t.Errorf("User-Agent %q", got)
	}
}

// A client that escaped its "?" (/v1/profile/%3Fapi_key=...) sent its key
// in the path, which the server decodes: the journal's path, the request's
// log line and, with --contract-check, the entry's violation (a path no
// operation matches is named in it) held it. All three lose the key, as a
// query would.
func TestJournal_redactsAQueryInThePath(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer
	srv, err := server.New(server.Config{DB: filepath.Join(t.TempDir(), "s.db"), ContractCheck: true}, slog.New(slog.NewJSONHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	for _, u := range []string{"/v1/profile/%3Fapi_key=path-key", "/__admin/requests"} {
		resp, err := http.Get(ts.URL + u)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(body), "path-key") {
			t.Errorf("the journal holds the key: %s", body)
		}
		if u != "/__admin/requests" {
			continue
		}
		if !strings.Contains(string(body), `"path":"/v1/profile/?api_key=[redacted]"`) {
			t.Errorf("the journal's path: %s", body)
		}
		if !strings.Contains(string(body), `"contract_violations":[`) || strings.Count(string(body), "/v1/profile/?api_key=[redacted]") < 2 {
			t.Errorf("no violation names the redacted path: %s", body)
		}
	}
	if strings.Contains(logs.String(), "path-key") || !strings.Contains(logs.String(), "/v1/profile/?api_key=[redacted]") {
		t.Errorf("the log line's path: %s", logs.String())
	}
}
