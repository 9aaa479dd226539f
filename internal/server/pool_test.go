package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/servertest"
)

// TestJournal_nothingOfARequestReachesTheNext: requests one after another
// on one server, each reusing the per-request value the one before gave
// back to the pool (issue 16): a faulted request with a body, a fixed
// (cached) answer, a HEAD, then plain requests. Each entry holds its own
// request's fault, body and answer only, none of the one before.
func TestJournal_nothingOfARequestReachesTheNext(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{})
	rule := `{"id":"boom","api":"saplab","path":"/panel/client","when":{"nth":1},"action":{"status":502,"body":"upstream down"}}`
	if r := m.Do(t, http.MethodPost, "/__admin/faults", strings.NewReader(rule)); r.Status != http.StatusCreated {
		t.Fatalf("arm: %d %s", r.Status, r.Body)
	}
	m.Do(t, http.MethodPost, "/panel/client", strings.NewReader("name=secret-body"), "Authorization", "Basic Nzk5OTAwMDAwMDA6ZGVtbw==")
	m.Do(t, http.MethodGet, "/v1/nowhere", nil)
	search := m.Do(t, http.MethodGet, "/v1/search/?q=oc47&api_key=demo-key", nil)
	m.Do(t, http.MethodHead, "/v1/profile/?api_key=demo-key", nil)
	m.Do(t, http.MethodGet, "/v1/nowhere", nil)

	var list struct {
		Requests []struct {
			Method, Path, Fault, API, Body string
			ResponseBody                   string `json:"response_body"`
		}
	}
	if r := m.Do(t, http.MethodGet, "/__admin/requests", nil); json.Unmarshal(r.Body, &list) != nil {
		t.Fatalf("journal: %s", r.Body)
	}
	es := list.Requests
	if len(es) != 5 {
		t.Fatalf("%d entries, want 5: %+v", len(es), es)
	}
	if es[0].Fault != "boom" || es[0].Body != "name=secret-body" || es[0].ResponseBody != "upstream down" {
		t.Fatalf("the faulted request's entry: %+v", es[0])
	}
	for i, e := range es[1:] {
		if e.Fault != "" || e.Body != "" {
			t.Errorf("entry %d (%s %s) has fault %q, body %q: the request before's", i+1, e.Method, e.Path, e.Fault, e.Body)
		}
	}
	if es[1].ResponseBody == "upstream down" || es[3].ResponseBody != "" || es[4].ResponseBody != es[1].ResponseBody {
		t.Errorf("answers kept: %q, %q (HEAD), %q", es[1].ResponseBody, es[3].ResponseBody, es[4].ResponseBody)
	}
	if es[2].ResponseBody != string(search.Body) {
		t.Errorf("the search's answer kept as %.60q, want %.60q", es[2].ResponseBody, search.Body)
	}
}
