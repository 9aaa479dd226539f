package amapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/amapi"
	"github.com/mockserver/mockserver/internal/servertest"
)

func setService(t *testing.T, m *servertest.Mock, body string) servertest.Response {
	t.Helper()
	return m.Do(t, http.MethodPost, "/__admin/amapi/service", strings.NewReader(body), "Content-Type", "application/json")
}

func TestService_controlAPI(t *testing.T) {
	t.Parallel()
	m := start(t)
	expect(t, m.Do(t, http.MethodGet, "/__admin/amapi/service", nil), http.StatusOK, `{"available":true,"online_registration":true}`+"\n")
	expect(t, setService(t, m, `{"available":false}`), http.StatusOK, `{"available":false,"online_registration":true}`+"\n")
	expect(t, setService(t, m, `{"online_registration":false}`), http.StatusOK, `{"available":false,"online_registration":false}`+"\n")
	expect(t, m.Do(t, http.MethodGet, "/api/test", nil), http.StatusOK,
		`{"isAuthenticated":false,"serviceAvailable":false,"onlineRegistrationAvailable":false}`)
	// The flags are state: the generic dump shows them and a reset restores the scenario's.
	if f := rows(t, m, "service"); len(f) != 1 || f[0]["available"] != false {
		t.Fatalf("service rows %v", f)
	}
	if r := m.Do(t, http.MethodPost, "/__admin/reset", nil); r.Status != http.StatusOK {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
	expect(t, m.Do(t, http.MethodGet, "/api/test", nil), http.StatusOK,
		`{"isAuthenticated":false,"serviceAvailable":true,"onlineRegistrationAvailable":true}`)
}

func TestService_controlAPI_rejects(t *testing.T) {
	t.Parallel()
	// One server for every body: a refused one changes nothing.
	m := start(t)
	for _, body := range []string{``, `{}`, `{"available":"no"}`, `{"availible":false}`, `[true]`,
		`{"available":false} x`, `{"available":false}{"online_registration":false}`} {
		r := setService(t, m, body)
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), `"error"`) {
			t.Fatalf("%q: %d %s", body, r.Status, r.Body)
		}
	}
}

func TestService_fromScenario(t *testing.T) {
	t.Parallel()
	m := start(t, "name: down\namapi:\n  service: {available: false}\n")
	expect(t, m.Do(t, http.MethodGet, "/api/test", nil), http.StatusOK,
		`{"isAuthenticated":false,"serviceAvailable":false,"onlineRegistrationAvailable":true}`)
}

// While the service is unavailable every endpoint but test answers 503 in
// its own shape (after Sanctum's 401 for a bad token) and changes nothing.
func TestService_unavailable(t *testing.T) {
	t.Parallel()
	cases := []struct {
		path, body, token, golden string
	}{
		{"/api/register", `{"name":"A","email":"a@example.com","password":"12345678","password_confirmation":"12345678"}`, "", "unavailable_signedUp.json"},
		{"/api/login", `{"email":"demo@example.com","password":"demo-password"}`, "", "unavailable_signedIn.json"},
		{"/api/logout", ``, demoToken, "unavailable_signedOut.json"},
		{"/api/change-password", `{"email":"demo@example.com","old_password":"demo-password","password":"12345678","password_confirmation":"12345678"}`, demoToken, "unavailable_passwordChanged.json"},
		{"/api/create-order", order(""), ordersToken, "unavailable_OrderCreated.json"},
		{"/api/buy-click", `{}`, ordersToken, "unavailable_OrderCreated.json"},
		{"/api/callback", `{not even json`, ordersToken, "unavailable_OrderCreated.json"},
	}
	// One server for every case: each checks that the refusal changed
	// nothing, which is what makes sharing it safe.
	m := start(t)
	for _, tc := range cases {
		t.Run(strings.TrimPrefix(tc.path, "/api/"), func(t *testing.T) {
			setService(t, m, `{"available":false}`)
			var h []string
			if tc.token != "" {
				h = bearer(tc.token)
				expectError(t, post(t, m, tc.path, tc.body), http.StatusUnauthorized, amapi.MsgUnauthenticated)
			}
			expectGolden(t, post(t, m, tc.path, tc.body, h...), http.StatusServiceUnavailable, tc.golden)
			assertUnchanged(t, m)
		})
	}
}

func TestService_registrationClosed(t *testing.T) {
	t.Parallel()
	m := start(t)
	setService(t, m, `{"online_registration":false}`)
	expectGolden(t, post(t, m, "/api/register", `{"name":"A","email":"a@example.com","password":"12345678","password_confirmation":"12345678"}`),
		http.StatusForbidden, "registration_closed.json")
	assertUnchanged(t, m)
	// Signing in is not registration.
	if r := post(t, m, "/api/login", `{"email":"demo@example.com","password":"demo-password"}`); r.Status != http.StatusCreated {
		t.Fatalf("login while registration is closed: %d %s", r.Status, r.Body)
	}
}
