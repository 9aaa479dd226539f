// This file is the Go example of README.md, word for word after the
// package clause: e2e's TestReadme_goExample checks that they match and
// runs it as a module of its own, against an in-process mock whose URL is
// in MOCKSERVER_URL for that child test alone. It lives in testdata so
// that go test ./... never runs it with the MOCKSERVER_URL of the shell,
// which would reset the user's own mock.

package shop_test

import (
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
)

// TestProfileSurvivesAnOutage arms a fault, runs the code under test and
// checks what the mock received. MOCKSERVER_URL is a running mock, e.g.
// http://127.0.0.1:8080.
func TestProfileSurvivesAnOutage(t *testing.T) {
	mock := os.Getenv("MOCKSERVER_URL")
	if mock == "" {
		t.Skip("MOCKSERVER_URL is not set")
	}
	call := func(method, path, body string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, mock+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	call("POST", "/__admin/reset", "")
	call("DELETE", "/__admin/requests", "")
	if code, b := call("POST", "/__admin/faults", `{"id": "outage", "api": "carreta",
		"method": "GET", "path": "/v1/profile/", "when": {"nth": 1}, "action": {"status": 503}}`); code != http.StatusCreated {
		t.Fatalf("arming the fault: %d %s", code, b)
	}

	// The code under test goes here; this stand-in retries once on a 5xx.
	code, _ := call("GET", "/v1/profile/?api_key=demo-key", "")
	if code >= 500 {
		code, _ = call("GET", "/v1/profile/?api_key=demo-key", "")
	}
	if code != http.StatusOK {
		t.Fatalf("the client gave up with %d", code)
	}

	// Verify: the fault hit the first request and the client asked again.
	if _, b := call("GET", "/__admin/requests/wait?api=carreta&path=/v1/profile/&count=2&timeout=5s", ""); b != `{"count":2}`+"\n" {
		t.Fatalf("requests to /v1/profile/: %s", b)
	}
	if _, b := call("GET", "/__admin/requests/count?fault=outage", ""); b != `{"count":1}`+"\n" {
		t.Fatalf("the fault did not hit, so this test proves nothing: %s", b)
	}
}
