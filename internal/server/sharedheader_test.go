package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/servertest"
)

// TestFault_headersLeaveTheSharedContentType: saplab's and amapi's
// answers set one Content-Type slice shared by every answer (writeJSON);
// a fault that sets the Content-Type of a handler's answer (phase after)
// must replace that value, never write it in place, so the next answer
// is application/json again, and so is a HEAD's. It fails when anything
// on the way writes a header's value slice in place.
func TestFault_headersLeaveTheSharedContentType(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{})
	const auth = "Basic Nzk5OTAwMDAwMDA6ZGVtbw==" // saplab's demo owner
	for _, tc := range []struct{ api, path string }{
		{"saplab", "/panel/client/group"},
		{"amapi", "/api/test"},
	} {
		get := func(method string) servertest.Response {
			t.Helper()
			r := m.Do(t, method, tc.path, nil, "Authorization", auth)
			if r.Status != http.StatusOK {
				t.Fatalf("%s %s: %d %s", method, tc.path, r.Status, r.Body)
			}
			return r
		}
		want := get(http.MethodGet).Header.Get("Content-Type")
		if want != "application/json" {
			t.Fatalf("%s: Content-Type %q before any fault", tc.path, want)
		}
		rule := `{"id": "ct-` + tc.api + `", "api": "` + tc.api + `", "path": "` + tc.path +
			`", "phase": "after", "when": {"nth": 1}, "action": {"headers": {"Content-Type": "text/x-fault"}}}`
		if r := m.Do(t, http.MethodPost, "/__admin/faults", strings.NewReader(rule)); r.Status != http.StatusCreated {
			t.Fatalf("arm %s: %d %s", rule, r.Status, r.Body)
		}
		if got := get(http.MethodGet).Header.Get("Content-Type"); got != "text/x-fault" {
			t.Fatalf("%s, faulted: Content-Type %q", tc.path, got)
		}
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			if got := get(method).Header.Get("Content-Type"); got != want {
				t.Errorf("%s %s after the fault: Content-Type %q, want %q", method, tc.path, got, want)
			}
		}
	}
}
