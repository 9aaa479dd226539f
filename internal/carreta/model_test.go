package carreta_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/carreta"
	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/money"
)

// TestCheckOrderQty covers every bullet of carreta.txt "Создание заказа"
// and the edges around each, with the exact message a client gets.
func TestCheckOrderQty(t *testing.T) {
	t.Parallel()
	const (
		below  = "Количество к заказу (order_qty) должно быть меньше %d."
		atMost = "Количество к заказу (order_qty) не должно превышать %d."
		mult   = "Количество к заказу (order_qty) должно быть кратно минимальному количеству (min_qty) %d."
		pos    = "Количество к заказу (order_qty) должно быть целым положительным числом."
		none   = "Позиции нет в наличии: заказать нельзя."
		badQty = "Поле \"qty\" должно быть числом, \"<N\", \">N\" или содержать \"Есть\"."
		badMin = "Поле \"min_qty\" должно быть целым положительным числом."
	)
	f := func(format string, n int) string { return fmt.Sprintf(format, n) }
	cases := []struct {
		name     string
		qty      string
		minQty   int
		orderQty int
		want     string // "" means accepted
	}{
		// "если qty = "<10", то order_qty может быть в пределах [1..9]"
		{"below_accepts_1", "<10", 1, 1, ""},
		{"below_accepts_9", "<10", 1, 9, ""},
		{"below_rejects_10", "<10", 1, 10, f(below, 10)},
		{"below_rejects_11", "<10", 1, 11, f(below, 10)},
		{"below_1_has_nothing", "<1", 1, 1, none},
		{"below_2_allows_1", "<2", 1, 1, ""},
		// "если qty = ">50", то order_qty может быть в пределах [1..10000]"
		{"above_accepts_1", ">50", 1, 1, ""},
		{"above_accepts_51", ">50", 1, 51, ""},
		{"above_accepts_10000", ">50", 1, 10000, ""},
		{"above_rejects_10001", ">50", 1, 10001, f(atMost, 10000)},
		// "если qty = "10", то order_qty может быть в пределах [1..10]"
		{"exact_accepts_1", "10", 1, 1, ""},
		{"exact_accepts_10", "10", 1, 10, ""},
		{"exact_rejects_11", "10", 1, 11, f(atMost, 10)},
		{"exact_zero_has_nothing", "0", 1, 1, none},
		{"exact_huge_capped_at_10000", "500000", 1, 10001, f(atMost, 10000)},
		{"exact_huge_accepts_10000", "99999999999999999999999", 1, 10000, ""},
		// "если qty = "Есть", то order_qty может быть в пределах [1..10000]"
		{"in_stock_accepts_1", "Есть", 1, 1, ""},
		{"in_stock_accepts_10000", "Есть", 1, 10000, ""},
		{"in_stock_rejects_10001", "Есть", 1, 10001, f(atMost, 10000)},
		{"contains_in_stock", "Есть на складе", 1, 7, ""},
		// "Значение order_qty должно быть кратным значению min_qty"
		{"multiple_2", ">50", 2, 2, ""},
		{"multiple_4", ">50", 2, 4, ""},
		{"multiple_8", ">50", 2, 8, ""},
		{"not_multiple_3", ">50", 2, 3, f(mult, 2)},
		{"not_multiple_1", "Есть", 4, 1, f(mult, 4)},
		{"multiple_within_below", "<10", 4, 8, ""},
		{"multiple_but_not_below", "<8", 4, 8, f(below, 8)},
		{"stock_checked_before_multiple", "10", 4, 11, f(atMost, 10)},
		// order_qty itself
		{"rejects_zero", "500", 1, 0, pos},
		{"rejects_negative", "500", 1, -5, pos},
		// offers that are not what search gives (only reachable with a
		// pinned signature or a bug, but never a panic)
		{"rejects_zero_min_qty", "500", 0, 1, badMin},
		{"rejects_negative_min_qty", "500", -2, 2, badMin},
		{"rejects_bad_qty", "many", 1, 1, badQty},
		{"rejects_empty_qty", "", 1, 1, badQty},
		{"rejects_bare_sign", "<", 1, 1, badQty},
		{"rejects_signed_number", "+5", 1, 1, badQty},
		{"rejects_both_signs", "<>5", 1, 1, badQty},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := carreta.CheckOrderQty(tc.qty, tc.minQty, tc.orderQty)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("rejected: %v", err)
			case tc.want != "" && err == nil:
				t.Fatalf("accepted, want %q", tc.want)
			case tc.want != "" && err.Message != tc.want:
				t.Fatalf("message %q, want %q", err.Message, tc.want)
			case err != nil && err.Status != 400:
				t.Fatalf("status %d", err.Status)
			}
		})
	}
}

func TestParseQty(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in    string
		ok    bool
		kind  carreta.QtyKind
		n     int
		limit int
	}{
		{"500", true, carreta.QtyExact, 500, 500},
		{"<10", true, carreta.QtyBelow, 10, 9},
		{">50", true, carreta.QtyAbove, 50, 10000},
		{"Есть", true, carreta.QtyInStock, 0, 10000},
		{"007", true, carreta.QtyExact, 7, 7},
		{"<0", true, carreta.QtyBelow, 0, -1},
		{"", false, 0, 0, 0},
		{"5 ", false, 0, 0, 0},
		{"-5", false, 0, 0, 0},
		{"есть", false, 0, 0, 0}, // the document's word is capitalised
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			q, ok := carreta.ParseQty(tc.in)
			if ok != tc.ok {
				t.Fatalf("ok %v", ok)
			}
			if ok && (q.Kind != tc.kind || q.N != tc.n || q.Limit() != tc.limit) {
				t.Fatalf("got %+v limit %d", q, q.Limit())
			}
		})
	}
}

func TestNormalizeCode(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"OC47":          "oc47",
		"OC 47":         "oc47",
		"oc-47":         "oc47",
		" o.c/47 ":      "oc47",
		"W 712/75":      "w71275",
		"0 451 103 316": "0451103316",
		"FR7DC+":        "fr7dc",
		"Фильтр-АБ":     "фильтраб",
		"---":           "",
		"\xff\xfeOC47":  "oc47",
	}
	for in, want := range cases {
		if got := string(carreta.NormalizeCode(nil, in)); got != want {
			t.Errorf("NormalizeCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParsePage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		n    int
		okay bool
	}{
		{"", 1, true}, {"1", 1, true}, {"2", 2, true}, {"007", 7, true},
		{"99999999999999999999999999", 1 << 40, true},
		{"0", 0, false}, {"-1", 0, false}, {"abc", 0, false}, {"1.5", 0, false}, {" 1", 0, false}, {"+1", 0, false},
	}
	for _, tc := range cases {
		n, ok := carreta.ParsePage(tc.in)
		if ok != tc.okay || (ok && n < tc.n) {
			t.Errorf("ParsePage(%q) = %d, %v", tc.in, n, ok)
		}
	}
}

func TestFormatTime(t *testing.T) {
	t.Parallel()
	utc := time.Date(2014, 10, 23, 13, 18, 31, 315072999, time.UTC)
	if got := carreta.FormatTime(utc); got != "2014-10-23T16:18:31.315072" {
		t.Errorf("got %s, want Moscow time with microseconds", got)
	}
	// Python's isoformat drops a zero fraction.
	if got := carreta.FormatTime(time.Date(2026, 1, 1, 0, 0, 0, 999, clock.Moscow)); got != "2026-01-01T00:00:00" {
		t.Errorf("got %s", got)
	}
	if got := carreta.FormatTime(time.Date(2026, 1, 1, 0, 0, 0, 1000, clock.Moscow)); got != "2026-01-01T00:00:00.000001" {
		t.Errorf("got %s", got)
	}
}

func TestOrderNumber(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		carreta.OrderNumber(111342, 1):  "A111342-1",
		carreta.OrderNumber(7, 12):      "A000007-12",
		carreta.OrderNumber(1234567, 2): "A234567-2",
	}
	for got, want := range cases {
		if got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	}
}

// TestStatuses pins the vendor's thirteen statuses (SPEC §12) with the
// document's own text for 7, and that a number outside the table has no
// name.
func TestStatuses(t *testing.T) {
	t.Parallel()
	vendor := carreta.NewStatuses(carreta.VendorStatuses)
	want := map[int]string{
		1: "Ожидает оплаты", 2: "Получен в заказ", 3: "В работе", 11: "Принят поставщиком",
		4: "В пути от поставщика", 13: "На складе филиала", 12: "В пути из филиала", 14: "На складе",
		15: "В пути в пункт выдачи", 5: "В пункте выдачи", 7: "Выдан", 10: "Нет в наличии", 8: "Отменен",
	}
	for i := -1; i <= 16; i++ {
		w, ok := want[i]
		if got := vendor.Name(carreta.Status(i)); got != w {
			t.Errorf("status %d: %q, want %q", i, got, w)
		}
		if has := vendor.Has(carreta.Status(i)); has != ok {
			t.Errorf("status %d: Has %v", i, has)
		}
	}
	const list = "1 Ожидает оплаты, 2 Получен в заказ, 3 В работе, 11 Принят поставщиком, 4 В пути от поставщика, " +
		"13 На складе филиала, 12 В пути из филиала, 14 На складе, 15 В пути в пункт выдачи, 5 В пункте выдачи, " +
		"7 Выдан, 10 Нет в наличии, 8 Отменен"
	if got := vendor.List(); got != list {
		t.Errorf("list %s", got)
	}
}

// TestLegacyStatus: every status of the retired guess maps to the vendor
// status of the same meaning; other numbers are kept.
func TestLegacyStatus(t *testing.T) {
	t.Parallel()
	cases := map[carreta.Status]carreta.Status{
		1: carreta.StatusReceived, 2: carreta.StatusInWork, 3: carreta.StatusAccepted, 4: carreta.StatusFromSupplier,
		5: carreta.StatusInStock, 6: carreta.StatusAtPickup, 7: carreta.StatusIssued, 8: carreta.StatusCancelled,
		0: 0, 9: 9, 14: 14,
	}
	for old, want := range cases {
		if got := carreta.LegacyStatus(old); got != want {
			t.Errorf("LegacyStatus(%d) = %d, want %d", old, got, want)
		}
	}
	if name, now, ok := carreta.RetiredStatus(6); !ok || name != "Готов к выдаче" || now != carreta.StatusAtPickup {
		t.Errorf("RetiredStatus(6) = %q, %d, %v", name, now, ok)
	}
	if _, _, ok := carreta.RetiredStatus(2); ok {
		t.Error("2 is a vendor status too: nothing to explain")
	}
}

func TestHistoryComments(t *testing.T) {
	t.Parallel()
	// carreta.txt history example, unescaped: "Холд" is the document's
	// text, whatever the table calls a new order's status.
	if got := carreta.CreatedComment(money.Amount(21286)); got != `Создан со статусом "Холд" на сумму 212.86 руб.` {
		t.Errorf("got %s", got)
	}
	vendor := carreta.NewStatuses(carreta.VendorStatuses)
	if got := vendor.Comment(carreta.StatusReceived, carreta.StatusInWork); got != `Статус изменен с "Получен в заказ" на "В работе"` {
		t.Errorf("got %s", got)
	}
}

func TestParseID(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in string
		id uint64
		ok bool
	}{
		{"189330", 189330, true},
		{"007", 7, true},
		{"0", 0, true},
		{"18446744073709551609", 18446744073709551609, true},
		// Django's \d+ still matches beyond that: no order has such an id,
		// so it reads as 0.
		{"18446744073709551615", 0, true},
		{"99999999999999999999999", 0, true},
		{"", 0, false},
		{"abc", 0, false},
		{"1a", 0, false},
		{"-1", 0, false},
		{"+1", 0, false},
		{" 1", 0, false},
		{"99999999999999999999x", 0, false},
	}
	for _, tc := range cases {
		if id, ok := carreta.ParseID(tc.in); id != tc.id || ok != tc.ok {
			t.Errorf("parseID(%q) = %d, %v; want %d, %v", tc.in, id, ok, tc.id, tc.ok)
		}
	}
}
