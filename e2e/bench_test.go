package e2e_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/servertest"
)

// BenchmarkServe measures what fault matching costs a request through the
// whole handler: no rules (the baseline), 50 rules that match other paths,
// and one rule that hits every request with a replaced response.
func BenchmarkServe(b *testing.B) {
	many := make([]string, 50)
	for i := range many {
		many[i] = fmt.Sprintf(`{"id": "r%d", "api": "any", "path": "/v1/**/x%d/*", "when": {"every": 2}, "action": {"status": 503}}`, i, i)
	}
	for _, c := range []struct{ name, rules string }{
		{"no_rules", ""},
		{"50_rules_elsewhere", "[" + strings.Join(many, ",") + "]"},
		{"hit_every_request", `{"id": "hit", "api": "carreta", "path": "/v1/profile/", "action": {"status": 503, "body": "{}"}}`},
	} {
		b.Run(c.name, func(b *testing.B) {
			m := servertest.Start(b, servertest.Options{})
			if c.rules != "" {
				if r := m.Do(b, "POST", "/__admin/faults", strings.NewReader(c.rules)); r.Status != http.StatusCreated {
					b.Fatalf("%d %s", r.Status, r.Body)
				}
			}
			h := m.Srv.Handler()
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/v1/profile/?api_key="+carretaKey, nil))
			}
		})
	}
}

// BenchmarkRootSearch is a carreta search on the root world through the
// whole handler: what worlds must not have made slower for the root (run it
// on the commit before them for the comparison; bench/run.sh gives the
// same against bare net/http over TCP).
func BenchmarkRootSearch(b *testing.B) {
	m := servertest.Start(b, servertest.Options{})
	h := m.Srv.Handler()
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/search/?q=oc47&api_key="+carretaKey, nil))
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
}
