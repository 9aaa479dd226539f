package amapi_test

import (
	"fmt"
	"net/http"
	"testing"
)

// TestProbe_followsWrites: GET api/test keeps its answers between writes
// (probe.go); a logout, a change of the service flags and a reset each
// show in the very next probe of a bearer that was answered before.
func TestProbe_followsWrites(t *testing.T) {
	t.Parallel()
	m := start(t)
	const up = `{"isAuthenticated":%s,"serviceAvailable":true,"onlineRegistrationAvailable":true}`
	probe := func(want string, h ...string) {
		t.Helper()
		expect(t, m.Do(t, http.MethodGet, "/api/test", nil, h...), http.StatusOK, want)
	}
	for range 2 { // the second answers are the kept ones
		probe(fmt.Sprintf(up, "true"), bearer(demoToken)...)
		probe(fmt.Sprintf(up, "false"))
	}
	r := post(t, m, "/api/login", `{"email":"demo@example.com","password":"demo-password"}`)
	fresh, _ := withToken(t, r.Body)
	probe(fmt.Sprintf(up, "true"), bearer(fresh)...)
	expect(t, post(t, m, "/api/logout", "", bearer(fresh)...), http.StatusOK, `{"signedOut":true}`)
	probe(fmt.Sprintf(up, "false"), bearer(demoToken)...)
	probe(fmt.Sprintf(up, "false"), bearer(fresh)...)
	expect(t, setService(t, m, `{"available":false}`), http.StatusOK, `{"available":false,"online_registration":true}`+"\n")
	probe(`{"isAuthenticated":false,"serviceAvailable":false,"onlineRegistrationAvailable":true}`)
	if r := m.Do(t, http.MethodPost, "/__admin/reset", nil); r.Status != http.StatusOK {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
	probe(fmt.Sprintf(up, "true"), bearer(demoToken)...)
	probe(fmt.Sprintf(up, "false"))
}
