package carreta_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/carreta"
	"github.com/mockserver/mockserver/internal/money"
)

// docOrder is the order body of carreta.txt's curl example, escapes and all.
const docOrder = `{"_": "DqYXihjdqSPM4OKLl9uE6J+Te0AMfMSYhkNNgDbhOTJDDGP+JdDi28ZxGbbDkXBvUw7Yu6q69MiKBaDSnYdY6imfljWcQFw=","code": "OC47","maker": "KNECHT/MAHLE","min_qty": 1,"name": "\u0424\u0438\u043b\u044c\u0442\u0440 \u043c\u0430\u0441\u043b\u044f\u043d\u044b\u0439","period_max": 7,"period_min": 7,"price": "175.11","qty": "300","order_qty": 10}`

func TestDecodeOrder_readsTheDocumentExample(t *testing.T) {
	t.Parallel()
	req, err := carreta.DecodeOrder([]byte(docOrder))
	if err != nil {
		t.Fatal(err)
	}
	want := carreta.Offer{Code: "OC47", Maker: "KNECHT/MAHLE", Name: "Фильтр масляный", Price: money.Amount(17511),
		Qty: "300", MinQty: 1, PeriodMin: 7, PeriodMax: 7}
	if req.Offer.Code != want.Code || req.Offer.Maker != want.Maker || req.Offer.Name != want.Name ||
		req.Offer.Price != want.Price || req.Offer.Qty != want.Qty || req.Offer.MinQty != want.MinQty ||
		req.Offer.PeriodMin != want.PeriodMin || req.Offer.PeriodMax != want.PeriodMax {
		t.Fatalf("offer %+v", req.Offer)
	}
	if req.OrderQty != 10 || !strings.HasPrefix(req.Sig, "DqYX") || req.ClientComment != "" {
		t.Fatalf("request %+v", req)
	}
}

// with replaces or removes (value "") one key of the document's body.
func with(key, value string) string {
	body := strings.TrimSuffix(docOrder, "}")
	var parts []string
	found := false
	for _, p := range splitTop(body[1:]) {
		k := strings.TrimSpace(p[:strings.Index(p, ":")])
		if k == `"`+key+`"` {
			found = true
			if value == "" {
				continue
			}
			p = k + ": " + value
		}
		parts = append(parts, p)
	}
	if !found && value != "" {
		parts = append(parts, `"`+key+`": `+value)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// splitTop splits the flat object body on the commas between members.
func splitTop(s string) []string {
	var out []string
	inStr, start := false, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && inStr:
			i++
		case s[i] == '"':
			inStr = !inStr
		case s[i] == ',' && !inStr:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func TestDecodeOrder(t *testing.T) {
	t.Parallel()
	const (
		required = "Поле \"%s\" обязательно."
		str      = "Поле \"%s\" должно быть строкой."
		integer  = "Поле \"%s\" должно быть целым числом."
		rng      = "Поле \"%s\" вне допустимого диапазона."
		decimal  = "Поле \"%s\" должно быть десятичным числом с не более чем двумя знаками после точки, например \"152.02\"."
	)
	msg := func(format, field string) string { return strings.Replace(format, "%s", field, 1) }
	cases := []struct {
		name string
		body string
		want string // "" means decoded
		qty  int
	}{
		{"accepts_document_example", docOrder, "", 10},
		{"accepts_integer_as_float", with("order_qty", "10.0"), "", 10},
		{"accepts_integer_as_string", with("order_qty", `"10"`), "", 10},
		{"accepts_integer_in_exponent_form", with("order_qty", "1e1"), "", 10},
		{"accepts_price_as_number", with("price", "175.11"), "", 10},
		{"accepts_price_in_exponent_form", with("price", "1.7511e2"), "", 10},
		{"accepts_null_comment", with("client_comment", "null"), "", 10},
		{"ignores_unknown_keys", with("stat", "null"), "", 10},
		{"accepts_php_escaped_slashes", with("maker", `"KNECHT\/MAHLE"`), "", 10},
		{"takes_the_last_of_repeated_keys", strings.TrimSuffix(docOrder, "}") + `, "order_qty": 3}`, "", 3},
		{"rejects_invalid_utf8", with("client_comment", "\"\xff\""), "Тело запроса должно быть в кодировке UTF-8.", 0},
		{"rejects_malformed_json", `{"_": `, "Тело запроса должно быть корректным JSON.", 0},
		{"rejects_empty_body", ``, "Тело запроса должно быть корректным JSON.", 0},
		{"rejects_trailing_garbage", docOrder + "x", "Тело запроса должно быть корректным JSON.", 0},
		{"rejects_array", `[1]`, "Тело запроса должно быть JSON-объектом с полями позиции из поиска.", 0},
		{"rejects_null", `null`, "Тело запроса должно быть JSON-объектом с полями позиции из поиска.", 0},
		{"rejects_string", `"x"`, "Тело запроса должно быть JSON-объектом с полями позиции из поиска.", 0},
		{"rejects_missing_signature", with("_", ""), msg(required, "_"), 0},
		{"rejects_null_signature", with("_", "null"), msg(required, "_"), 0},
		{"rejects_missing_code", with("code", ""), msg(required, "code"), 0},
		{"rejects_missing_order_qty", with("order_qty", ""), msg(required, "order_qty"), 0},
		{"rejects_missing_qty", with("qty", ""), msg(required, "qty"), 0},
		{"rejects_numeric_code", with("code", "47"), msg(str, "code"), 0},
		{"rejects_numeric_qty", with("qty", "300"), msg(str, "qty"), 0},
		{"rejects_object_name", with("name", "{}"), msg(str, "name"), 0},
		{"rejects_fractional_order_qty", with("order_qty", "1.5"), msg(integer, "order_qty"), 0},
		{"rejects_boolean_order_qty", with("order_qty", "true"), msg(integer, "order_qty"), 0},
		{"rejects_word_order_qty", with("order_qty", `"ten"`), msg(integer, "order_qty"), 0},
		{"rejects_array_min_qty", with("min_qty", "[1]"), msg(integer, "min_qty"), 0},
		{"rejects_huge_order_qty", with("order_qty", "100000000000000000000000"), msg(rng, "order_qty"), 0},
		{"rejects_huge_float_order_qty", with("order_qty", "1e400"), msg(rng, "order_qty"), 0},
		{"rejects_huge_period", with("period_min", "-9999999999"), msg(rng, "period_min"), 0},
		{"rejects_comma_price", with("price", `"175,11"`), msg(decimal, "price"), 0},
		{"rejects_fraction_of_kopeck", with("price", `"175.111"`), msg(decimal, "price"), 0},
		{"rejects_huge_price", with("price", `"1000000000000000"`), msg(rng, "price"), 0},
		{"rejects_boolean_price", with("price", "false"), msg(decimal, "price"), 0},
		{"rejects_numeric_comment", with("client_comment", "5"), msg(str, "client_comment"), 0},
		// source is optional (carreta.txt's minimal body has none); sent,
		// it is the string search gave.
		{"accepts_a_source", with("source", `"57"`), "", 10},
		{"accepts_null_source", with("source", "null"), "", 10},
		{"rejects_numeric_source", with("source", "57"), msg(str, "source"), 0},
		{"reports_fields_in_document_order", `{"order_qty": "x"}`, msg(required, "_"), 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := carreta.DecodeOrder([]byte(tc.body))
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("rejected %s: %v", tc.body, err)
			case tc.want == "" && req.OrderQty != tc.qty:
				t.Fatalf("order_qty %d", req.OrderQty)
			case tc.want != "" && err == nil:
				t.Fatalf("accepted %s", tc.body)
			case tc.want != "" && (err.Message != tc.want || err.Status != 400):
				t.Fatalf("got %d %q\nwant %q", err.Status, err.Message, tc.want)
			}
		})
	}
}

func TestCheckOrder(t *testing.T) {
	t.Parallel()
	s := carreta.NewSigner(42)
	offer := carreta.Offer{Code: "OC47", Maker: "KNECHT/MAHLE", Name: "Фильтр масляный", Price: 15202, Qty: "500", MinQty: 1, PeriodMin: 7, PeriodMax: 7}
	ok := carreta.OrderRequest{Offer: offer, Sig: s.Sign(&offer), OrderQty: 5, ClientComment: strings.Repeat("ж", 50)}
	cases := []struct {
		name   string
		change func(r *carreta.OrderRequest)
		want   string
	}{
		{"accepts_signed_offer", func(*carreta.OrderRequest) {}, ""},
		{"rejects_tampered_signature", func(r *carreta.OrderRequest) { r.Sig = r.Sig[:10] + flip(r.Sig[10]) + r.Sig[11:] }, "signature"},
		{"rejects_comment_over_50_characters", func(r *carreta.OrderRequest) { r.ClientComment += "ж" }, "Поле \"client_comment\" должно быть не длиннее 50 символов."},
		{"rejects_order_qty_over_stock", func(r *carreta.OrderRequest) { r.OrderQty = 501 }, "Количество к заказу (order_qty) не должно превышать 500."},
		{"checks_signature_before_qty", func(r *carreta.OrderRequest) { r.Offer.Qty = ">50"; r.OrderQty = 600 }, "signature"},
		{"accepts_the_offers_source", func(r *carreta.OrderRequest) { src := s.Source(&r.Offer); r.Source = &src }, ""},
		{"rejects_another_source", func(r *carreta.OrderRequest) { src := "x" + s.Source(&r.Offer); r.Source = &src }, msgBadSource},
		{"checks_signature_before_source", func(r *carreta.OrderRequest) { src := ""; r.Source = &src; r.Sig = "AAAA" }, "signature"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := ok
			tc.change(&r)
			err := carreta.CheckOrder(s, &r)
			switch {
			case tc.want == "" && err != nil:
				t.Fatal(err)
			case tc.want == "":
			case err == nil:
				t.Fatal("accepted")
			case tc.want == "signature" && !strings.Contains(err.Message, "Подпись позиции"):
				t.Fatalf("got %q", err.Message)
			case tc.want != "signature" && err.Message != tc.want:
				t.Fatalf("got %q", err.Message)
			}
		})
	}
}

// msgBadSource is what an order whose source is not its offer's gets.
const msgBadSource = "Поле \"source\" не совпадает с источником позиции из поиска. Повторите поиск и передайте позицию без изменений."

// TestSigner_Source: an offer's source is its own, or the catalog's for the
// same signed fields, or derived from them and the seed: stable on every
// search and run, another scenario seed's differs.
func TestSigner_Source(t *testing.T) {
	t.Parallel()
	s := carreta.NewSigner(42)
	o := carreta.Offer{Code: "OC47", Maker: "KNECHT/MAHLE", Name: "Фильтр масляный", Price: 15202, Qty: "500", MinQty: 1, PeriodMin: 7, PeriodMax: 7}
	derived := s.Source(&o)
	if n, err := strconv.Atoi(derived); err != nil || n < 1 || n > 99 {
		t.Fatalf("derived source %q", derived)
	}
	if again := carreta.NewSigner(42).Source(&o); again != derived {
		t.Fatalf("%q then %q", derived, again)
	}
	other := 0
	for seed := int64(0); seed < 20; seed++ {
		if carreta.NewSigner(seed).Source(&o) != derived {
			other++
		}
	}
	if other == 0 {
		t.Fatal("every seed derives the same source")
	}
	s.PinSource(&o, "57")
	if got := s.Source(&o); got != "57" {
		t.Fatalf("pinned source %q", got)
	}
	o.Source = "12"
	if got := s.Source(&o); got != "12" {
		t.Fatalf("own source %q", got)
	}
	// desc, is_cross and stat are not signed: they do not change the offer.
	o.Source, o.Desc, o.IsCross = "", "Оригинал", true
	if got := s.Source(&o); got != "57" {
		t.Fatalf("same offer, other desc: %q", got)
	}
}

// flip changes one base64 character to another.
func flip(c byte) string {
	if c == 'B' {
		return "C"
	}
	return "B"
}
