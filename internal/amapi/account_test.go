package amapi_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/amapi"
	"github.com/mockserver/mockserver/internal/password"
	"github.com/mockserver/mockserver/internal/server"
	"github.com/mockserver/mockserver/internal/servertest"
	"golang.org/x/crypto/bcrypt"
)

func TestRegister(t *testing.T) {
	t.Parallel()
	// A cost of its own shows that run-time passwords take Deps.PasswordCost
	// (servertest's default is bcrypt's lowest; the server's, Laravel's 10).
	const cost = bcrypt.MinCost + 1
	m := servertest.Start(t, servertest.Options{Config: server.Config{PasswordCost: cost}})
	r := post(t, m, "/api/register", `{"name":"Пётр","email":"petr@example.com","password":"secret-pass","password_confirmation":"secret-pass"}`)
	token, masked := withToken(t, r.Body)
	expectGolden(t, servertest.Response{Status: r.Status, Body: masked}, http.StatusCreated, "register_created.json")
	if !authenticated(t, m, token) {
		t.Fatal("the new token does not authenticate")
	}
	users := rows(t, m, "users")
	u := users[len(users)-1]
	if len(users) != 4 || u["email"] != "petr@example.com" || u["name"] != "Пётр" {
		t.Fatalf("users: %v", users)
	}
	// /__admin/state shows no hash; the state file keeps the password as
	// a bcrypt hash at the configured cost and the token as the SHA-256 of
	// its secret only, as Sanctum does.
	if _, shown := u["password"]; shown {
		t.Fatalf("/__admin/state shows the password hash: %v", u)
	}
	db := m.Do(t, http.MethodGet, "/__admin/snapshot", nil).Body
	if !regexp.MustCompile(`"email":"petr@example.com","password":"\$2a\$0`+fmt.Sprint(cost)+`\$`).Match(db) || bytes.Contains(db, []byte("secret-pass")) {
		t.Fatalf("the state file does not hold the password as a bcrypt hash at the configured cost %d", cost)
	}
	_, secret, _ := strings.Cut(token, "|")
	sum := sha256.Sum256([]byte(secret))
	if !bytes.Contains(db, []byte(`"token":"`+hex.EncodeToString(sum[:])+`"`)) || bytes.Contains(db, []byte(secret)) {
		t.Fatal("the state file does not hold the token as the SHA-256 of its secret only")
	}
	for _, tok := range rows(t, m, "tokens") {
		if _, shown := tok["token"]; shown {
			t.Fatalf("/__admin/state shows a token hash: %v", tok)
		}
	}
	// The new account can sign in.
	r = post(t, m, "/api/login", `{"email":"PETR@example.com","password":"secret-pass"}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("login of the new user: %d %s", r.Status, r.Body)
	}
}

func TestRegister_rejects(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("я", 256)
	cases := []struct {
		name, body, golden string
	}{
		{"every_field_missing", `{}`, "register_missing.json"},
		{"empty_body", ``, "register_missing.json"},
		{"taken_email_any_case", `{"name":"X","email":"Demo@Example.com","password":"12345678","password_confirmation":"12345678"}`, "register_taken.json"},
		{"not_an_email", `{"name":"X","email":"demo.example.com","password":"12345678","password_confirmation":"12345678"}`, "register_bad_email.json"},
		{"short_password", `{"name":"X","email":"x@example.com","password":"1234567","password_confirmation":"1234567"}`, "register_short_password.json"},
		{"unconfirmed_password", `{"name":"X","email":"x@example.com","password":"12345678","password_confirmation":"12345679"}`, "register_unconfirmed.json"},
		{"confirmation_missing", `{"name":"X","email":"x@example.com","password":"12345678"}`, "register_unconfirmed.json"},
		{"wrong_types", `{"name":1,"email":["x@example.com"],"password":12345678,"password_confirmation":12345678}`, "register_wrong_types.json"},
		{"blank_name", `{"name":"   ","email":"x@example.com","password":"12345678","password_confirmation":"12345678"}`, "register_blank_name.json"},
		{"name_too_long", `{"name":"` + long + `","email":"x@example.com","password":"12345678","password_confirmation":"12345678"}`, "register_long_name.json"},
	}
	// One server for every case: each checks that its refusal changed
	// nothing, which is what makes sharing it safe.
	m := start(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			expectGolden(t, post(t, m, "/api/register", tc.body), http.StatusBadRequest, tc.golden)
			if n := len(rows(t, m, "users")); n != 3 {
				t.Fatalf("%d users after a refused sign-up, want 3", n)
			}
		})
	}
}

func TestLogin(t *testing.T) {
	t.Parallel()
	m := start(t)
	r := post(t, m, "/api/login", `{"email":"demo@example.com","password":"demo-password"}`)
	token, _ := withToken(t, r.Body)
	if r.Status != http.StatusCreated || !authenticated(t, m, token) {
		t.Fatalf("login: %d %s", r.Status, r.Body)
	}
	// Each login is a new token; the old ones keep working.
	if !authenticated(t, m, demoToken) {
		t.Fatal("login revoked the seeded token")
	}
}

func TestLogin_rejects(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body, golden string
	}{
		{"wrong_password", `{"email":"demo@example.com","password":"wrong-password"}`, "login_wrong.json"},
		{"unknown_email", `{"email":"nobody@example.com","password":"demo-password"}`, "login_wrong.json"},
		{"password_of_another_user", `{"email":"demo@example.com","password":"ivanov-password"}`, "login_wrong.json"},
		{"missing_both", `{}`, "login_missing.json"},
		{"missing_password", `{"email":"demo@example.com"}`, "login_missing_password.json"},
		{"password_not_a_string", `{"email":"demo@example.com","password":12345678}`, "login_password_type.json"},
	}
	// One server for every case: each checks that its refusal changed
	// nothing, which is what makes sharing it safe.
	m := start(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(rows(t, m, "tokens"))
			expectGolden(t, post(t, m, "/api/login", tc.body), http.StatusBadRequest, tc.golden)
			if n := len(rows(t, m, "tokens")); n != before {
				t.Fatalf("a refused login created a token (%d → %d)", before, n)
			}
		})
	}
}

func TestLogout(t *testing.T) {
	t.Parallel()
	m := start(t)
	r := post(t, m, "/api/login", `{"email":"demo@example.com","password":"demo-password"}`)
	fresh, _ := withToken(t, r.Body)
	expect(t, post(t, m, "/api/logout", "", bearer(fresh)...), http.StatusOK, `{"signedOut":true}`)
	// Every token of the user is gone, the seeded ones too; other users keep theirs.
	for _, tok := range []string{fresh, demoToken, ordersToken} {
		if authenticated(t, m, tok) {
			t.Fatalf("token %s survived logout", tok)
		}
	}
	if !authenticated(t, m, logoutToken) {
		t.Fatal("logout revoked another user's token")
	}
	expectError(t, post(t, m, "/api/logout", "", bearer(fresh)...), http.StatusUnauthorized, amapi.MsgUnauthenticated)
	for _, tok := range rows(t, m, "tokens") {
		if tok["tokenable_id"].(interface{ String() string }).String() == "1" {
			t.Fatalf("a token row of the user is left: %v", tok)
		}
	}
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	m := start(t)
	r := post(t, m, "/api/change-password",
		`{"email":"DEMO@example.com","old_password":"demo-password","password":"new-password","password_confirmation":"new-password"}`,
		bearer(demoToken)...)
	token, _ := withToken(t, r.Body)
	if r.Status != http.StatusCreated {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	if authenticated(t, m, demoToken) || authenticated(t, m, ordersToken) || !authenticated(t, m, token) {
		t.Fatal("every old token must be revoked and the new one work")
	}
	expectGolden(t, post(t, m, "/api/login", `{"email":"demo@example.com","password":"demo-password"}`), http.StatusBadRequest, "login_wrong.json")
	if r := post(t, m, "/api/login", `{"email":"demo@example.com","password":"new-password"}`); r.Status != http.StatusCreated {
		t.Fatalf("login with the new password: %d %s", r.Status, r.Body)
	}
}

func TestChangePassword_rejects(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body, golden string
	}{
		{"another_users_email", `{"email":"ivanov@example.com","old_password":"demo-password","password":"new-password","password_confirmation":"new-password"}`, "change_password_email.json"},
		{"wrong_old_password", `{"email":"demo@example.com","old_password":"ivanov-password","password":"new-password","password_confirmation":"new-password"}`, "change_password_old.json"},
		{"both_wrong", `{"email":"ivanov@example.com","old_password":"nope","password":"new-password","password_confirmation":"new-password"}`, "change_password_both.json"},
		{"unconfirmed", `{"email":"demo@example.com","old_password":"demo-password","password":"new-password","password_confirmation":"other-password"}`, "change_password_unconfirmed.json"},
		{"missing", `{}`, "change_password_missing.json"},
	}
	// One server for every case: each checks that its refusal changed
	// nothing, which is what makes sharing it safe.
	m := start(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			expectGolden(t, post(t, m, "/api/change-password", tc.body, bearer(demoToken)...), http.StatusBadRequest, tc.golden)
			if !authenticated(t, m, demoToken) {
				t.Fatal("a refused change revoked the token")
			}
			if r := post(t, m, "/api/login", `{"email":"demo@example.com","password":"demo-password"}`); r.Status != http.StatusCreated {
				t.Fatal("a refused change changed the password")
			}
		})
	}
}

// TestAuth_token is Sanctum's guard on a protected endpoint, with a body
// that would otherwise be accepted.
func TestAuth_token(t *testing.T) {
	t.Parallel()
	const body = `{"phone":"+7 999 999-99-99","name":"Иванов"}`
	secret := strings.TrimPrefix(demoToken, "1|")
	cases := []struct {
		name, header string
		ok           bool
	}{
		{"no_header", "", false},
		{"empty_bearer", "Bearer ", false},
		{"lower_case_scheme", "bearer " + demoToken, false},
		{"basic_scheme", "Basic ZGVtbzpkZW1v", false},
		{"unknown_token", "Bearer 2|" + secret, false},
		{"wrong_secret", "Bearer 1|" + strings.Repeat("x", 40), false},
		{"id_not_digits", "Bearer x|" + secret, false},
		{"empty_secret", "Bearer 1|", false},
		{"placeholder_of_another_form", "Bearer 1|" + ordersToken, false},
		{"valid", "Bearer " + demoToken, true},
		{"bare_document_token", "Bearer " + ordersToken, true},
		{"bare_secret_of_a_piped_token", "Bearer " + secret, true}, // Sanctum looks it up by hash
		{"cut_at_comma", "Bearer " + demoToken + ", Basic Zm9vOmJhcg==", true},
		{"last_bearer_counts", "Bearer " + demoToken + ", Bearer junk", false},
		{"last_bearer_wins", "Bearer junk Bearer " + demoToken, true},
	}
	// One server for every case: a refused one must store no order, an
	// admitted one stores its own.
	m := start(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var h []string
			if tc.header != "" {
				h = []string{"Authorization", tc.header}
			}
			before := len(rows(t, m, "orders"))
			r := post(t, m, "/api/callback", body, h...)
			if !tc.ok {
				expect(t, r, http.StatusUnauthorized, `{"message":"Unauthenticated."}`) // the text, pinned once
				if n := len(rows(t, m, "orders")); n != before {
					t.Fatalf("%d orders stored without authentication", n-before)
				}
				return
			}
			if r.Status != http.StatusCreated {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
		})
	}
}

func TestAuth_recordsLastUse(t *testing.T) {
	t.Parallel()
	m := start(t)
	find := func() any {
		for _, tok := range rows(t, m, "tokens") {
			if tok["id"].(interface{ String() string }).String() == "1" {
				return tok["last_used_at"]
			}
		}
		t.Fatal("token 1 missing")
		return nil
	}
	if v := find(); v != nil {
		t.Fatalf("a seeded token was used at %v", v)
	}
	// The probe reads only: no durable write per poll.
	if !authenticated(t, m, demoToken) {
		t.Fatal("the demo token does not authenticate")
	}
	if v := find(); v != nil {
		t.Fatalf("GET /api/test stamped last_used_at %v", v)
	}
	r := m.Do(t, http.MethodPost, "/api/callback", strings.NewReader(`{"phone":"+7 999 999-99-99","name":"Иван"}`),
		append(bearer(demoToken), "Content-Type", "application/json")...)
	if r.Status != http.StatusCreated {
		t.Fatalf("callback: %d %s", r.Status, r.Body)
	}
	if v, ok := find().(string); !ok || len(v) != len("2006-01-02 15:04:05") {
		t.Fatalf("last_used_at %v after use", v)
	}
}

func TestTest_reportsFlagsAndToken(t *testing.T) {
	t.Parallel()
	m := start(t, "name: flags\namapi:\n  service: {available: true, online_registration: false}\n  users:\n    - {name: A, email: a@example.com, password: password1, tokens: [\"5|"+strings.Repeat("a", 40)+"\"]}\n")
	expect(t, m.Do(t, http.MethodGet, "/api/test", nil, bearer("5|"+strings.Repeat("a", 40))...), http.StatusOK,
		`{"isAuthenticated":true,"serviceAvailable":true,"onlineRegistrationAvailable":false}`)
	expect(t, m.Do(t, http.MethodGet, "/api/test", nil, bearer("5|"+strings.Repeat("b", 40))...), http.StatusOK,
		`{"isAuthenticated":false,"serviceAvailable":true,"onlineRegistrationAvailable":false}`)
	r := m.Do(t, http.MethodHead, "/api/test", nil)
	if r.Status != http.StatusOK || len(r.Body) != 0 {
		t.Fatalf("HEAD: %d %q", r.Status, r.Body)
	}
}

// Concurrent sign-ups of one address: the uniqueness check and the write
// are one transaction, so exactly one account is made.
func TestRegister_concurrentSameEmail(t *testing.T) {
	t.Parallel()
	m := start(t)
	const n = 6
	statuses := make(chan int, n)
	for i := 0; i < n; i++ {
		go func() {
			body := `{"name":"X","email":"race@example.com","password":"12345678","password_confirmation":"12345678"}`
			r, err := http.Post(m.URL+"/api/register", "application/json", strings.NewReader(body))
			if err != nil {
				statuses <- 0
				return
			}
			r.Body.Close()
			statuses <- r.StatusCode
		}()
	}
	count := map[int]int{}
	for i := 0; i < n; i++ {
		count[<-statuses]++
	}
	if count[http.StatusCreated] != 1 || count[http.StatusBadRequest] != n-1 {
		t.Fatalf("statuses %v, want one 201 and the rest 400", count)
	}
	if got := len(rows(t, m, "users")); got != 4 {
		t.Fatalf("%d users, want 4", got)
	}
}

// An unknown address costs the same bcrypt comparison as a wrong password
// for a known one, so the answer's time does not tell which accounts
// exist. Counted, not timed; not parallel, so no other test's comparison
// is counted.
func TestLogin_unknownCostsOneComparison(t *testing.T) {
	m := start(t)
	for _, body := range []string{
		`{"email":"demo@example.com","password":"wrong-password"}`,
		`{"email":"nobody@example.com","password":"demo-password"}`,
	} {
		before := password.Compared()
		expectGolden(t, post(t, m, "/api/login", body), http.StatusBadRequest, "login_wrong.json")
		if n := password.Compared() - before; n != 1 {
			t.Fatalf("%s: %d bcrypt comparisons, want 1", body, n)
		}
	}
}
