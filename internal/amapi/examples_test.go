package amapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/mockserver/mockserver/internal/servertest"
)

// The golden rule (SPEC, issue 3): every request example of amapi.txt, in
// every language, succeeds against the default scenario with only the host
// changed. Each example runs on a fresh server, so that logout and
// change-password, which revoke their own token, each get theirs.

func TestExamples_Orders(t *testing.T) {
	t.Parallel()
	for _, endpoint := range []string{"create-order", "buy-click", "callback"} {
		for _, ex := range examples(t, endpoint) {
			t.Run(ex.name, func(t *testing.T) {
				m := start(t)
				r := ex.send(t, m)
				// Seed 42, first order: the code is reproducible, so the
				// whole body is pinned.
				expectGolden(t, r, http.StatusCreated, "example_order_created.json")
				orders := rows(t, m, "orders")
				if len(orders) != 1 {
					t.Fatalf("%d orders stored, want 1", len(orders))
				}
				o := orders[0]
				if o["kind"] != endpoint || o["code"] != "DG1501-81811" || o["user_id"] != json.Number("1") {
					t.Fatalf("stored %v", o)
				}
				// The full request is kept, numbers spelled as sent.
				var sent, stored bytes.Buffer
				_ = json.Compact(&sent, ex.body)
				raw, _ := json.Marshal(o["request"])
				_ = json.Compact(&stored, raw)
				if !jsonEqual(t, sent.Bytes(), stored.Bytes()) {
					t.Fatalf("stored request\n%s\nwant\n%s", stored.Bytes(), sent.Bytes())
				}
			})
		}
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var va, vb any
	da, db := json.NewDecoder(bytes.NewReader(a)), json.NewDecoder(bytes.NewReader(b))
	da.UseNumber()
	db.UseNumber()
	if da.Decode(&va) != nil || db.Decode(&vb) != nil {
		t.Fatalf("not JSON: %s / %s", a, b)
	}
	ja, _ := json.Marshal(va)
	jb, _ := json.Marshal(vb)
	return bytes.Equal(ja, jb)
}

func TestExamples_Login(t *testing.T) {
	t.Parallel()
	// One server for every example: a login only adds a token of its own.
	m := start(t)
	for _, ex := range examples(t, "login") {
		t.Run(ex.name, func(t *testing.T) {
			r := ex.send(t, m)
			token, masked := withToken(t, r.Body)
			expectGolden(t, servertest.Response{Status: r.Status, Body: masked}, http.StatusCreated, "example_login.json")
			if !authenticated(t, m, token) {
				t.Fatal("the token login returned does not authenticate")
			}
		})
	}
}

func TestExamples_Logout(t *testing.T) {
	t.Parallel()
	for _, ex := range examples(t, "logout") {
		t.Run(ex.name, func(t *testing.T) {
			m := start(t)
			expect(t, ex.send(t, m), http.StatusOK, `{"signedOut":true}`)
			if authenticated(t, m, logoutToken) {
				t.Fatal("the logout example's token still works")
			}
			if !authenticated(t, m, ordersToken) || !authenticated(t, m, passwordToken) {
				t.Fatal("logout revoked another user's tokens")
			}
		})
	}
}

func TestExamples_ChangePassword(t *testing.T) {
	t.Parallel()
	for _, ex := range examples(t, "change-password") {
		t.Run(ex.name, func(t *testing.T) {
			m := start(t)
			r := ex.send(t, m)
			token, masked := withToken(t, r.Body)
			expectGolden(t, servertest.Response{Status: r.Status, Body: masked}, http.StatusCreated, "example_password_changed.json")
			if authenticated(t, m, passwordToken) || !authenticated(t, m, token) {
				t.Fatal("old token must be revoked and the new one work")
			}
			// The example sets the same password again, so the login
			// example still works afterwards.
			r = post(t, m, "/api/login", `{"email":"Ваша электронная почта","password":"Ваш пароль"}`)
			if r.Status != http.StatusCreated {
				t.Fatalf("login after change-password: %d %s", r.Status, r.Body)
			}
		})
	}
}

func TestExamples_Test(t *testing.T) {
	t.Parallel()
	// One server for every example: the probe changes nothing.
	m := start(t)
	for _, ex := range examples(t, "test") {
		t.Run(ex.name, func(t *testing.T) {
			expect(t, ex.send(t, m), http.StatusOK,
				`{"isAuthenticated":false,"serviceAvailable":true,"onlineRegistrationAvailable":true}`)
		})
	}
}

// The register example names the same placeholder account the login and
// change-password examples use, and its email is no address, so under
// SPEC §4's register rule (a valid, unique email) it cannot succeed: the
// mock refuses it with a message that says why (docs/decisions/amapi.md).
func TestExamples_Register(t *testing.T) {
	t.Parallel()
	// One server for every case: each checks that its refusal changed
	// nothing, which is what makes sharing it safe.
	m := start(t)
	for _, ex := range examples(t, "register") {
		t.Run(ex.name, func(t *testing.T) {
			expectGolden(t, ex.send(t, m), http.StatusBadRequest, "example_register.json")
			if n := len(rows(t, m, "users")); n != 3 {
				t.Fatalf("%d users, want the 3 seeded", n)
			}
		})
	}
}

// All the examples in document order against one server: none breaks
// another (each destructive one has a token of its own).
func TestExamples_inDocumentOrder(t *testing.T) {
	t.Parallel()
	m := start(t)
	for _, endpoint := range []string{"create-order", "buy-click", "callback", "register", "login", "logout", "change-password", "test"} {
		ex := loadExample(t, "testdata/examples/"+endpoint+".curl.http")
		r := ex.send(t, m)
		want := map[string]int{"register": 400, "logout": 200, "test": 200}[endpoint]
		if want == 0 {
			want = 201
		}
		if r.Status != want {
			t.Fatalf("%s: %d %s", endpoint, r.Status, r.Body)
		}
	}
	if n := len(rows(t, m, "orders")); n != 3 {
		t.Fatalf("%d orders, want 3", n)
	}
}
