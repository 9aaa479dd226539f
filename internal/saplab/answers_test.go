package saplab_test

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestAnswers_followWrites: the panel's reads keep their encoded answers
// between writes (answers.go); each write, and a reset, shows in the very
// next read of every list and form it touches.
func TestAnswers_followWrites(t *testing.T) {
	t.Parallel()
	m := start(t, docScenario(t))
	reads := []string{"/panel/order/shipping_type", "/panel/order/status", "/panel/client/group", "/panel/manager",
		"/panel/client", "/panel/client/filter/client_id/1", "/panel/client/form/1", "/panel/client/balance/1", "/panel/order"}
	before := map[string]string{}
	for _, p := range reads {
		for range 2 { // the second answer is the kept one
			r := m.get(p)
			if r.Status != 200 || (before[p] != "" && string(r.Body) != before[p]) {
				t.Fatalf("GET %s: %d %s", p, r.Status, r.Body)
			}
			before[p] = string(r.Body)
		}
	}
	writes := []struct{ path, body string }{
		{"/panel/order/shipping_type", "name=Courier+X&min_price=7"},
		{"/panel/order/status", "name=Status+X&color=ABCDEF"},
		{"/panel/client/group_form", "name=Group+X&discount=3"},
		{"/panel/client/form/1", "name=Client+X"},
		{"/panel/client/add_transaction/1", "amount=12.5&description=Ledger+X"},
	}
	for _, w := range writes {
		if r := m.post(w.path, w.body); r.Status != 200 || !strings.Contains(string(r.Body), "success") {
			t.Fatalf("POST %s: %d %s", w.path, r.Status, r.Body)
		}
	}
	shows := map[string]string{
		"/panel/order/shipping_type": "Courier X", "/panel/order/status": "Status X", "/panel/client/group": "Group X",
		"/panel/client": "Client X", "/panel/client/filter/client_id/1": "Client X", "/panel/client/form/1": "Client X",
		"/panel/client/balance/1": "Ledger X", "/panel/order": "Client X",
	}
	for p, want := range shows {
		if r := m.get(p); !strings.Contains(string(r.Body), want) {
			t.Errorf("GET %s after the writes does not show %q: %s", p, want, r.Body)
		}
	}
	if r := m.Do(t, "POST", "/__admin/reset", nil); r.Status != 200 {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
	for _, p := range reads {
		if r := m.get(p); string(r.Body) != before[p] {
			t.Errorf("GET %s after a reset:\n%s\nwant\n%s", p, r.Body, before[p])
		}
	}
}

// TestAnswers_dueMoveShown: a kept list answer is not given once an
// automatic move has fallen due by the clock alone (no write, no control
// API call): the read applies the move first and answers afresh.
func TestAnswers_dueMoveShown(t *testing.T) {
	t.Parallel()
	m := start(t, docScenario(t)+docLifecycle("0"))
	m.freeze("2017-01-15 22:02:43.114625")
	id := m.addPosition(1, "100")
	first := m.positionOf(id)
	if again := m.positionOf(id); again.StatusID != first.StatusID {
		t.Fatalf("the kept answer differs: %+v, then %+v", first, again)
	}
	m.Srv.Clock().Advance(3 * time.Hour)
	if p := m.positionOf(id); p.StatusID != "7" {
		t.Fatalf("after 3h the list still shows %+v (was %+v)", p, first)
	}
}

// TestAnswers_framing pins what writeJSON sends besides the body, for the
// panel's GETs of bench/run.sh reads, kept and made: application/json, and
// the length net/http gives, a Content-Length for an answer of up to 2 KB,
// none (chunked) for a longer list page.
func TestAnswers_framing(t *testing.T) {
	t.Parallel()
	m := start(t, "")
	for _, p := range []string{"/panel/manager", "/panel/order/shipping_type", "/panel/order/status", "/panel/client/group",
		"/panel/client", "/panel/client/form/2", "/panel/client/balance/2", "/panel/order"} {
		for range 2 { // made, then kept
			r := m.get(p)
			if r.Status != 200 || r.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("GET %s: %d %q", p, r.Status, r.Header.Get("Content-Type"))
			}
			length := ""
			if len(r.Body) <= 2048 {
				length = strconv.Itoa(len(r.Body))
			}
			if got := r.Header.Get("Content-Length"); got != length {
				t.Fatalf("GET %s: %d bytes, Content-Length %q, want %q", p, len(r.Body), got, length)
			}
		}
	}
}
