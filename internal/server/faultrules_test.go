package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/servertest"
)

// A runtime rule is checked as a scenario's is: a count written as 0 and a
// path with a query string are 400s, and nothing is armed.
func TestAdmin_faultRulesThatCouldNotMeanWhatTheySay(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, rule, problem, action string }{
		{"nth_0", `"path": "/v1/order/", "when": {"nth": 0}`, `when.nth: nth must be a positive integer, got 0`, ""},
		{"every_0", `"path": "/v1/order/", "when": {"every": 0}`, `when.every: every must be a positive integer, got 0`, ""},
		{"times_0", `"path": "/v1/order/", "when": {"times": 0}`, `when.times: times must be a positive integer, got 0`, ""},
		{"after_0", `"path": "/v1/order/", "when": {"after": 0}`, `when.after: after must be a positive integer, got 0 (to hit every request, leave when out)`, ""},
		{"query", `"path": "/v1/search/?q=oc47"`, `path: path \"/v1/search/?q=oc47\" has a query string or fragment, but a rule matches the URL path without them, so it could never fire (the wildcards are * and **)`, ""},
		{"when_unknown_key", `"path": "/v1/order/", "when": {"nht": 3}`, `unknown key \"nht\"`, ""},
		{"framing_header", `"path": "/v1/order/"`, `action.headers: header Transfer-Encoding frames the HTTP response and is set by the server; a fault cannot set it (use truncate or drop to break a response)`, `{"status": 503, "headers": {"Transfer-Encoding": "gzip"}}`},
	}
	m := servertest.Start(t, servertest.Options{Scenario: "empty"})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			action := c.action
			if action == "" {
				action = `{"status": 503}`
			}
			r := m.Do(t, http.MethodPost, "/__admin/faults", strings.NewReader(`{"id": "f", "api": "carreta", `+c.rule+`, "action": `+action+`}`))
			want := `{"error":"the fault rules have problems; none was armed","problems":["` + c.problem + `"]}` + "\n"
			if r.Status != http.StatusBadRequest || string(r.Body) != want {
				t.Fatalf("%d %s, want 400 %s", r.Status, r.Body, want)
			}
			if r := m.Do(t, http.MethodGet, "/__admin/faults", nil); string(r.Body) != `{"faults":[]}`+"\n" {
				t.Fatalf("a rejected rule was armed: %s", r.Body)
			}
		})
	}
}
