package amapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// order is a create-order body that passes, with extra fields spliced in
// front (later keys win in JSON, so a test can also override one).
func order(extra string) string {
	item := `{"productId":1191767,"itemId":857,"name":"Смартфон","price":12554,"quantity":1}`
	base := `"name":"Иванов Иван Иванович","email":"ivanov@example.com","phone":"+7 999 999-99-99","deliveryType":"pickup","items":[` + item + `]`
	if extra == "" {
		return "{" + base + "}"
	}
	return "{" + base + "," + extra + "}"
}

func createdCode(t *testing.T, body []byte) string {
	t.Helper()
	var v struct {
		OrderCreated bool
		OrderCode    string
	}
	if err := json.Unmarshal(body, &v); err != nil || !v.OrderCreated || !codeRe.MatchString(v.OrderCode) {
		t.Fatalf("not an OrderCreated body: %s", body)
	}
	return v.OrderCode
}

func TestOrders_Create(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body string
	}{
		{"minimal", order("")},
		{"integers_as_floats", order(`"lgsCompanyId":304.0,"lgsTariffId":1502.0,"paymentOption":1.0,"items":[{"productId":1191767.0,"itemId":857.0,"name":"x","price":12554.0,"quantity":1.0,"status":12554.0}]`)},
		{"integers_as_strings", order(`"lgsCompanyId":"304","items":[{"productId":"1191767","itemId":"857","name":"x","price":"12554.50","quantity":"2"}]`)},
		{"integer_in_exponent_form", order(`"desiredDeliveryDate":1.626695813e9`)},
		{"terminal_id_as_number", order(`"lgsTerminalId":103`)},
		{"address_delivery_with_address", order(`"deliveryType":"address","address":{"city":"Москва"}`)},
		{"nulls_for_optional_fields", order(`"deliveryCompany":null,"address":null,"totalWeight":null`)},
		{"unknown_fields_kept", order(`"comment":"позвонить заранее","promo":{"code":"X"}`)},
		{"zero_price", order(`"items":[{"productId":1,"itemId":1,"name":"Подарок","price":0,"quantity":1}]`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := start(t)
			r := post(t, m, "/api/create-order", tc.body, bearer(ordersToken)...)
			if r.Status != http.StatusCreated {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
			code := createdCode(t, r.Body)
			o := rows(t, m, "orders")[0]
			raw, _ := json.Marshal(o["request"])
			if o["code"] != code || !jsonEqual(t, raw, []byte(tc.body)) {
				t.Fatalf("stored %v, want the request as sent", o)
			}
		})
	}
}

func TestOrders_Create_rejects(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body, golden string
	}{
		{"empty_object", `{}`, "order_missing.json"},
		{"items_empty", order(`"items":[]`), "order_items_empty.json"},
		{"items_not_a_list", order(`"items":{"productId":1}`), "order_items_object.json"},
		{"item_not_an_object", order(`"items":[5,null]`), "order_item_scalar.json"},
		{"item_fields_missing", order(`"items":[{}]`), "order_item_empty.json"},
		{"item_fields_missing_in_second", order(`"items":[{"productId":1,"itemId":1,"name":"a","price":1,"quantity":1},{"name":"b"}]`), "order_item_second.json"},
		{"negative_price", order(`"items":[{"productId":1,"itemId":1,"name":"a","price":-0.01,"quantity":1}]`), "order_negative_price.json"},
		{"zero_quantity", order(`"items":[{"productId":1,"itemId":1,"name":"a","price":1,"quantity":0}]`), "order_zero_quantity.json"},
		{"fractional_quantity", order(`"items":[{"productId":1,"itemId":1,"name":"a","price":1,"quantity":1.5}]`), "order_fractional_quantity.json"},
		{"boolean_quantity", order(`"items":[{"productId":1,"itemId":1,"name":"a","price":1,"quantity":true}]`), "order_fractional_quantity.json"},
		{"huge_integer", order(`"items":[{"productId":99999999999999999999,"itemId":1,"name":"a","price":1,"quantity":1}]`), "order_huge_id.json"},
		{"huge_float", order(`"items":[{"productId":1,"itemId":1,"name":"a","price":1e400,"quantity":1}]`), "order_huge_price.json"},
		{"price_not_a_number", order(`"items":[{"productId":1,"itemId":1,"name":"a","price":"дёшево","quantity":1}]`), "order_huge_price.json"},
		{"address_required_for_address_delivery", order(`"deliveryType":"address"`), "order_address_required.json"},
		{"address_not_an_object", order(`"address":"Москва"`), "order_address_type.json"},
		{"address_field_types", order(`"address":{"city":5,"latitude":"north"}`), "order_address_fields.json"},
		{"name_not_a_string", order(`"name":["Иванов"]`), "order_name_type.json"},
		{"negative_total", order(`"totalWeight":-1`), "order_negative_total.json"},
	}
	// One server for every case: each checks that its refusal changed
	// nothing, which is what makes sharing it safe.
	m := start(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			expectGolden(t, post(t, m, "/api/create-order", tc.body, bearer(ordersToken)...), http.StatusBadRequest, tc.golden)
			if n := len(rows(t, m, "orders")); n != 0 {
				t.Fatalf("%d orders stored after a refusal", n)
			}
		})
	}
}

func TestOrders_BuyClickAndCallback_rejects(t *testing.T) {
	t.Parallel()
	cases := []struct {
		path, body, golden string
	}{
		{"/api/buy-click", `{}`, "buy_click_missing.json"},
		{"/api/buy-click", `{"phone":"+7","name":"Иванов","email":5,"items":[{"productId":1,"itemId":1,"name":"a","price":1,"quantity":1}]}`, "buy_click_email_type.json"},
		{"/api/callback", `{}`, "callback_missing.json"},
		{"/api/callback", `{"phone":"+7 999 999-99-99"}`, "callback_name.json"},
	}
	// One server for every case: each checks that its refusal changed
	// nothing, which is what makes sharing it safe.
	m := start(t)
	for _, tc := range cases {
		t.Run(strings.TrimSuffix(tc.golden, ".json"), func(t *testing.T) {
			expectGolden(t, post(t, m, tc.path, tc.body, bearer(ordersToken)...), http.StatusBadRequest, tc.golden)
			if n := len(rows(t, m, "orders")); n != 0 {
				t.Fatalf("%d orders stored after a refusal", n)
			}
		})
	}
}

// Codes come from the scenario seed and the order's sequence number: the
// same scenario gives the same codes, another seed other ones, and no code
// repeats.
func TestOrders_codesReproducibleAndUnique(t *testing.T) {
	t.Parallel()
	const n = 40
	run := func(seed int) []string {
		m := start(t, fmt.Sprintf("name: s\nseed: %d\namapi:\n  users:\n    - {name: A, email: a@example.com, password: password1, tokens: [%q]}\n", seed, demoToken))
		var codes []string
		for i := 0; i < n; i++ {
			path := []string{"/api/create-order", "/api/buy-click", "/api/callback"}[i%3]
			body := map[string]string{"/api/create-order": order(""), "/api/callback": `{"phone":"1","name":"a"}`,
				"/api/buy-click": `{"phone":"1","name":"a","items":[{"productId":1,"itemId":1,"name":"a","price":1,"quantity":1}]}`}[path]
			r := post(t, m, path, body, bearer(demoToken)...)
			if r.Status != http.StatusCreated {
				t.Fatalf("%s: %d %s", path, r.Status, r.Body)
			}
			codes = append(codes, createdCode(t, r.Body))
		}
		stored := rows(t, m, "orders")
		for i, o := range stored {
			if o["code"] != codes[i] || o["kind"] != []string{"create-order", "buy-click", "callback"}[i%3] {
				t.Fatalf("stored order %d: %v", i, o)
			}
		}
		return codes
	}
	a, b, c := run(42), run(42), run(7)
	seen := map[string]bool{}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("order %d: %s then %s under the same seed", i, a[i], b[i])
		}
		if seen[a[i]] {
			t.Fatalf("code %s repeats", a[i])
		}
		seen[a[i]] = true
	}
	if strings.Join(a, ",") == strings.Join(c, ",") {
		t.Fatal("another seed gave the same codes")
	}
}
