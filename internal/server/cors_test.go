package server_test

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/mockserver/mockserver/internal/server"
)

// corsServer serves the default scenario with --cors set to cors.
func corsServer(t *testing.T, cors string) *httptest.Server {
	t.Helper()
	srv, err := server.New(server.Config{DB: filepath.Join(t.TempDir(), "s.db"), CORS: cors}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts
}

func preflight(t *testing.T, url, origin string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodOptions, url, nil)
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// --cors answers preflights and marks answers for every API and
// /__admin; an origin it does not list gets nothing; off, only amapi
// answers a preflight, as Laravel would.
func TestCORS(t *testing.T) {
	t.Parallel()
	const page = "http://localhost:3000"
	paths := []string{"/api/login", "/v1/order/", "/panel/client/form", "/__admin/reset"}
	on := corsServer(t, page)
	for _, p := range paths {
		r := preflight(t, on.URL+p, page)
		if r.StatusCode != http.StatusNoContent || r.Header.Get("Access-Control-Allow-Origin") != page ||
			r.Header.Get("Access-Control-Allow-Headers") != "authorization, content-type" || r.Header.Get("Access-Control-Allow-Methods") == "" {
			t.Errorf("--cors preflight of %s: %d %v", p, r.StatusCode, r.Header)
		}
		if r := preflight(t, on.URL+p, "http://evil.example"); r.Header.Get("Access-Control-Allow-Origin") == page {
			t.Errorf("%s: an origin --cors does not list was allowed: %v", p, r.Header)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, on.URL+"/v1/search/?q=oc47&api_key=demo-key", nil)
	req.Header.Set("Origin", page)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != page {
		t.Errorf("a carreta answer to an allowed origin: %d %v", resp.StatusCode, resp.Header)
	}
	if r := preflight(t, corsServer(t, "*").URL+"/__admin/state", page); r.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("--cors '*': %v", r.Header)
	}
	off := corsServer(t, "")
	if r := preflight(t, off.URL+"/v1/order/", page); r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("without --cors carreta must not answer CORS: %v", r.Header)
	}
	if r := preflight(t, off.URL+"/api/login", page); r.StatusCode != http.StatusNoContent || r.Header.Get("Access-Control-Allow-Origin") == "" {
		t.Errorf("amapi's own preflight answer is gone: %d %v", r.StatusCode, r.Header)
	}
	if _, err := server.New(server.Config{DB: filepath.Join(t.TempDir(), "x.db"), CORS: "localhost:3000"}, nil); err == nil {
		t.Error("an origin without a scheme must be refused")
	}
}
