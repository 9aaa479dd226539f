package saplab_test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/check"
	"github.com/mockserver/mockserver/internal/money"
	"github.com/mockserver/mockserver/internal/saplab"
)

func TestDebtOf(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name                           string
		payed, denied, archived, inNew bool
		debt, blocked                  money.Amount
	}{
		{"owed", false, false, false, false, 100, 0},
		{"blocked in the new status", false, false, false, true, 0, 100},
		{"paid owes nothing", true, false, false, false, 0, 0},
		{"denied owes nothing", false, true, false, true, 0, 0},
		{"archived owes nothing", false, false, true, false, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, b := saplab.DebtOf(tc.payed, tc.denied, tc.archived, tc.inNew, 100)
			if d != tc.debt || b != tc.blocked {
				t.Fatalf("got %v/%v", d, b)
			}
		})
	}
}

func TestPlanPay(t *testing.T) {
	t.Parallel()
	items := []saplab.PayItem{
		{ID: 20, ClientID: 2, Total: 3959},
		{ID: 19, ClientID: 1, Payed: true, Total: 474},
		{ID: 21, ClientID: 2, Payed: true, Total: 100},
		{ID: 22, ClientID: 2, Total: 1},
	}
	plan := saplab.PlanPay(items)
	if len(plan) != 2 || plan[0].ClientID != 2 || plan[1].ClientID != 1 {
		t.Fatalf("clients in first-seen order: %+v", plan)
	}
	if !slices.Equal(plan[0].Pay, []int64{20, 22}) || !slices.Equal(plan[0].Refund, []int64{21}) || plan[0].Need != 3960 || plan[0].Refunded != 100 {
		t.Fatalf("client 2: %+v", plan[0])
	}
	cases := []struct {
		name    string
		balance money.Amount
		want    money.Amount
	}{
		{"exactly enough with the refund", 3860, 0},
		{"short by the document's 10000", 3860 - 10000*100, 10000 * 100},
		{"more than enough", 1_000_000, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := saplab.Shortfall(tc.balance, plan[0]); got != tc.want {
				t.Fatalf("shortfall %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCompareNames(t *testing.T) {
	t.Parallel()
	// saplab.txt's status list, in its order.
	doc := []string{"В работе", "Выдано (Отправлено)", "Заказано", "Оприходовано офисом", "Принято", "Приостановлено", "Снято"}
	shuffled := []string{"Снято", "Принято", "В работе", "Приостановлено", "Заказано", "Выдано (Отправлено)", "Оприходовано офисом"}
	slices.SortFunc(shuffled, saplab.CompareNames)
	if !slices.Equal(shuffled, doc) {
		t.Fatalf("got %q", shuffled)
	}
	cases := []struct {
		a, b string
		want int
	}{
		{"ёж", "ель", 1}, {"ёж", "жук", -1}, {"еж", "ёж", -1}, {"abc", "абв", -1}, {"9", "a", -1},
		{"Заказ", "заказ", -1}, {"за каз", "заказ", -1}, {"заказ", "заказано", -1},
	}
	for _, tc := range cases {
		t.Run(tc.a+" vs "+tc.b, func(t *testing.T) {
			if got := saplab.CompareNames(tc.a, tc.b); got != tc.want {
				t.Fatalf("got %d", got)
			}
		})
	}
}

func TestWholesalerInfo(t *testing.T) {
	t.Parallel()
	cases := []struct{ typ, org, want string }{
		{"ООО", "Рога и Копыта", `ООО "Рога и Копыта"`},
		{"", "Рога и Копыта", `"Рога и Копыта"`},
		{"ИП", "", "ИП"},
		{" ООО ", " Вектор ", `ООО "Вектор"`},
	}
	for _, tc := range cases {
		if got := saplab.WholesalerInfo(tc.typ, tc.org); got != tc.want {
			t.Fatalf("WholesalerInfo(%q, %q) = %q", tc.typ, tc.org, got)
		}
	}
}

func TestTimes(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, pg, history string }{
		{"2017-01-15 22:02:43.114625", "2017-01-15 22:02:43.114625", "2017-01-15 19:02:43.000000"},
		{"2017-04-11 21:31:24.489850", "2017-04-11 21:31:24.48985", "2017-04-11 18:31:24.000000"},
		{"2017-01-20 09:30:00", "2017-01-20 09:30:00", "2017-01-20 06:30:00.000000"},
		{"2017-01-01 01:00:00.5", "2017-01-01 01:00:00.5", "2016-12-31 22:00:00.000000"},
	}
	for _, tc := range cases {
		tm, err := check.ParseTime(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := saplab.PGTime(tm.In(time.UTC)); got != tc.pg {
			t.Fatalf("PGTime(%s) = %s", tc.in, got)
		}
		if got := saplab.HistoryTime(tm); got != tc.history {
			t.Fatalf("HistoryTime(%s) = %s", tc.in, got)
		}
	}
}

func TestNormalizeArticle(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"OC 47": "oc47", "oc-47": "oc47", "30.896.00": "3089600", "Ёж/1": "ёж1", "": ""} {
		if got := saplab.NormalizeArticle(in); got != want {
			t.Fatalf("NormalizeArticle(%q) = %q", in, got)
		}
	}
}

func TestPages(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		total int64
		per   int
		want  int64
	}{{0, 20, 0}, {1, 20, 1}, {20, 20, 1}, {21, 20, 2}, {251, 10, 26}} {
		if got := saplab.Pages(tc.total, tc.per); got != tc.want {
			t.Fatalf("Pages(%d, %d) = %d", tc.total, tc.per, got)
		}
	}
}

// TestRouteTable pins the permission each endpoint needs (docs/saplab.md
// lists the same table).
func TestRouteTable(t *testing.T) {
	t.Parallel()
	want := map[string]string{
		"GET /panel/manager":                     saplab.PermManagersRead,
		"GET /panel/order/shipping_type":         saplab.PermOrdersRead,
		"POST /panel/order/shipping_type":        saplab.PermSettingsWrite,
		"POST /panel/order/remove_status":        saplab.PermSettingsWrite,
		"POST /panel/order/group_form/:id":       saplab.PermSettingsWrite,
		"GET /panel/client/filter/*":             saplab.PermClientsRead,
		"POST /panel/client/form/:id":            saplab.PermClientsWrite,
		"GET /panel/client/add_transaction/:id":  saplab.PermBalanceWrite,
		"POST /panel/client/add_transaction/:id": saplab.PermBalanceWrite,
		"GET /panel/order/filter/*":              saplab.PermOrdersRead,
		"POST /panel/order/set_status/:id":       saplab.PermOrdersWrite,
		"GET /panel/order/pay/:ids":              saplab.PermOrdersPay,
		"GET /panel/order/documentds/:ids":       saplab.PermOrdersWrite,
	}
	got := map[string]string{}
	for _, r := range saplab.New(api.Deps{}).RouteTable() {
		got[r.Method+" "+r.Path] = r.Permission
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s needs %q, want %q", k, got[k], v)
		}
	}
	if len(got) != 33 {
		t.Errorf("%d routes", len(got))
	}
}

func TestParseID(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{
		"1": 1, "20": 20, "007": 7, "9007199254740991": 1<<53 - 1,
		"0": 0, "-1": 0, "+1": 0, " 1": 0, "1 ": 0, "abc": 0, "": 0, "9007199254740992": 0, "99999999999999999999": 0,
	} {
		got, ok := saplab.ParseID(in)
		if ok != (want != 0) || ok && got != want {
			t.Errorf("ParseID(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
}

// parseIDByStrconv is parseID as it was written before the one-pass loop:
// the definition the loop must keep.
func parseIDByStrconv(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n >= 1 && n <= 1<<53-1 && strings.TrimLeft(s, "0123456789") == ""
}

func TestParseID_asStrconv(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"1", "007", "0", "00", "", "-1", "+1", "1_0", "1e3", "0x1", "１", "9007199254740991",
		"0009007199254740991", "9007199254740992", "90071992547409910", "9223372036854775807",
		"9223372036854775808", "99999999999999999999999999", "000000000000000000000000001", "12a", "a12",
	} {
		got, ok := saplab.ParseID(in)
		want, wantOK := parseIDByStrconv(in)
		if ok != wantOK || ok && got != want {
			t.Errorf("ParseID(%q) = %d, %v; strconv's %d, %v", in, got, ok, want, wantOK)
		}
	}
}

func FuzzParseID(f *testing.F) {
	for _, s := range []string{"1", "007", "9007199254740992", "99999999999999999999", "1 ", "-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, ok := saplab.ParseID(in)
		want, wantOK := parseIDByStrconv(in)
		if ok != wantOK || ok && got != want {
			t.Errorf("ParseID(%q) = %d, %v; strconv's %d, %v", in, got, ok, want, wantOK)
		}
	})
}

func TestParseIDs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want string // the ids joined, or "error"
	}{
		{"19", "19"},
		{"19,20,21", "19,20,21"},
		{"20, 19 ,20", "20,19"},
		{"1,,2", "error"},
		{"1,x", "error"},
		{"0", "error"},
		{"9007199254740992", "error"},
		{strings.Repeat("1,", 1000) + "1", "1"},
	} {
		ids, err := saplab.ParseIDs(tc.in)
		got := "error"
		if err == nil {
			parts := make([]string, len(ids))
			for i, id := range ids {
				parts[i] = fmt.Sprint(id)
			}
			got = strings.Join(parts, ",")
		}
		if got != tc.want {
			t.Errorf("ParseIDs(%.20q) = %s, want %s", tc.in, got, tc.want)
		}
	}
	many := make([]string, 1001)
	for i := range many {
		many[i] = fmt.Sprint(i + 1)
	}
	if _, err := saplab.ParseIDs(strings.Join(many, ",")); err == nil {
		t.Error("1001 distinct ids were accepted")
	}
}

func TestStatusColor(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"ABABAB": "ABABAB", "ababab": "ABABAB", "#cbffc9": "CBFFC9", "": "FFFFFF",
		"red": "", "#ABABA": "", "ABABABA": "", "##ABABAB": "", "GGGGGG": "", " ABABAB": "",
	} {
		got, ok := saplab.StatusColor(in)
		if ok != (want != "") || got != want {
			t.Errorf("StatusColor(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestEmailKey(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"A@Example.com": "a@example.com", " a@b.c ": "a@b.c", "": ""} {
		if got := saplab.EmailKey(in); got != want {
			t.Errorf("EmailKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// A position's own fields, by the one rule the scenario check and the
// control route share.
func TestPositionFaults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name                string
		brand, article      string
		price, initialPrice money.Amount
		qty, dmin, dmax     int64
		want                []string
	}{
		{"a good position", "Bosch", "0986", 15000, 12000, 1, 2, 5, nil},
		{"blank brand and article", " ", "", 15000, 0, 1, 0, 0, []string{"brand", "article"}},
		{"negative prices", "B", "A", -1, -1, 1, 0, 0, []string{"price", "initial_price"}},
		{"quantity 0", "B", "A", 0, 0, 0, 0, 0, []string{"quantity"}},
		{"quantity at the limit", "B", "A", 0, 0, 10000, 0, 0, nil},
		{"quantity past the limit", "B", "A", 0, 0, 10001, 0, 0, []string{"quantity"}},
		{"window upside down", "B", "A", 0, 0, 1, 5, 2, []string{"delivery"}},
		{"negative window", "B", "A", 0, 0, 1, -1, 2, []string{"delivery"}},
		{"window past a year", "B", "A", 0, 0, 1, 0, 366, []string{"delivery"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := saplab.PositionFaults(tc.brand, tc.article, tc.price, tc.initialPrice, tc.qty, tc.dmin, tc.dmax)
			if !slices.Equal(got, tc.want) {
				t.Errorf("faults %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPasswordFits(t *testing.T) {
	t.Parallel()
	for pw, want := range map[string]bool{"": true, strings.Repeat("x", 72): true, strings.Repeat("x", 73): false,
		strings.Repeat("я", 36): true, strings.Repeat("я", 37): false} {
		if got := saplab.PasswordFits(pw); got != want {
			t.Errorf("PasswordFits(%d bytes) = %v, want %v", len(pw), got, want)
		}
	}
}
