package saplab_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/servertest"
)

func TestAdminOrders_Create(t *testing.T) {
	t.Parallel()
	t.Run("creates positions as the storefront would", func(t *testing.T) {
		m := start(t, docScenario(t))
		m.freeze("2017-01-15 22:02:43.114625")
		body := `{"client_id": 2, "invoice": "NZ-005", "positions": [
			{"brand": "KILEN", "article": "12133", "name": "Пружина передняя", "distributor_id": 3, "price": 3959, "initial_price": "3958.07", "quantity": 1},
			{"brand": "UFI", "article": "30.896.00", "name": "Воздушный фильтр", "price": "474", "quantity": 2, "delivarytime_min": 1, "deliverytime_max": 3, "client_comment": "Срочно"}]}`
		r := m.Do(t, "POST", "/__admin/saplab/orders", strings.NewReader(body), "Content-Type", "application/json")
		if r.Status != 201 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		servertest.Golden(t, "admin_orders_created.json", r.Body)
		// The positions are the newest in the panel, ids after the scenario's.
		list := m.get("/panel/order/filter/invoice/nz-005/per_page/2")
		var out struct {
			Orders []struct {
				ID       string `json:"id"`
				Total    string `json:"total"`
				StatusID string `json:"status_id"`
			}
			Pages int
		}
		if err := json.Unmarshal(list.Body, &out); err != nil {
			t.Fatal(err)
		}
		if out.Pages != 2 || len(out.Orders) != 2 || out.Orders[0].ID != "23" || out.Orders[0].Total != "948" || out.Orders[0].StatusID != "6" {
			t.Fatalf("%s", list.Body)
		}
	})
	t.Run("rejects a bad order and creates nothing", func(t *testing.T) {
		m := start(t, docScenario(t))
		before := m.dump()
		for body, want := range map[string]string{
			`{"client_id": 99, "positions": []}`: `"problems":["client_id: client 99 does not exist","positions: at least one position is required"]`,
			`{"client_id": 1, "positions": [{"brand": "", "article": "A", "price": "-1", "quantity": 0, "distributor_id": 9}]}`: `"positions[0].brand is required","positions[0].price is required and must not be negative","positions[0].quantity must be between 1 and 10000","positions[0].distributor_id: distributor 9 does not exist"`,
			`{"client_id": 1, "positions": [{"brand": "A", "article": "A", "price": "1,5", "quantity": 1}]}`:                    `not an amount`,
			`{"client_id": 1, "colour": "red"}`: `unknown field`,
			`not json`:                          `must be a JSON order`,
			`{"client_id": 1, "positions": [{"brand": "A", "article": "A", "price": 1, "quantity": 1}]} {}`:               `must be a JSON order: unexpected data after the JSON value`,
			`{"client_id": 1, "status_id": 42, "positions": [{"brand": "A", "article": "A", "price": 1, "quantity": 1}]}`: `status 42 does not exist`,
		} {
			r := m.Do(t, "POST", "/__admin/saplab/orders", strings.NewReader(body), "Content-Type", "application/json")
			if r.Status != 400 || !strings.Contains(string(r.Body), want) {
				t.Fatalf("%s: %d %s", body, r.Status, r.Body)
			}
		}
		if string(before) != string(m.dump()) {
			t.Fatal("a rejected order changed the state")
		}
	})
	t.Run("a given status keeps the history path", func(t *testing.T) {
		m := start(t, docScenario(t))
		r := m.Do(t, "POST", "/__admin/saplab/orders", strings.NewReader(`{"client_id": 1, "status_id": 1, "positions": [{"brand": "A", "article": "B", "price": 1, "quantity": 1}]}`))
		if r.Status != 201 || strings.Count(string(r.Body), `"manager":`) != 1 || !strings.Contains(string(r.Body), `"status_id":"1"`) {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		// Client 1 owes it, blocked while in the new status.
		if f := m.get("/panel/client/form/1"); !strings.Contains(string(f.Body), `"debt":"474","blocked_debt":"1"`) {
			t.Fatalf("%s", f.Body)
		}
	})
}
