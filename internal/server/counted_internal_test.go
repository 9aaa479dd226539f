package server

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/mockserver/mockserver/internal/procs"
)

// TestCounted_feedsTheGovernor: what every listener serves is counted in
// flight, so commits made by a lone request lower the spare Ps and a
// commit made while another request is in flight raises them again.
func TestCounted_feedsTheGovernor(t *testing.T) {
	var set []int
	procs.Install(procs.New(1, 2, func(n int) int { set = append(set, n); return 0 }))
	defer procs.Install(nil)
	req := httptest.NewRequest(http.MethodPost, "/v1/order/", nil)
	commits := counted(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		for range 64 {
			procs.Commit()
		}
	}))
	commits.ServeHTTP(httptest.NewRecorder(), req)
	if !slices.Equal(set, []int{3, 1}) {
		t.Fatalf("after a lone request's 64 commits GOMAXPROCS was set to %v, want [3 1]", set)
	}
	around := counted(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { commits.ServeHTTP(w, r) }))
	around.ServeHTTP(httptest.NewRecorder(), req)
	if !slices.Equal(set, []int{3, 1, 3}) {
		t.Fatalf("after commits with two requests in flight GOMAXPROCS was set to %v, want [3 1 3]", set)
	}
}
