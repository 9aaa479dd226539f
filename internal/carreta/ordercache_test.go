package carreta_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/carreta"
	"github.com/mockserver/mockserver/internal/servertest"
)

// TestOrders_List_neverStale: with every page made (the kept answers off,
// as after a write), the list's orders come from the view's cache of
// written orders once listed; after the automatic moves of thirty days, a
// status change through the control API and a reset, every order of the
// list is still, byte for byte, what GET order/<id>/ answers (encoded
// apart from the list, by pyjson), and the list did change. Not parallel:
// it turns the kept answers off for the package.
func TestOrders_List_neverStale(t *testing.T) {
	defer carreta.KeepAnswers(carreta.KeepAnswers(false))
	m := start(t, servertest.Options{})
	const list = "/v1/order/?api_key=demo-key"
	agree := func(step string) []byte {
		t.Helper()
		r := get(t, m, list)
		expectJSON(t, r, 200)
		var out struct{ Objects []json.RawMessage }
		if err := json.Unmarshal(r.Body, &out); err != nil || len(out.Objects) == 0 {
			t.Fatalf("%s: %v, %s", step, err, r.Body)
		}
		for _, o := range out.Objects {
			var id struct{ ID uint64 }
			if err := json.Unmarshal(o, &id); err != nil {
				t.Fatal(err)
			}
			d := get(t, m, fmt.Sprintf("/v1/order/%d/?api_key=demo-key", id.ID))
			if !bytes.Equal(o, d.Body) {
				t.Fatalf("%s: the list shows order %d as\n%s\nits detail is\n%s", step, id.ID, o, d.Body)
			}
		}
		return r.Body
	}
	initial := agree("start")
	o := place(t, m, search(t, m, "oc47")[4], "кэш")
	placed := agree("placed")
	if again := agree("listed again"); !bytes.Equal(again, placed) {
		t.Fatal("the same list twice: other bytes")
	}
	advance(t, m, "720h")
	moved := agree("thirty days of moves")
	if bytes.Equal(moved, placed) {
		t.Fatal("the list did not change with thirty days of moves")
	}
	r := m.Do(t, http.MethodPost, fmt.Sprintf("/__admin/carreta/orders/%d/status", o.ID),
		strings.NewReader(`{"status": 3, "comment": "Отгружено поставщиком"}`))
	if r.Status != 200 {
		t.Fatalf("status move: %d %s", r.Status, r.Body)
	}
	if bytes.Equal(agree("status move"), moved) {
		t.Fatal("the list did not change with a status move")
	}
	if r := m.Do(t, http.MethodPost, "/__admin/reset", nil); r.Status != 200 {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
	m.Srv.Clock().Set(frozenAt)
	if got := agree("reset"); !bytes.Equal(got, initial) {
		t.Fatalf("after a reset the list is\n%s\nwant\n%s", got, initial)
	}
}
