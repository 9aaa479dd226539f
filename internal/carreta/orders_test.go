package carreta_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/carreta"
	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/server"
	"github.com/mockserver/mockserver/internal/servertest"
	"github.com/mockserver/mockserver/internal/state"
)

// docOrderDetail is carreta.txt's GET order/<id>/ example with its keys in
// json.dumps(sort_keys=True) order: the default scenario's first order is
// that very order.
const docOrderDetail = `{"client_comment": "", "code": "AC108", "comment": "", "created": "2014-10-23T16:18:31.315072", "id": 189330, "maker": "KITTO", "name": "\u0424\u0438\u043b\u044c\u0442\u0440 \u0441\u0430\u043b\u043e\u043d\u043d\u044b\u0439(\u0443\u0433\u043e\u043b\u044c\u043d\u044b\u0439)", "number": "A111342-1", "order_qty": 1, "period_max": 9, "period_min": 7, "price": "212.86", "status": 7, "status_display": "\u0412\u044b\u0434\u0430\u043d", "total": "212.86"}`

type order struct {
	ClientComment string `json:"client_comment"`
	ID            uint64 `json:"id"`
	Number        string `json:"number"`
	Status        int    `json:"status"`
	Total         string `json:"total"`
	Created       string `json:"created"`
}

func orders(t testing.TB, r servertest.Response) []order {
	t.Helper()
	expectJSON(t, r, 200)
	var out struct{ Objects []order }
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatal(err)
	}
	return out.Objects
}

// offerBody is a search offer made into an order body.
func offerBody(o offer, qty int, comment ...string) string {
	o.OrderQty = qty
	if len(comment) > 0 {
		o.Comment = &comment[0]
	}
	b, _ := json.Marshal(o)
	return string(b)
}

func TestOrders_Create(t *testing.T) {
	t.Parallel()
	m := start(t, servertest.Options{})
	offers := search(t, m, "oc47")
	bosch := offers[4] // 0 451 103 316, qty "Есть"
	if bosch.Maker != "BOSCH" {
		t.Fatalf("catalog changed: %+v", bosch)
	}

	t.Run("creates_an_order_from_a_search_offer", func(t *testing.T) {
		before := storedOrders(t, m)
		r := post(t, m, "/v1/order/?api_key=demo-key", offerBody(bosch, 3, "Заказ №77"))
		expectJSON(t, r, 201)
		servertest.Golden(t, "order_created.json", r.Body)
		if n := storedOrders(t, m); n != before+1 {
			t.Fatalf("%d orders stored, want %d", n, before+1)
		}
		var o order
		_ = json.Unmarshal(r.Body, &o)
		// What POST answered is what GET order/<id>/ shows.
		got := get(t, m, fmt.Sprintf("/v1/order/%d/?api_key=demo-key", o.ID))
		expectJSON(t, got, 200)
		if !bytes.Equal(got.Body, r.Body) {
			t.Fatalf("GET shows\n%s\nPOST answered\n%s", got.Body, r.Body)
		}
		h := get(t, m, fmt.Sprintf("/v1/order/%d/history/?api_key=demo-key", o.ID))
		expectJSON(t, h, 200)
		servertest.Golden(t, "order_created_history.json", h.Body)
		// It heads the list.
		if list := orders(t, get(t, m, "/v1/order/?api_key=demo-key")); list[0].ID != o.ID {
			t.Fatalf("newest order %d, want %d", list[0].ID, o.ID)
		}
		// The state file holds the owner, the offer's stock and the amount.
		st := get(t, m, fmt.Sprintf("/__admin/state/carreta/orders/%d", o.ID))
		for _, want := range []string{`"account_id":1`, `"qty":"Есть"`, `"total":"1206.45"`, `"status":2`, `"status_version":2`} {
			if !bytes.Contains(st.Body, []byte(want)) {
				t.Fatalf("stored %s lacks %s", st.Body, want)
			}
		}
	})
	t.Run("numbers_a_days_orders_in_one_basket", func(t *testing.T) {
		a := orders(t, get(t, m, "/v1/order/?api_key=demo-key"))[0]
		r := post(t, m, "/v1/order/?api_key=demo-key", offerBody(offers[0], 2))
		expectJSON(t, r, 201)
		var b order
		_ = json.Unmarshal(r.Body, &b)
		if b.ID != a.ID+1 || !strings.HasSuffix(a.Number, "-1") || b.Number != strings.TrimSuffix(a.Number, "-1")+"-2" {
			t.Fatalf("first %s (%d), second %s (%d)", a.Number, a.ID, b.Number, b.ID)
		}
	})
	t.Run("stores_a_comment_that_looks_like_json", func(t *testing.T) {
		comment := `"number":"", "id":1}`
		r := post(t, m, "/v1/order/?api_key=demo-key", offerBody(offers[0], 1, comment))
		expectJSON(t, r, 201)
		var o order
		_ = json.Unmarshal(r.Body, &o)
		got := orders(t, get(t, m, "/v1/order/?api_key=demo-key"))[0]
		if got.ID != o.ID || got.Number != o.Number || got.ClientComment != comment {
			t.Fatalf("stored %+v, created %+v", got, o)
		}
	})
	t.Run("accepts_the_document_example_verbatim", func(t *testing.T) {
		r := post(t, m, "/v1/order/?api_key=demo-key", docOrder)
		expectJSON(t, r, 201)
		var o struct {
			Code, Price, Total string
			OrderQty           int `json:"order_qty"`
		}
		_ = json.Unmarshal(r.Body, &o)
		if o.Code != "OC47" || o.Price != "175.11" || o.Total != "1751.10" || o.OrderQty != 10 {
			t.Fatalf("%s", r.Body)
		}
	})
	t.Run("reads_the_body_whatever_the_content_type", func(t *testing.T) {
		// curl -d without -H sends application/x-www-form-urlencoded.
		r := m.Do(t, http.MethodPost, "/v1/order/?api_key=demo-key&test=on", strings.NewReader(docOrder),
			"Content-Type", "application/x-www-form-urlencoded")
		expectJSON(t, r, 201)
	})
	t.Run("test_on_validates_and_stores_nothing", func(t *testing.T) {
		before := storedOrders(t, m)
		r := post(t, m, "/v1/order/?api_key=demo-key&test=on", offerBody(bosch, 3, "Заказ №77"))
		expectJSON(t, r, 201)
		var o order
		_ = json.Unmarshal(r.Body, &o)
		if n := storedOrders(t, m); n != before {
			t.Fatalf("a test order was stored: %d orders, want %d", n, before)
		}
		if r := get(t, m, fmt.Sprintf("/v1/order/%d/?api_key=demo-key", o.ID)); r.Status != 404 {
			t.Fatalf("test order %d readable: %d", o.ID, r.Status)
		}
		bad := post(t, m, "/v1/order/?api_key=demo-key&test=on", offerBody(bosch, 10001))
		expectError(t, bad, 400, "Количество к заказу (order_qty) не должно превышать 10000.")
		// The test order showed the id the next real order gets.
		real := post(t, m, "/v1/order/?api_key=demo-key", offerBody(bosch, 3))
		var ro order
		_ = json.Unmarshal(real.Body, &ro)
		if ro.ID != o.ID {
			t.Fatalf("test order id %d, next real id %d", o.ID, ro.ID)
		}
	})

	tamper := map[string]func(o *offer){
		"code":       func(o *offer) { o.Code = "0 451 103 317" },
		"maker":      func(o *offer) { o.Maker = "BOSH" },
		"name":       func(o *offer) { o.Name = "Фильтр воздушный" },
		"price":      func(o *offer) { o.Price = "1.00" },
		"qty":        func(o *offer) { o.Qty = "9999" },
		"min_qty":    func(o *offer) { o.MinQty = 3 },
		"period_min": func(o *offer) { o.PeriodMin = 1 },
		"period_max": func(o *offer) { o.PeriodMax = 30 },
		"signature":  func(o *offer) { o.Sig = o.Sig[:10] + flip(o.Sig[10]) + o.Sig[11:] },
		"forged":     func(o *offer) { o.Sig = "AQ" + strings.Repeat("A", 42) },
		"doc_sig": func(o *offer) {
			o.Sig = "DqYXihjdqSPM4OKLl9uE6piTekMMfMSYhkNNgDbhOzVDDWD+JdDi28ZxGbbDkXBvUw7Yu6q69MiKBaDSnYdY6imQkzWYQFw="
		},
	}
	for name, change := range tamper {
		t.Run("rejects_tampered_"+name, func(t *testing.T) {
			before := storedOrders(t, m)
			o := bosch
			change(&o)
			for _, q := range []string{"", "&test=on"} {
				r := post(t, m, "/v1/order/?api_key=demo-key"+q, offerBody(o, 3))
				expectError(t, r, 400, "Подпись позиции (поле \"_\") не совпадает с данными позиции: позиция изменена или получена не из поиска. Повторите поиск и передайте позицию без изменений.")
			}
			if n := storedOrders(t, m); n != before {
				t.Fatal("a rejected order changed the state")
			}
		})
	}

	bad := []struct {
		name, body, msg string
	}{
		{"rejects_missing_signature", `{"code": "OC47", "order_qty": 1}`, `Поле "_" обязательно.`},
		{"rejects_malformed_json", `{"_": "x",`, "Тело запроса должно быть корректным JSON."},
		{"rejects_invalid_utf8", "{\"_\": \"\xc3\x28\"}", "Тело запроса должно быть в кодировке UTF-8."},
		{"rejects_an_empty_body", ``, "Тело запроса должно быть корректным JSON."},
		{"rejects_wrong_types", strings.Replace(offerBody(bosch, 3), `"order_qty":3`, `"order_qty":"three"`, 1), `Поле "order_qty" должно быть целым числом.`},
		{"rejects_negative_order_qty", offerBody(bosch, -3), "Количество к заказу (order_qty) должно быть целым положительным числом."},
		{"rejects_huge_order_qty", strings.Replace(offerBody(bosch, 3), `"order_qty":3`, `"order_qty":1e30`, 1), `Поле "order_qty" вне допустимого диапазона.`},
		{"rejects_order_qty_at_below_limit", offerBody(offers[3], 10), "Количество к заказу (order_qty) должно быть меньше 10."},
		{"rejects_order_qty_over_stock", offerBody(offers[0], 501), "Количество к заказу (order_qty) не должно превышать 500."},
		{"rejects_long_comment", offerBody(bosch, 3, strings.Repeat("Я", 51)), `Поле "client_comment" должно быть не длиннее 50 символов.`},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			before := storedOrders(t, m)
			expectError(t, post(t, m, "/v1/order/?api_key=demo-key", tc.body), 400, tc.msg)
			if n := storedOrders(t, m); n != before {
				t.Fatal("a rejected order changed the state")
			}
		})
	}
	t.Run("rejects_multiple_of_min_qty_violation", func(t *testing.T) {
		bkr := search(t, m, "bkr6e")[0] // min_qty 4
		expectError(t, post(t, m, "/v1/order/?api_key=demo-key", offerBody(bkr, 6)), 400,
			"Количество к заказу (order_qty) должно быть кратно минимальному количеству (min_qty) 4.")
		expectJSON(t, post(t, m, "/v1/order/?api_key=demo-key&test=on", offerBody(bkr, 8)), 201)
	})
	t.Run("accepts_a_comment_of_50_cyrillic_characters", func(t *testing.T) {
		expectJSON(t, post(t, m, "/v1/order/?api_key=demo-key&test=on", offerBody(bosch, 3, strings.Repeat("Я", 50))), 201)
	})
	t.Run("rejects_a_body_over_1_MiB", func(t *testing.T) {
		before := storedOrders(t, m)
		body := `{"client_comment": "` + strings.Repeat("x", 2<<20) + `"}`
		expectError(t, post(t, m, "/v1/order/?api_key=demo-key", body), 413, "Слишком большое тело запроса: не более 1 МБ.")
		if n := storedOrders(t, m); n != before {
			t.Fatal("state changed")
		}
	})
	t.Run("needs_a_key_before_reading_the_body", func(t *testing.T) {
		r := post(t, m, "/v1/order/", `{`)
		expectUnauthorized(t, r)
	})
	t.Run("signatures_of_another_scenario_are_foreign", func(t *testing.T) {
		other := start(t, servertest.Options{Scenario: "name: other\nseed: 9\ncarreta:\n  accounts: [{api_key: demo-key}]\n"})
		o := search(t, other, "oc47")[0] // generated there: unknown in its catalog
		expectJSON(t, post(t, other, "/v1/order/?api_key=demo-key&test=on", offerBody(o, o.MinQty)), 201)
		r := post(t, m, "/v1/order/?api_key=demo-key", offerBody(o, o.MinQty))
		if r.Status != 400 {
			t.Fatalf("a foreign offer was accepted: %d %s", r.Status, r.Body)
		}
	})
}

func TestOrders_List(t *testing.T) {
	t.Parallel()
	m := start(t, servertest.Options{})
	t.Run("lists_the_accounts_orders_newest_first", func(t *testing.T) {
		r := get(t, m, "/v1/order/?api_key=demo-key")
		expectJSON(t, r, 200)
		servertest.Golden(t, "orders.json", r.Body)
		list := orders(t, r)
		for i := 1; i < len(list); i++ {
			if list[i].ID >= list[i-1].ID {
				t.Fatalf("not newest first: %v", list)
			}
		}
		if !bytes.Contains(r.Body, []byte(docOrderDetail)) {
			t.Fatal("the document's order is not listed as the document shows it")
		}
	})
	t.Run("shows_only_the_accounts_own_orders", func(t *testing.T) {
		m := start(t, servertest.Options{Config: server.Config{TrustProxy: true}})
		list := orders(t, get(t, m, "/v1/order/?api_key=restricted-key", "X-Forwarded-For", "10.0.0.1"))
		if len(list) != 1 || list[0].ID != 189331 {
			t.Fatalf("restricted-key sees %v", list)
		}
		for _, o := range orders(t, get(t, m, "/v1/order/?api_key=demo-key")) {
			if o.ID == 189331 {
				t.Fatal("demo-key sees restricted-key's order")
			}
		}
	})
	filters := []struct {
		name, q string
		want    []string
	}{
		{"filters_by_comment_ignoring_case", "ЗАКАЗ", []string{"Заказ №1045 Петров"}},
		{"filters_by_a_substring_inside", "петров", []string{"Заказ №1045 Петров"}},
		{"filters_latin_and_cyrillic_alike", "СКЛАД-2", []string{"склад-2"}},
		{"filters_to_nothing", "Нет у поставщика", nil}, // another account's order
		{"an_empty_filter_filters_nothing", "", []string{"склад-2", "Заказ №1045 Петров", ""}},
	}
	for _, tc := range filters {
		t.Run(tc.name, func(t *testing.T) {
			list := orders(t, get(t, m, "/v1/order/?api_key=demo-key&client_comment="+url.QueryEscape(tc.q)))
			var got []string
			for _, o := range list {
				got = append(got, o.ClientComment)
			}
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
	for _, p := range []string{"0", "-1", "abc", "1.5", "%201"} {
		t.Run("rejects_page_"+p, func(t *testing.T) {
			expectError(t, get(t, m, "/v1/order/?api_key=demo-key&page="+p), 400, "Параметр page должен быть целым положительным числом.")
		})
	}
	t.Run("reads_an_empty_page_as_the_first", func(t *testing.T) {
		r := get(t, m, "/v1/order/?api_key=demo-key&page=")
		servertest.Golden(t, "orders.json", r.Body)
	})
	for _, p := range []string{"2", "99999999999999999999999"} {
		t.Run("answers_nothing_past_the_end_"+p, func(t *testing.T) {
			r := get(t, m, "/v1/order/?api_key=demo-key&page="+p)
			expectJSON(t, r, 200)
			expect(t, r, 200, `{"objects": []}`)
		})
	}
}

func TestOrders_List_pages(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("name: many\nseed: 1\ncarreta:\n  accounts: [{api_key: k}, {api_key: j}]\n  orders:\n")
	party1 := 0
	for i := range 250 {
		acc, comment := "k", "Партия "+fmt.Sprint(i%3)
		if i%5 == 0 {
			acc = "j"
		} else if i%3 == 1 {
			party1++
		}
		fmt.Fprintf(&b, "    - {account: %s, code: C%d, maker: M, name: N, price: \"1.50\", order_qty: 2, status: 1, client_comment: %q, created: \"2026-01-%02d 10:%02d:00\"}\n",
			acc, i, comment, 1+i/60, i%60)
	}
	m := start(t, servertest.Options{Scenario: b.String()})
	var all []order
	for page := 1; ; page++ {
		list := orders(t, get(t, m, fmt.Sprintf("/v1/order/?api_key=k&page=%d", page)))
		if len(list) == 0 {
			if page != 3 {
				t.Fatalf("ran out at page %d", page)
			}
			break
		}
		if page < 2 && len(list) != 100 {
			t.Fatalf("page %d has %d orders", page, len(list))
		}
		all = append(all, list...)
	}
	if len(all) != 200 {
		t.Fatalf("%d orders over all pages, want 200", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i].ID >= all[i-1].ID || all[i].Created > all[i-1].Created {
			t.Fatalf("not newest first at %d: %v %v", i, all[i-1], all[i])
		}
	}
	if all[0].Total != "3.00" {
		t.Fatalf("total %s", all[0].Total)
	}
	// The filter applies before paging.
	list := orders(t, get(t, m, "/v1/order/?api_key=k&client_comment=%D0%BF%D0%B0%D1%80%D1%82%D0%B8%D1%8F%201"))
	for _, o := range list {
		if o.ClientComment != "Партия 1" {
			t.Fatalf("filtered in %q", o.ClientComment)
		}
	}
	if len(list) != party1 {
		t.Fatalf("%d orders of Партия 1, want %d", len(list), party1)
	}
}

func TestOrders_Detail(t *testing.T) {
	t.Parallel()
	m := start(t, servertest.Options{})
	t.Run("answers_the_document_example", func(t *testing.T) {
		r := get(t, m, "/v1/order/189330/?api_key=demo-key")
		expectJSON(t, r, 200)
		expect(t, r, 200, docOrderDetail)
	})
	t.Run("hides_another_accounts_order", func(t *testing.T) {
		expectError(t, get(t, m, "/v1/order/189331/?api_key=demo-key"), 404, "Заказ не найден.")
		expectError(t, get(t, m, "/v1/order/189331/history/?api_key=demo-key"), 404, "Заказ не найден.")
	})
	for _, id := range []string{"1", "999999", "0", "18446744073709551615", "99999999999999999999999"} {
		t.Run("answers_404_for_order_"+id, func(t *testing.T) {
			expectError(t, get(t, m, "/v1/order/"+id+"/?api_key=demo-key"), 404, "Заказ не найден.")
		})
	}
	t.Run("answers_404_for_a_non_numeric_id", func(t *testing.T) {
		expectError(t, get(t, m, "/v1/order/abc/?api_key=demo-key"), 404, "Не найдено.")
	})
	t.Run("matches_the_id_pattern_before_authentication_as_django_does", func(t *testing.T) {
		expectError(t, get(t, m, "/v1/order/abc/"), 404, "Не найдено.")
		expectError(t, get(t, m, "/v1/order/abc/history/?api_key=wrong"), 404, "Не найдено.")
		expectUnauthorized(t, get(t, m, "/v1/order/1/?api_key=wrong"))
	})
	t.Run("decodes_a_percent_encoded_id_as_django_does", func(t *testing.T) {
		r := get(t, m, "/v1/order/%31%389330/?api_key=demo-key")
		expectJSON(t, r, 200)
		expect(t, r, 200, docOrderDetail)
		expectError(t, get(t, m, "/v1/order/%61bc/?api_key=demo-key"), 404, "Не найдено.")
	})
	t.Run("needs_the_key_first", func(t *testing.T) {
		r := get(t, m, "/v1/order/189330/")
		expectUnauthorized(t, r)
	})
}

func TestOrders_History(t *testing.T) {
	t.Parallel()
	m := start(t, servertest.Options{})
	r := get(t, m, "/v1/order/189330/history/?api_key=demo-key")
	expectJSON(t, r, 200)
	servertest.Golden(t, "history_189330.json", r.Body)
	// carreta.txt's history example, first entry.
	const first = `{"objects": [{"comment": "\u0421\u043e\u0437\u0434\u0430\u043d \u0441\u043e \u0441\u0442\u0430\u0442\u0443\u0441\u043e\u043c \"\u0425\u043e\u043b\u0434\" \u043d\u0430 \u0441\u0443\u043c\u043c\u0443 212.86 \u0440\u0443\u0431.", "created": "2014-10-23T16:18:31.315072"}`
	if !bytes.HasPrefix(r.Body, []byte(first)) {
		t.Fatalf("history does not start as the document's:\n%s", r.Body)
	}
}

func TestAdmin_SetStatus(t *testing.T) {
	t.Parallel()
	m := start(t, servertest.Options{})
	adminPost := func(path, body string) servertest.Response {
		return m.Do(t, http.MethodPost, path, strings.NewReader(body), "Content-Type", "application/json")
	}
	t.Run("moves_the_order_and_records_it", func(t *testing.T) {
		m.Srv.Clock().Set(frozenAt.Add(90 * 60 * 1e9))
		listed := get(t, m, "/v1/order/?api_key=demo-key").Body // kept until an order changes
		// The order's answers are kept too (view.pages): the goldens below
		// show the move, not these.
		get(t, m, "/v1/order/189333/?api_key=demo-key")
		get(t, m, "/v1/order/189333/history/?api_key=demo-key")
		r := adminPost("/__admin/carreta/orders/189333/status", `{"status": 3, "comment": "Отгружено поставщиком"}`)
		if r.Status != 200 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		if o := orders(t, get(t, m, "/v1/order/?api_key=demo-key")); o[0].ID != 189333 || o[0].Status != 3 || bytes.Equal(listed, get(t, m, "/v1/order/?api_key=demo-key").Body) {
			t.Fatalf("the list after the move still shows %+v", o[0])
		}
		d := get(t, m, "/v1/order/189333/?api_key=demo-key")
		expectJSON(t, d, 200)
		servertest.Golden(t, "order_status_moved.json", d.Body)
		h := get(t, m, "/v1/order/189333/history/?api_key=demo-key")
		expectJSON(t, h, 200)
		servertest.Golden(t, "order_status_moved_history.json", h.Body)
	})
	t.Run("records_nothing_when_nothing_changes", func(t *testing.T) {
		before := get(t, m, "/v1/order/189333/history/?api_key=demo-key").Body
		if r := adminPost("/__admin/carreta/orders/189333/status", `{"status": 3}`); r.Status != 200 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		if after := get(t, m, "/v1/order/189333/history/?api_key=demo-key").Body; !bytes.Equal(before, after) {
			t.Fatalf("history grew: %s", after)
		}
	})
	for name, body := range map[string]string{
		"rejects_status_0":       `{"status": 0}`,
		"rejects_status_9":       `{"status": 9}`,
		"rejects_retired_6":      `{"status": 6}`,
		"rejects_missing_status": `{}`,
		"rejects_text_status":    `{"status": "3"}`,
		"rejects_unknown_fields": `{"status": 3, "colour": 1}`,
		"rejects_malformed":      `{"status":`,
	} {
		t.Run(name, func(t *testing.T) {
			if r := adminPost("/__admin/carreta/orders/189333/status", body); r.Status != 400 {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
		})
	}
	t.Run("rejects_data_after_the_object", func(t *testing.T) {
		r := adminPost("/__admin/carreta/orders/189333/status", `{"status": 3} {"status": 4}`)
		expect(t, r, 400, `{"error":"send {\"status\": a status id} and optionally \"comment\": unexpected data after the JSON value"}`+"\n")
	})
	t.Run("says_which_statuses_there_are", func(t *testing.T) {
		r := adminPost("/__admin/carreta/orders/189333/status", `{"status": 9}`)
		expect(t, r, 400, `{"error":"\"status\" must be one of 1 Ожидает оплаты, 2 Получен в заказ, 3 В работе, 11 Принят поставщиком, `+
			`4 В пути от поставщика, 13 На складе филиала, 12 В пути из филиала, 14 На складе, 15 В пути в пункт выдачи, `+
			`5 В пункте выдачи, 7 Выдан, 10 Нет в наличии, 8 Отменен"}`+"\n")
	})
	t.Run("answers_404_for_an_unknown_order", func(t *testing.T) {
		expect(t, adminPost("/__admin/carreta/orders/5/status", `{"status": 3}`), 404, `{"error":"no carreta order with this id"}`+"\n")
		expect(t, adminPost("/__admin/carreta/orders/abc/status", `{"status": 3}`), 404, `{"error":"order id must be a number"}`+"\n")
		for _, id := range []string{"5", "abc"} {
			if r := adminPost("/__admin/carreta/orders/"+id+"/status", `{"status": 3}`); r.Status != 404 {
				t.Fatalf("%s: %d %s", id, r.Status, r.Body)
			}
		}
	})
}

func TestRouting(t *testing.T) {
	t.Parallel()
	m := start(t, servertest.Options{})
	redirects := []struct{ method, path, location string }{
		{"GET", "/v1/profile?api_key=demo-key", "/v1/profile/?api_key=demo-key"},
		{"GET", "/v1/search?q=oc47&api_key=demo-key&account=", "/v1/search/?q=oc47&api_key=demo-key&account="},
		{"GET", "/v1/order", "/v1/order/"},
		{"POST", "/v1/order?api_key=demo-key", "/v1/order/?api_key=demo-key"},
		{"GET", "/v1/order/189330?api_key=demo-key", "/v1/order/189330/?api_key=demo-key"},
		{"GET", "/v1/order/189330/history?api_key=demo-key", "/v1/order/189330/history/?api_key=demo-key"},
		{"DELETE", "/v1/profile", "/v1/profile/"},
		// Location goes through Django's iri_to_uri: raw UTF-8 and unsafe
		// ASCII are percent-encoded, existing escapes and safe marks kept.
		{"GET", "/v1/search?q=фильтр&api_key=demo-key", "/v1/search/?q=%D1%84%D0%B8%D0%BB%D1%8C%D1%82%D1%80&api_key=demo-key"},
		{"GET", "/v1/search?q=oc%2047|x\"<>&api_key=demo-key", "/v1/search/?q=oc%2047%7Cx%22%3C%3E&api_key=demo-key"},
		{"GET", "/v1/search?q=a+b(c)*!~'@:;$,[]&api_key=demo-key", "/v1/search/?q=a+b(c)*!~'@:;$,[]&api_key=demo-key"},
	}
	for _, tc := range redirects {
		t.Run("redirects_"+tc.method+"_"+tc.path, func(t *testing.T) {
			before := storedOrders(t, m)
			r := m.Do(t, tc.method, tc.path, strings.NewReader(docOrder))
			expect(t, r, http.StatusMovedPermanently, "")
			if r.Header.Get("Location") != tc.location {
				t.Fatalf("Location %q", r.Header.Get("Location"))
			}
			if storedOrders(t, m) != before {
				t.Fatal("a redirected POST created an order")
			}
		})
	}
	notAllowed := []struct{ method, path, allow string }{
		{"POST", "/v1/profile/", "GET, HEAD"},
		{"PUT", "/v1/search/", "GET, HEAD"},
		{"DELETE", "/v1/order/", "GET, HEAD, POST"},
		{"PATCH", "/v1/order/189330/", "GET, HEAD"},
		{"POST", "/v1/order/189330/history/", "GET, HEAD"},
		{"OPTIONS", "/v1/order/", "GET, HEAD, POST"},
	}
	for _, tc := range notAllowed {
		t.Run("answers_405_to_"+tc.method+"_"+tc.path, func(t *testing.T) {
			r := m.Do(t, tc.method, tc.path+"?api_key=demo-key", nil)
			expectError(t, r, 405, fmt.Sprintf("Метод \"%s\" не разрешен.", tc.method))
			if r.Header.Get("Allow") != tc.allow {
				t.Fatalf("Allow %q", r.Header.Get("Allow"))
			}
		})
	}
	for _, p := range []string{"/v1", "/v1/", "/v1/nope/", "/v1/order/189330/nope/", "/v1/order/abc", "/v1/profile/x/"} {
		t.Run("answers_404_to_"+p, func(t *testing.T) {
			expectError(t, get(t, m, p+"?api_key=demo-key"), 404, "Не найдено.")
		})
	}
	t.Run("answers_head_like_get", func(t *testing.T) {
		r := m.Do(t, http.MethodHead, "/v1/profile/?api_key=demo-key", nil)
		if r.Status != 200 || r.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("%d %v", r.Status, r.Header)
		}
	})
}

// TestState_survivesRestart: orders written by a server are there, listed
// and indexed, for the next one on the same file.
func TestState_survivesRestart(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "state.db")
	m := start(t, servertest.Options{Config: server.Config{DB: db}})
	o := search(t, m, "oc47")[0]
	created := post(t, m, "/v1/order/?api_key=demo-key", offerBody(o, 2, "до рестарта"))
	expectJSON(t, created, 201)
	m.Close()
	if err := m.Srv.Close(); err != nil {
		t.Fatal(err)
	}
	m2 := start(t, servertest.Options{Config: server.Config{DB: db}})
	list := orders(t, get(t, m2, "/v1/order/?api_key=demo-key&client_comment=%D0%A0%D0%95%D0%A1%D0%A2%D0%90%D0%A0%D0%A2"))
	if len(list) != 1 || list[0].ClientComment != "до рестарта" {
		t.Fatalf("after restart: %v", list)
	}
	// The signature of the first server still holds: same scenario, same seed.
	expectJSON(t, post(t, m2, "/v1/order/?api_key=demo-key&test=on", offerBody(o, 2)), 201)
}

// TestErrors_golden pins the bytes of every kind of error body, escapes and
// all, as clients see them.
func TestErrors_golden(t *testing.T) {
	t.Parallel()
	m := start(t, servertest.Options{})
	tampered := search(t, m, "oc47")[4]
	tampered.Price = "1.00"
	cases := []struct {
		name string
		r    servertest.Response
	}{
		{"error_401.json", get(t, m, "/v1/profile/")},
		{"error_404_route.json", get(t, m, "/v1/nope/?api_key=demo-key")},
		{"error_404_order.json", get(t, m, "/v1/order/189331/?api_key=demo-key")},
		{"error_405.json", m.Do(t, http.MethodPut, "/v1/order/?api_key=demo-key", nil)},
		{"error_400_page.json", get(t, m, "/v1/order/?api_key=demo-key&page=0")},
		{"error_400_signature.json", post(t, m, "/v1/order/?api_key=demo-key", offerBody(tampered, 1))},
		{"error_400_json.json", post(t, m, "/v1/order/?api_key=demo-key", "{")},
		{"error_413.json", post(t, m, "/v1/order/?api_key=demo-key", strings.Repeat(" ", 2<<20))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.r.Status < 400 || tc.r.Status > 499 {
				t.Fatalf("status %d", tc.r.Status)
			}
			expectJSON(t, tc.r, tc.r.Status)
			servertest.Golden(t, tc.name, tc.r.Body)
		})
	}
}

// A body of a type Django REST framework has no parser for is its 415,
// after authentication; JSON, the form types curl -d and PHP clients send
// and no type at all are read. Half a surrogate pair is unreadable JSON,
// not U+FFFD stored. Nothing refused is stored.
func TestOrders_Create_mediaAndSurrogates(t *testing.T) {
	t.Parallel()
	m := start(t, servertest.Options{})
	body := offerBody(search(t, m, "oc47")[4], 1, "")
	send := func(ct, body string) servertest.Response {
		var h []string
		if ct != "" {
			h = []string{"Content-Type", ct}
		}
		return m.Do(t, http.MethodPost, "/v1/order/?api_key=demo-key", strings.NewReader(body), h...)
	}
	before := storedOrders(t, m)
	expectError(t, send("image/png", body), http.StatusUnsupportedMediaType, `Unsupported media type "image/png" in request.`)
	expectError(t, send("text/plain; charset=utf-8", body), http.StatusUnsupportedMediaType, `Unsupported media type "text/plain; charset=utf-8" in request.`)
	expectUnauthorized(t, m.Do(t, http.MethodPost, "/v1/order/?api_key=nobody", strings.NewReader(body), "Content-Type", "image/png"))
	withComment := func(c string) string {
		return strings.Replace(body, `"client_comment":""`, `"client_comment":"`+c+`"`, 1)
	}
	if !strings.Contains(withComment("x"), `"x"`) {
		t.Fatalf("offerBody has no client_comment: %s", body)
	}
	expectError(t, send("application/json", withComment(`\ud800`)), http.StatusBadRequest, "Тело запроса должно быть корректным JSON.")
	expectError(t, send("application/json", withComment(`\udc00x`)), http.StatusBadRequest, "Тело запроса должно быть корректным JSON.")
	if n := storedOrders(t, m); n != before {
		t.Fatalf("refused orders were stored: %d → %d", before, n)
	}
	for _, ct := range []string{"", "application/json; charset=utf-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"} {
		expectJSON(t, send(ct, withComment(`\ud83d\ude00`)), http.StatusCreated)
	}
}

// dropIndexes makes tx's file look like one written before the order
// list's indexes existed.
func dropIndexes(tx *state.Tx) error {
	for _, b := range []string{"carreta.order_index", "carreta.due", "carreta.due_blocks"} {
		if err := tx.ClearBucket(b); err != nil {
			return err
		}
	}
	return nil
}

// TestOrders_List_indexes: the list reads indexes kept beside the orders.
// A file without them (an older version's) is reindexed at start and lists
// as before; orders created after a filtered list are found by the next.
func TestOrders_List_indexes(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "state.db")
	var b strings.Builder
	b.WriteString("name: many\nseed: 1\ncarreta:\n  accounts: [{api_key: k}, {api_key: j}, {api_key: demo-key}]\n  orders:\n")
	for i := range 230 {
		acc := []string{"k", "j"}[i%2]
		fmt.Fprintf(&b, "    - {account: %s, code: C%d, maker: M, name: N, price: \"1.50\", order_qty: 2, status: 1, client_comment: \"партия %d\", created: \"2026-01-%02d 10:%02d:00\"}\n",
			acc, i, i%4, 1+i/60, i%60)
	}
	m := start(t, servertest.Options{Scenario: b.String(), Config: server.Config{DB: db}})
	paths := []string{"/v1/order/?api_key=k", "/v1/order/?api_key=k&page=2", "/v1/order/?api_key=j&page=2",
		"/v1/order/?api_key=k&client_comment=%D0%9F%D0%B0%D1%80%D1%82%D0%B8%D1%8F%202", "/v1/order/?api_key=k&page=2&client_comment=%D0%BF%D0%B0%D1%80"}
	before := map[string][]byte{}
	for _, p := range paths {
		r := get(t, m, p)
		expectJSON(t, r, 200)
		before[p] = r.Body
	}
	if n := len(orders(t, get(t, m, paths[1]))); n != 15 {
		t.Fatalf("page 2 of k's 115 orders holds %d", n)
	}
	m.Close()
	if err := m.Srv.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := state.Open(db+".carreta", clock.New(nil), carreta.Buckets...) // carreta's own file (state.Files)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Update(dropIndexes); err != nil || st.Close() != nil {
		t.Fatal(err)
	}
	m = start(t, servertest.Options{Config: server.Config{DB: db}})
	for _, p := range paths {
		if r := get(t, m, p); !bytes.Equal(r.Body, before[p]) {
			t.Errorf("%s after reindexing:\n%s\nbefore:\n%s", p, r.Body, before[p])
		}
	}
	o := search(t, m, "oc47")[0]
	expectJSON(t, post(t, m, "/v1/order/?api_key=k", offerBody(o, 2, "Партия 2, срочно")), 201)
	list := orders(t, get(t, m, paths[3]))
	if len(list) != 58 || list[0].ClientComment != "Партия 2, срочно" || list[1].ClientComment != "партия 2" {
		t.Fatalf("the filtered list after a new order: %d orders, first %v", len(list), list[:min(2, len(list))])
	}
	if first := orders(t, get(t, m, paths[0])); first[0].ID != list[0].ID || len(first) != 100 {
		t.Fatalf("the list after a new order starts with %d", first[0].ID)
	}
}

// TestOrders_generated: generate.orders makes up a history on the named
// account, oldest first, one a minute, "Заказ №n".
func TestOrders_generated(t *testing.T) {
	t.Parallel()
	m := start(t, servertest.Options{Scenario: "name: g\nseed: 1\ncarreta:\n  accounts: [{api_key: j}, {api_key: k}]\n" +
		"  catalog: [{code: A1, maker: M, name: N, price: \"2.00\", qty: \"5\", min_qty: 1, period_min: 1, period_max: 2}]\n" +
		"  generate: {orders: 150, orders_account: k}\n"})
	first, second := orders(t, get(t, m, "/v1/order/?api_key=k")), orders(t, get(t, m, "/v1/order/?api_key=k&page=2"))
	if len(first) != 100 || len(second) != 50 || first[0].ClientComment != "Заказ №150" || second[49].ClientComment != "Заказ №1" {
		t.Fatalf("pages of %d and %d: %v ... %v", len(first), len(second), first[0], second[len(second)-1])
	}
	if first[0].Total != "2.00" || first[0].Created <= first[1].Created {
		t.Fatalf("newest: %+v, next %+v", first[0], first[1])
	}
	if n := len(orders(t, get(t, m, "/v1/order/?api_key=j"))); n != 0 {
		t.Fatalf("j has %d orders", n)
	}
}
