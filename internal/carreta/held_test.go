package carreta_test

import (
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/server"
	"github.com/mockserver/mockserver/internal/servertest"
)

// TestHeld_followsWritesAndAddresses: a GET answered from the kept pages is
// held by its URI (held.go), and only while nothing has changed: an order
// placed shows in the very next list, and an account with an address
// allowlist is checked on every request (its answer is never held), so
// the same URI from an address not on the list is refused after answers
// to one that is.
func TestHeld_followsWritesAndAddresses(t *testing.T) {
	t.Parallel()
	m := start(t, servertest.Options{Config: server.Config{TrustProxy: true}})
	const list = "/v1/order/?api_key=demo-key"
	before := orders(t, get(t, m, list))
	if again := orders(t, get(t, m, list)); len(again) != len(before) {
		t.Fatalf("the held list differs: %d orders, then %d", len(before), len(again))
	}
	o := place(t, m, search(t, m, "oc47")[0], "held")
	if after := orders(t, get(t, m, list)); len(after) != len(before)+1 || after[0].ID != o.ID {
		t.Fatalf("the list after an order was placed: %v (placed %d)", after, o.ID)
	}
	const restricted = "/v1/order/?api_key=restricted-key"
	for range 2 {
		if r := get(t, m, restricted, "X-Forwarded-For", "10.0.0.1"); r.Status != 200 {
			t.Fatalf("the allowed address: %d %s", r.Status, r.Body)
		}
	}
	if r := get(t, m, restricted, "X-Forwarded-For", "192.168.1.5"); r.Status != 401 {
		t.Errorf("another address after the allowed one's answers: %d %s, want 401", r.Status, r.Body)
	}
	if r := m.Do(t, "HEAD", list, nil); r.Status != 200 || len(r.Body) != 0 {
		t.Errorf("HEAD of a held list: %d, %d bytes", r.Status, len(r.Body))
	}
}

// TestHeld_notAcrossLoads: an answer held in one view is not given in the
// next, even where the new view's pages are at the same version (a scenario
// loaded with more orders on the account).
func TestHeld_notAcrossLoads(t *testing.T) {
	t.Parallel()
	m := start(t, servertest.Options{})
	const list = "/v1/order/?api_key=demo-key"
	before := orders(t, get(t, m, list))
	orders(t, get(t, m, list))
	sc := "name: more\nextends: default\ncarreta:\n  generate: {orders: 3, orders_account: demo-key}\n"
	if r := m.Do(t, "POST", "/__admin/scenario", strings.NewReader(sc), "Content-Type", "application/yaml"); r.Status != 200 {
		t.Fatalf("load: %d %s", r.Status, r.Body)
	}
	if after := orders(t, get(t, m, list)); len(after) != len(before)+3 {
		t.Fatalf("after a load with 3 more orders the list has %d, before %d", len(after), len(before))
	}
}
