package amapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/amapi"
	"github.com/mockserver/mockserver/internal/servertest"
)

// SPEC §9: bad input gets amapi's shape and a 4xx, never a 5xx, and
// changes nothing.
func TestBadInput_bodies(t *testing.T) {
	t.Parallel()
	endpoints := []struct {
		path, flag string
		token      string
	}{
		{"/api/register", "signedUp", ""},
		{"/api/login", "signedIn", ""},
		{"/api/change-password", "passwordChanged", demoToken},
		{"/api/create-order", "OrderCreated", ordersToken},
		{"/api/buy-click", "OrderCreated", ordersToken},
		{"/api/callback", "OrderCreated", ordersToken},
	}
	bodies := []struct {
		name, body, golden string
	}{
		{"malformed_json", `{"name": "Иванов",`, "bad_json"},
		{"trailing_garbage", `{"name": "Иванов"} x`, "bad_json"},
		{"two_objects", `{}{}`, "bad_json"},
		{"form_encoded", `email=a%40b.c&password=12345678`, "bad_json"},
		{"array_for_object", `[{"name": "Иванов"}]`, "bad_not_object"},
		{"string_for_object", `"Иванов"`, "bad_not_object"},
		{"null_for_object", `null`, "bad_not_object"},
		{"invalid_utf8", "{\"name\": \"\xff\xfe\"}", "bad_utf8"},
		// PHP's json_decode fails on half a surrogate pair (JSON_ERROR_UTF16).
		{"lone_high_surrogate", `{"name": "\ud800", "email": "a@b.c", "password": "12345678"}`, "bad_json"},
		{"lone_low_surrogate", `{"name": "x\udc00"}`, "bad_json"},
		{"deep_nesting", strings.Repeat("[", 20000) + strings.Repeat("]", 20000), "bad_json"},
	}
	// One server for every case: each checks that its refusal changed
	// nothing, which is what makes sharing it safe.
	m := start(t)
	for _, ep := range endpoints {
		for _, b := range bodies {
			t.Run(strings.TrimPrefix(ep.path, "/api/")+"/"+b.name, func(t *testing.T) {
				var h []string
				if ep.token != "" {
					h = bearer(ep.token)
				}
				expectGolden(t, post(t, m, ep.path, b.body, h...), http.StatusBadRequest, b.golden+"_"+ep.flag+".json")
				assertUnchanged(t, m)
			})
		}
	}
}

// assertUnchanged checks that the state is the default scenario's.
func assertUnchanged(t *testing.T, m *servertest.Mock) {
	t.Helper()
	for coll, want := range map[string]int{"users": 3, "tokens": 6, "orders": 0} {
		if n := len(rows(t, m, coll)); n != want {
			t.Fatalf("%d %s, want %d", n, coll, want)
		}
	}
	for _, tok := range rows(t, m, "tokens") {
		if tok["last_used_at"] != nil {
			t.Fatalf("a refused request recorded a token's use: %v", tok)
		}
	}
}

func TestBadInput_tooLarge(t *testing.T) {
	t.Parallel()
	m := start(t)
	big := bytes.Repeat([]byte("a"), 2<<20)
	body := append(append([]byte(`{"phone":"1","name":"`), big...), '"', '}')
	r := m.Do(t, http.MethodPost, "/api/callback", bytes.NewReader(body), append(bearer(ordersToken), "Content-Type", "application/json")...)
	expectGolden(t, r, http.StatusRequestEntityTooLarge, "too_large.json")
	if n := len(rows(t, m, "orders")); n != 0 {
		t.Fatalf("%d orders stored", n)
	}
}

// A body just under the limit with 120 000 empty items is answered with a
// bounded list of messages, not one per missing field of every item (which
// was 117 MB), and stores nothing.
func TestBadInput_manyBadItems(t *testing.T) {
	t.Parallel()
	m := start(t)
	body := `{"phone":"1","name":"x","items":[` + strings.Repeat(`{"a":1},`, 119_999) + `{"a":1}]}`
	r := m.Do(t, http.MethodPost, "/api/buy-click", strings.NewReader(body), append(bearer(ordersToken), "Content-Type", "application/json")...)
	if r.Status != http.StatusBadRequest {
		t.Fatalf("status %d", r.Status)
	}
	var got struct {
		OrderCreated *bool    `json:"OrderCreated"`
		Message      []string `json:"message"`
	}
	if err := json.Unmarshal(r.Body, &got); err != nil {
		t.Fatalf("%v: %.300s", err, r.Body)
	}
	if got.OrderCreated == nil || *got.OrderCreated || len(got.Message) != amapi.MaxMessages {
		t.Fatalf("OrderCreated %v, %d messages, want false and %d", got.OrderCreated, len(got.Message), amapi.MaxMessages)
	}
	if n := len(rows(t, m, "orders")); n != 0 {
		t.Fatalf("%d orders stored", n)
	}
}

func TestRouting(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, method, path string
		headers            []string
		status             int
		golden, allow      string
	}{
		{"unknown_route", http.MethodPost, "/api/xyz", nil, 404, "route_unknown.json", ""},
		{"unknown_nested_route", http.MethodGet, "/api/orders/1", nil, 404, "route_unknown_nested.json", ""},
		{"prefix_alone", http.MethodGet, "/api", nil, 404, "route_api.json", ""},
		{"double_slash", http.MethodPost, "/api//login", nil, 404, "route_double_slash.json", ""},
		{"get_on_post_route", http.MethodGet, "/api/login", nil, 405, "route_get_login.json", "POST"},
		{"delete_on_post_route", http.MethodDelete, "/api/create-order/", nil, 405, "route_delete_order.json", "POST"},
		{"post_on_get_route", http.MethodPost, "/api/test", nil, 405, "route_post_test.json", "GET, HEAD"},
		{"plain_options", http.MethodOptions, "/api/login", nil, 200, "", "POST"},
		{"options_on_unknown", http.MethodOptions, "/api/xyz", nil, 404, "route_options_unknown.json", ""},
	}
	// One server for every case: each checks that its refusal changed
	// nothing, which is what makes sharing it safe.
	m := start(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := m.Do(t, tc.method, tc.path, nil, append([]string{"Accept", "application/json"}, tc.headers...)...)
			if tc.golden != "" {
				expectGolden(t, r, tc.status, tc.golden)
			} else if r.Status != tc.status || len(r.Body) != 0 {
				t.Fatalf("%d %q", r.Status, r.Body)
			}
			if got := r.Header.Get("Allow"); got != tc.allow {
				t.Fatalf("Allow %q, want %q", got, tc.allow)
			}
			if r.Header.Get("Access-Control-Allow-Origin") != "*" {
				t.Fatal("no CORS header")
			}
		})
	}
}

func TestRouting_trailingSlash(t *testing.T) {
	t.Parallel()
	m := start(t)
	expect(t, post(t, m, "/api/callback/", `{"phone":"1","name":"a"}`, bearer(ordersToken)...), http.StatusCreated,
		`{"OrderCreated":true,"OrderCode":"DG1501-81811"}`)
}

// A browser page calling the API (the JavaScript examples) first sends a
// preflight; Laravel's HandleCors answers it before routing.
func TestRouting_corsPreflight(t *testing.T) {
	t.Parallel()
	for _, path := range []string{"/api/create-order", "/api/nowhere"} {
		m := start(t)
		r := m.Do(t, http.MethodOptions, path, nil, "Origin", "https://shop.example", "Access-Control-Request-Method", "POST",
			"Access-Control-Request-Headers", "authorization,content-type")
		h := r.Header
		if r.Status != http.StatusNoContent || len(r.Body) != 0 || h.Get("Access-Control-Allow-Origin") != "*" ||
			h.Get("Access-Control-Allow-Methods") != "POST" || h.Get("Access-Control-Allow-Headers") != "authorization,content-type" ||
			h.Get("Access-Control-Max-Age") != "0" {
			t.Fatalf("%s: %d %v", path, r.Status, h)
		}
	}
	m := start(t)
	r := post(t, m, "/api/callback", `{"phone":"1","name":"a"}`, append(bearer(ordersToken), "Origin", "https://shop.example")...)
	if r.Status != http.StatusCreated || r.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("%d %v", r.Status, r.Header)
	}
}

// Endpoints that read no input ignore whatever body comes with them, as
// Laravel's controllers do.
func TestBadInput_ignoredWhereNothingIsRead(t *testing.T) {
	t.Parallel()
	m := start(t)
	expect(t, post(t, m, "/api/logout", `{not json`, bearer(logoutToken)...), http.StatusOK, `{"signedOut":true}`)
	expect(t, m.Do(t, http.MethodGet, "/api/test", strings.NewReader("\xff")), http.StatusOK,
		`{"isAuthenticated":false,"serviceAvailable":true,"onlineRegistrationAvailable":true}`)
}
