package carreta_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/carreta"
	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/pyjson"
	"github.com/mockserver/mockserver/internal/server"
	"github.com/mockserver/mockserver/internal/servertest"
)

// The instant every golden order was created at: clocks are frozen here.
var frozenAt = time.Date(2026, 11, 23, 12, 30, 15, 123456000, clock.Moscow)

func start(t testing.TB, opts servertest.Options) *servertest.Mock {
	t.Helper()
	m := servertest.Start(t, opts)
	m.Srv.Clock().Freeze(true)
	m.Srv.Clock().Set(frozenAt)
	return m
}

func get(t testing.TB, m *servertest.Mock, path string, headers ...string) servertest.Response {
	t.Helper()
	return m.Do(t, http.MethodGet, path, nil, headers...)
}

func post(t testing.TB, m *servertest.Mock, path, body string) servertest.Response {
	t.Helper()
	return m.Do(t, http.MethodPost, path, strings.NewReader(body), "Content-Type", "application/json")
}

// expect asserts the exact status and the exact body bytes.
var expect = servertest.Expect

// expectJSON asserts the status and that the body is a sorted-keys JSON
// document with the vendor's Content-Type, for bodies a golden file pins or
// the test reads further.
func expectJSON(t testing.TB, r servertest.Response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q", ct)
	}
	if err := pyjson.Sorted(r.Body); err != nil {
		t.Fatalf("keys not sorted as json.dumps(sort_keys=True) sorts them: %v\n%s", err, r.Body)
	}
}

// errorBody is {"error": msg} as json.dumps writes it.
func errorBody(msg string) string {
	b, err := pyjson.Marshal(map[string]string{"error": msg})
	if err != nil {
		panic(err)
	}
	return string(b)
}

// expectError asserts the vendor error envelope carrying message, with the
// vendor's Content-Type.
func expectError(t testing.TB, r servertest.Response, status int, message string) {
	t.Helper()
	expectJSON(t, r, status)
	expect(t, r, status, errorBody(message))
}

const unauthorized = `{"error": "Unauthorized."}`

// expectUnauthorized checks the 401 byte for byte, as PHP clients compare it.
func expectUnauthorized(t testing.TB, r servertest.Response) {
	t.Helper()
	expect(t, r, http.StatusUnauthorized, unauthorized)
}

// storedOrders counts the orders in the state file, through the control API.
func storedOrders(t testing.TB, m *servertest.Mock) int {
	t.Helper()
	r := get(t, m, "/__admin/state/carreta/orders")
	var rows []json.RawMessage
	if err := json.Unmarshal(r.Body, &rows); err != nil {
		t.Fatalf("state: %v %s", err, r.Body)
	}
	return len(rows)
}

func TestProfile(t *testing.T) {
	t.Parallel()
	m := start(t, servertest.Options{})
	t.Run("answers_the_account", func(t *testing.T) {
		r := get(t, m, "/v1/profile/?api_key=demo-key")
		expectJSON(t, r, 200)
		servertest.Golden(t, "profile.json", r.Body)
	})
	t.Run("ignores_unknown_parameters", func(t *testing.T) {
		r := get(t, m, "/v1/profile/?account=&api_key=demo-key&x=%ZZ")
		expectJSON(t, r, 200)
		servertest.Golden(t, "profile.json", r.Body)
	})
	t.Run("takes_the_last_api_key_like_django", func(t *testing.T) {
		expectJSON(t, get(t, m, "/v1/profile/?api_key=nope&api_key=demo-key"), 200)
	})
	for name, q := range map[string]string{
		"rejects_missing_key":        "",
		"rejects_empty_key":          "?api_key=",
		"rejects_unknown_key":        "?api_key=demo-key2",
		"rejects_key_in_other_case":  "?api_key=DEMO-KEY",
		"rejects_address_not_listed": "?api_key=restricted-key",
	} {
		t.Run(name, func(t *testing.T) {
			r := get(t, m, "/v1/profile/"+q)
			expectUnauthorized(t, r)
		})
	}
	t.Run("ignores_forwarded_for_without_trust_proxy", func(t *testing.T) {
		r := get(t, m, "/v1/profile/?api_key=restricted-key", "X-Forwarded-For", "10.0.0.1")
		expectUnauthorized(t, r)
	})
}

func TestProfile_trustProxy(t *testing.T) {
	t.Parallel()
	m := start(t, servertest.Options{Config: server.Config{TrustProxy: true}})
	cases := []struct {
		name, xff string
		status    int
	}{
		{"allows_listed_first_forwarded_address", "10.0.0.1, 192.168.1.5", 200},
		{"allows_listed_address_as_mapped_ipv6", "::ffff:10.0.0.1", 200},
		{"allows_listed_address_with_a_port", "10.0.0.1:5123", 200},
		{"rejects_other_first_address", "192.168.1.5, 10.0.0.1", 401},
		{"rejects_garbage", "not-an-ip", 401},
		{"falls_back_to_the_peer_without_header", "", 401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var r servertest.Response
			if tc.xff == "" {
				r = get(t, m, "/v1/profile/?api_key=restricted-key")
			} else {
				r = get(t, m, "/v1/profile/?api_key=restricted-key", "X-Forwarded-For", tc.xff)
			}
			if r.Status != tc.status {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
		})
	}
	t.Run("answers_the_restricted_profile", func(t *testing.T) {
		r := get(t, m, "/v1/profile/?api_key=restricted-key", "X-Forwarded-For", "10.0.0.1")
		expectJSON(t, r, 200)
		servertest.Golden(t, "profile_restricted.json", r.Body)
	})
}

// docSearchObject is the first object of carreta.txt's search example, with
// the trailing comma the document has removed.
const docSearchObject = `{"_": "DqYXihjdqSPM4OKLl9uE6piTekMMfMSYhkNNgDbhOzVDDWD+JdDi28ZxGbbDkXBvUw7Yu6q69MiKBaDSnYdY6imQkzWYQFw=", "code": "OC47", "desc": "", "is_cross": false, "maker": "KNECHT/MAHLE", "min_qty": 1, "name": "\u0424\u0438\u043b\u044c\u0442\u0440 \u043c\u0430\u0441\u043b\u044f\u043d\u044b\u0439", "period_max": 7, "period_min": 7, "price": "152.02", "qty": "500", "stat": 97}`

type offer struct {
	Sig       string  `json:"_"`
	Code      string  `json:"code"`
	Desc      string  `json:"desc"`
	IsCross   bool    `json:"is_cross"`
	Maker     string  `json:"maker"`
	MinQty    int     `json:"min_qty"`
	Name      string  `json:"name"`
	PeriodMax int     `json:"period_max"`
	PeriodMin int     `json:"period_min"`
	Price     string  `json:"price"`
	Qty       string  `json:"qty"`
	Stat      *int    `json:"stat"`
	OrderQty  int     `json:"order_qty,omitempty"`
	Comment   *string `json:"client_comment,omitempty"`
}

func search(t testing.TB, m *servertest.Mock, q string) []offer {
	t.Helper()
	r := get(t, m, "/v1/search/?api_key=demo-key&q="+url.QueryEscape(q))
	expectJSON(t, r, 200)
	var out struct{ Objects []offer }
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatal(err)
	}
	return out.Objects
}

func TestSearch(t *testing.T) {
	t.Parallel()
	m := start(t, servertest.Options{})
	t.Run("answers_the_document_example", func(t *testing.T) {
		r := get(t, m, "/v1/search/?q=oc47&api_key=demo-key")
		expectJSON(t, r, 200)
		// carreta.txt predates "source" (SPEC §12): the live field comes in
		// its sorted place, and every other byte is the document's.
		live := strings.Replace(docSearchObject, `"qty": "500", `, `"qty": "500", "source": "99", `, 1)
		if !bytes.HasPrefix(r.Body, []byte(`{"objects": [`+live+", ")) {
			t.Fatalf("the first offer is not the document's:\n%s", r.Body)
		}
		servertest.Golden(t, "search_oc47.json", r.Body)
	})
	t.Run("ignores_case_spaces_and_punctuation", func(t *testing.T) {
		want := get(t, m, "/v1/search/?q=oc47&api_key=demo-key").Body
		for _, q := range []string{"OC47", "OC 47", "oc-47", " o.c/4_7 ", "Oc+47"} {
			r := get(t, m, "/v1/search/?api_key=demo-key&q="+url.QueryEscape(q))
			if !bytes.Equal(r.Body, want) {
				t.Errorf("q=%q answers differently:\n%s", q, r.Body)
			}
		}
	})
	t.Run("lists_catalog_hits_before_crosses", func(t *testing.T) {
		offers := search(t, m, "oc47")
		var crosses []bool
		for _, o := range offers {
			crosses = append(crosses, o.IsCross)
		}
		if fmt.Sprint(crosses) != "[false false true true true]" {
			t.Fatalf("is_cross order %v", crosses)
		}
	})
	t.Run("answers_a_cross_code_with_what_it_replaces", func(t *testing.T) {
		r := get(t, m, "/v1/search/?q=W+712%2F75&api_key=demo-key")
		expectJSON(t, r, 200)
		servertest.Golden(t, "search_cross.json", r.Body)
	})
	t.Run("answers_nothing_for_an_empty_query", func(t *testing.T) {
		for _, q := range []string{"", "&q=", "&q=---", "&q=%20"} {
			r := get(t, m, "/v1/search/?api_key=demo-key"+q)
			expectJSON(t, r, 200)
			expect(t, r, 200, `{"objects": []}`)
		}
	})
	t.Run("finds_nothing_for_an_overlong_code", func(t *testing.T) {
		r := get(t, m, "/v1/search/?api_key=demo-key&q="+strings.Repeat("A", 65))
		expect(t, r, 200, `{"objects": []}`)
		if r := get(t, m, "/v1/search/?api_key=demo-key&q="+strings.Repeat("A", 64)); len(r.Body) < 100 {
			t.Fatalf("a 64-character code found nothing: %s", r.Body)
		}
	})
	t.Run("ignores_unknown_parameters", func(t *testing.T) {
		r := get(t, m, "/v1/search/?account=&q=oc47&api_key=demo-key&format=json")
		servertest.Golden(t, "search_oc47.json", r.Body)
	})
	t.Run("needs_a_key", func(t *testing.T) {
		r := get(t, m, "/v1/search/?q=oc47")
		expectUnauthorized(t, r)
	})
	t.Run("generates_offers_for_unknown_codes", func(t *testing.T) {
		r := get(t, m, "/v1/search/?q=zz-999&api_key=demo-key")
		expectJSON(t, r, 200)
		// Pinned bytes: the same query gives the same offers on every run
		// and every machine, signatures included.
		servertest.Golden(t, "search_generated.json", r.Body)
		if again := get(t, m, "/v1/search/?q=ZZ999&api_key=demo-key"); !bytes.Equal(again.Body, r.Body) {
			t.Fatal("the same normalised query answered differently")
		}
	})
}

// TestSearch_generated checks what made-up offers look like over many codes.
func TestSearch_generated(t *testing.T) {
	t.Parallel()
	m := start(t, servertest.Options{})
	realMakers := map[string]bool{}
	for _, mk := range []string{"BOSCH", "MANN-FILTER", "KNECHT/MAHLE", "FILTRON", "NGK", "DENSO", "TRW", "ATE",
		"BREMBO", "SACHS", "KYB", "MONROE", "GATES", "CONTITECH", "SKF", "LEMFORDER", "FEBI BILSTEIN", "VALEO",
		"HELLA", "LUK", "TOYOTA", "HYUNDAI/KIA", "NISSAN", "VAG"} {
		realMakers[mk] = true
	}
	forms := map[string]int{}
	packs, nullStat := 0, 0
	for i := range 60 {
		code := fmt.Sprintf("QX%d-%d", i, i*7)
		offers := search(t, m, code)
		if len(offers) != carreta.DefaultResultsPerQuery {
			t.Fatalf("%s: %d offers, want results_per_query", code, len(offers))
		}
		if offers[0].IsCross || offers[0].Code != strings.ToUpper(strings.ReplaceAll(code, "-", "")) {
			t.Fatalf("%s: the first offer must be the code itself: %+v", code, offers[0])
		}
		seenForms := map[string]bool{}
		for _, o := range offers {
			if !realMakers[o.Maker] {
				t.Fatalf("maker %q", o.Maker)
			}
			q, ok := parseQtyForm(o.Qty)
			if !ok {
				t.Fatalf("qty %q", o.Qty)
			}
			seenForms[q] = true
			forms[q]++
			if o.MinQty > 1 {
				packs++
			}
			if o.Stat == nil {
				nullStat++
			}
			if o.PeriodMin < 1 || o.PeriodMax < o.PeriodMin || o.Price == "" || o.Name == "" {
				t.Fatalf("offer %+v", o)
			}
		}
		if len(seenForms) != 4 {
			t.Fatalf("%s: qty forms %v, want all four", code, seenForms)
		}
	}
	if packs == 0 || nullStat == 0 {
		t.Fatalf("want some min_qty > 1 (%d) and some null stat (%d)", packs, nullStat)
	}
	t.Run("every_generated_offer_can_be_ordered", func(t *testing.T) {
		for _, o := range search(t, m, "QX7-49") {
			o.OrderQty = o.MinQty
			body, _ := json.Marshal(o)
			r := post(t, m, "/v1/order/?api_key=demo-key&test=on", string(body))
			expectJSON(t, r, 201)
		}
	})
	t.Run("follows_results_per_query", func(t *testing.T) {
		m := start(t, servertest.Options{Scenario: "name: two\nseed: 7\ncarreta:\n  accounts: [{api_key: k}]\n  generate: {results_per_query: 2}\n"})
		r := get(t, m, "/v1/search/?api_key=k&q=abc")
		var out struct{ Objects []offer }
		_ = json.Unmarshal(r.Body, &out)
		if len(out.Objects) != 2 {
			t.Fatalf("%s", r.Body)
		}
	})
	t.Run("depends_on_the_seed", func(t *testing.T) {
		a := start(t, servertest.Options{Scenario: "name: a\nseed: 1\ncarreta:\n  accounts: [{api_key: k}]\n"})
		b := start(t, servertest.Options{Scenario: "name: b\nseed: 2\ncarreta:\n  accounts: [{api_key: k}]\n"})
		a2 := start(t, servertest.Options{Scenario: "name: a\nseed: 1\ncarreta:\n  accounts: [{api_key: k}]\n"})
		ra := get(t, a, "/v1/search/?api_key=k&q=abc").Body
		if bytes.Equal(ra, get(t, b, "/v1/search/?api_key=k&q=abc").Body) {
			t.Fatal("two seeds gave the same offers")
		}
		if !bytes.Equal(ra, get(t, a2, "/v1/search/?api_key=k&q=abc").Body) {
			t.Fatal("one seed gave different offers on two servers")
		}
	})
}

func parseQtyForm(q string) (string, bool) {
	switch {
	case q == "Есть":
		return "Есть", true
	case strings.HasPrefix(q, "<"):
		return "<", len(q) > 1
	case strings.HasPrefix(q, ">"):
		return ">", len(q) > 1
	case q != "" && strings.Trim(q, "0123456789") == "":
		return "N", true
	}
	return "", false
}

// TestSearch_source: every offer carries "source" (SPEC §12), the
// catalog's where it gives one, else derived, the same on every search;
// an order may send it back, and then it must be the offer's.
func TestSearch_source(t *testing.T) {
	t.Parallel()
	m := start(t, servertest.Options{})
	raw := func(q string) []map[string]any {
		var out struct{ Objects []map[string]any }
		if err := json.Unmarshal(get(t, m, "/v1/search/?api_key=demo-key&q="+q).Body, &out); err != nil {
			t.Fatal(err)
		}
		return out.Objects
	}
	ac := raw("ac108")
	if ac[0]["source"] != "57" {
		t.Fatalf("the catalog's source: %v", ac[0])
	}
	for _, q := range []string{"oc47", "zz-999"} {
		first, again := raw(q), raw(q)
		for i, o := range first {
			src, ok := o["source"].(string)
			if !ok || src == "" || again[i]["source"] != src {
				t.Fatalf("%s offer %d: source %v, then %v", q, i, o["source"], again[i]["source"])
			}
		}
	}
	order := func(o map[string]any) servertest.Response {
		o["order_qty"] = o["min_qty"]
		b, _ := json.Marshal(o)
		return post(t, m, "/v1/order/?api_key=demo-key&test=on", string(b))
	}
	expectJSON(t, order(raw("ac108")[0]), 201) // echoed whole, source and all
	wrong := raw("ac108")[0]
	wrong["source"] = "58"
	expectError(t, order(wrong), 400, "Поле \"source\" не совпадает с источником позиции из поиска. Повторите поиск и передайте позицию без изменений.")
	none := raw("zz-999")[0]
	delete(none, "source")
	expectJSON(t, order(none), 201) // carreta.txt's minimal body has none
}
