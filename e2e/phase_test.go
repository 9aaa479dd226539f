package e2e_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/servertest"
)

// The phase tests use state-changing endpoints of each API: phase before
// must leave the state as it was, phase after must commit the change
// although the client never got (all of) the answer.

// rows counts the stored rows of a collection through the control API.
func rows(t *testing.T, m *servertest.Mock, apiName, collection string) int {
	t.Helper()
	r := m.Do(t, "GET", "/__admin/state/"+apiName+"/"+collection, nil)
	if r.Status != 200 {
		t.Fatalf("state %s/%s: %d %s", apiName, collection, r.Status, r.Body)
	}
	var out []json.RawMessage
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatal(err)
	}
	return len(out)
}

const amapiOrder = `{"name": "Иванов Иван Иванович", "email": "ivanov@example.com", "phone": "+7 999 999-99-99",
 "deliveryType": "address", "address": {"city": "Москва", "street": "Красная площадь", "house": "3"},
 "items": [{"productId": 1191767, "itemId": 857, "name": "Смартфон Xiaomi Redmi Note 9 3\/64Gb Green", "price": 12554, "quantity": 1}]}`

func TestFaults_Phase_amapi(t *testing.T) {
	t.Parallel()
	t.Run("before_a_register_that_fails_creates_no_account", func(t *testing.T) {
		t.Parallel()
		m := servertest.Start(t, servertest.Options{})
		arm(t, m, `{"id": "reg", "api": "amapi", "method": "POST", "path": "/api/register", "when": {"times": 1}, "action": {"status": 503}}`)
		users := rows(t, m, "amapi", "users")
		reg := `{"name": "Новый", "email": "new@example.com", "password": "password1", "password_confirmation": "password1"}`
		if r := m.Do(t, "POST", "/api/register", strings.NewReader(reg), "Content-Type", "application/json", "Accept", "application/json"); r.Status != 503 {
			t.Fatalf("faulted register: %d %s", r.Status, r.Body)
		}
		if n := rows(t, m, "amapi", "users"); n != users {
			t.Fatalf("users %d -> %d: the handler ran in phase before", users, n)
		}
		login := `{"email": "new@example.com", "password": "password1"}`
		if r := m.Do(t, "POST", "/api/login", strings.NewReader(login), "Content-Type", "application/json"); r.Status != 400 {
			t.Fatalf("login with the never-registered account: %d %s, want 400", r.Status, r.Body)
		}
		if r := m.Do(t, "POST", "/api/register", strings.NewReader(reg), "Content-Type", "application/json"); r.Status != 201 {
			t.Fatalf("the retry, past times: 1: %d %s, want 201", r.Status, r.Body)
		}
	})

	t.Run("after_an_order_is_created_though_its_answer_is_dropped", func(t *testing.T) {
		t.Parallel()
		m := servertest.Start(t, servertest.Options{})
		arm(t, m, `{"id": "lost", "api": "amapi", "method": "POST", "path": "/api/create-order", "when": {"nth": 1}, "phase": "after", "action": {"drop": true}}`)
		orders := rows(t, m, "amapi", "orders")
		got := raw(t, m, "POST", "/api/create-order", amapiOrder, "Authorization", "Bearer "+amapiToken, "Content-Type", "application/json")
		if len(got) != 0 {
			t.Fatalf("the client got %q, want nothing", got)
		}
		if n := rows(t, m, "amapi", "orders"); n != orders+1 {
			t.Fatalf("orders %d -> %d: the order was not committed before the drop", orders, n)
		}
		// The naive retry places the order a second time.
		r := m.Do(t, "POST", "/api/create-order", strings.NewReader(amapiOrder), "Authorization", "Bearer "+amapiToken, "Content-Type", "application/json")
		if r.Status != 201 || rows(t, m, "amapi", "orders") != orders+2 {
			t.Fatalf("retry: %d %s, orders %d", r.Status, r.Body, rows(t, m, "amapi", "orders"))
		}
		if e := entries(t, m, "fault=lost"); len(e) != 1 || e[0].Status != 0 || e[0].Method != "POST" {
			t.Fatalf("journal %+v", e)
		}
	})
}

// carretaOffer searches OC47 with the demo key and returns the first offer
// with order_qty set, as a client would post it.
func carretaOffer(t *testing.T, m *servertest.Mock) string {
	t.Helper()
	r := m.Do(t, "GET", "/v1/search/?q=oc47&api_key="+carretaKey, nil)
	var res struct{ Objects []map[string]any }
	if err := json.Unmarshal(r.Body, &res); err != nil || len(res.Objects) == 0 {
		t.Fatalf("search: %d %s (%v)", r.Status, r.Body, err)
	}
	offer := res.Objects[0]
	offer["order_qty"] = offer["min_qty"]
	b, _ := json.Marshal(offer)
	return string(b)
}

func TestFaults_Phase_carreta(t *testing.T) {
	t.Parallel()
	t.Run("before_a_failed_order_stores_nothing", func(t *testing.T) {
		t.Parallel()
		m := servertest.Start(t, servertest.Options{})
		arm(t, m, `{"id": "down", "api": "carreta", "method": "POST", "path": "/v1/order/", "action": {"status": 502, "body": "Bad Gateway"}}`)
		orders := rows(t, m, "carreta", "orders")
		r := m.Do(t, "POST", "/v1/order/?api_key="+carretaKey, strings.NewReader(carretaOffer(t, m)), "Content-Type", "application/json")
		if r.Status != 502 || string(r.Body) != "Bad Gateway" {
			t.Fatalf("got %d %s", r.Status, r.Body)
		}
		if n := rows(t, m, "carreta", "orders"); n != orders {
			t.Fatalf("orders %d -> %d: the handler ran in phase before", orders, n)
		}
	})

	t.Run("after_an_order_is_stored_though_its_answer_is_cut", func(t *testing.T) {
		t.Parallel()
		m := servertest.Start(t, servertest.Options{})
		arm(t, m, `{"id": "cut", "api": "carreta", "method": "POST", "path": "/v1/order/", "phase": "after", "action": {"truncate": true}}`)
		before := m.Do(t, "GET", "/v1/order/?api_key="+carretaKey, nil)
		resp, body, short := parse(t, raw(t, m, "POST", "/v1/order/?api_key="+carretaKey, carretaOffer(t, m), "Content-Type", "application/json"))
		if resp.StatusCode != 201 || !short || int64(len(body)) != resp.ContentLength/2 {
			t.Fatalf("got %d with %d of %d bytes (short=%v): %s", resp.StatusCode, len(body), resp.ContentLength, short, body)
		}
		var list struct{ Objects []struct{ ID int } }
		after := m.Do(t, "GET", "/v1/order/?api_key="+carretaKey, nil)
		if err := json.Unmarshal(after.Body, &list); err != nil {
			t.Fatalf("%s: %v", after.Body, err)
		}
		if bytes.Equal(before.Body, after.Body) || len(list.Objects) == 0 || !bytes.Contains(body, []byte(`"id": `)) {
			t.Fatalf("the cut order is not in the list:\nbefore %s\nafter  %s", before.Body, after.Body)
		}
	})
}

// payState reads position 20 of the default scenario through the panel.
func payState(t *testing.T, m *servertest.Mock) string {
	t.Helper()
	r := m.Do(t, "GET", "/panel/order/filter/order_ids/20", nil, "Authorization", saplabOwner)
	var out struct {
		Orders []struct {
			IsPayed string `json:"is_payed"`
		}
	}
	if err := json.Unmarshal(r.Body, &out); err != nil || len(out.Orders) != 1 {
		t.Fatalf("order 20: %d %s (%v)", r.Status, r.Body, err)
	}
	return out.Orders[0].IsPayed
}

func TestFaults_Phase_saplab(t *testing.T) {
	t.Parallel()
	t.Run("before_a_dropped_payment_pays_nothing", func(t *testing.T) {
		t.Parallel()
		m := servertest.Start(t, servertest.Options{})
		arm(t, m, `{"id": "drop", "api": "saplab", "path": "/panel/order/pay/*", "action": {"drop": true}}`)
		if got := raw(t, m, "GET", "/panel/order/pay/20", "", "Authorization", saplabOwner); len(got) != 0 {
			t.Fatalf("got %q", got)
		}
		if s := payState(t, m); s != "0" {
			t.Fatalf("is_payed %q after a payment dropped before the handler", s)
		}
	})

	t.Run("after_a_payment_is_booked_though_the_client_saw_an_error", func(t *testing.T) {
		t.Parallel()
		m := servertest.Start(t, servertest.Options{})
		arm(t, m, `{"id": "gw", "api": "saplab", "path": "/panel/order/pay/*", "phase": "after", "when": {"nth": 1}, "action": {"status": 504, "body": "Gateway Time-out"}}`)
		if r := m.Do(t, "GET", "/panel/order/pay/20", nil, "Authorization", saplabOwner); r.Status != 504 || string(r.Body) != "Gateway Time-out" {
			t.Fatalf("got %d %s", r.Status, r.Body)
		}
		if s := payState(t, m); s != "1" {
			t.Fatalf("is_payed %q: the payment was not committed before the response was replaced", s)
		}
		bal := m.Do(t, "GET", "/panel/client/balance/2", nil, "Authorization", saplabOwner)
		if !bytes.Contains(bal.Body, []byte(`"amount":"-982.8"`)) {
			t.Fatalf("client 2's ledger has no payment of 982.8: %s", bal.Body)
		}
		// A client that retries the "failed" payment refunds it: pay toggles.
		m.Do(t, "GET", "/panel/order/pay/20", nil, "Authorization", saplabOwner)
		if s := payState(t, m); s != "0" {
			t.Fatalf("is_payed %q after the retry, want the refund the document describes", s)
		}
	})
}
