package contract_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/journal"
	"github.com/mockserver/mockserver/internal/server"
	"github.com/mockserver/mockserver/internal/servertest"
)

// offer is the vendor's first OC47 offer, whose signature the default
// scenario pins, with fields replaced as given.
func offer(replace string) string {
	o := `{"_": "DqYXihjdqSPM4OKLl9uE6piTekMMfMSYhkNNgDbhOzVDDWD+JdDi28ZxGbbDkXBvUw7Yu6q69MiKBaDSnYdY6imQkzWYQFw=",
		"code": "OC47", "maker": "KNECHT/MAHLE", "name": "Фильтр масляный", "price": "152.02",
		"period_min": 7, "period_max": 7, "min_qty": 1, "qty": "500", "order_qty": 1}`
	if replace != "" {
		o = strings.Replace(o, `"order_qty": 1`, replace, 1)
	}
	return o
}

// checkCase is a request --contract-check is to judge, with where in the
// document its violation points: a pointer it starts with, and, after
// " ... ", how it ends (the failing schema keyword); "" for a conforming
// request.
type checkCase struct {
	method, path, body string
	headers            []string
	violation          string
}

// Headers of the requests below.
var (
	jsonType   = []string{"Content-Type", "application/json"}
	saplabForm = []string{"Authorization", saplabAuth, "Content-Type", "application/x-www-form-urlencoded"}
)

var checkCases = []checkCase{
	{"GET", "/v1/profile/?" + carretaKey, "", nil, ""},
	{"GET", "/v1/profile/", "", nil, "#/paths/~1v1~1profile~1/get/security"},
	{"GET", "/v1/profile?" + carretaKey, "", nil, "#/x-unrouted/bare-path"},
	{"GET", "/v1/order/?page=0&" + carretaKey, "", nil, "#/paths/~1v1~1order~1/get/parameters/page"},
	{"POST", "/v1/order/?test=on&" + carretaKey, offer(""), jsonType, ""},
	{"POST", "/v1/order/?test=on&" + carretaKey, offer(`"order_qty": "ten"`), jsonType,
		"#/paths/~1v1~1order~1/post/requestBody/content/application~1json/schema ... properties/order_qty/type"},
	{"POST", "/v1/order/?test=on&" + carretaKey, offer(""), nil, "#/paths/~1v1~1order~1/post/requestBody"}, // no Content-Type
	{"DELETE", "/v1/order/?" + carretaKey, "", nil, "#/paths"},
	{"POST", "/api/login", `{"email": "demo@example.com", "password": "demo-password"}`, jsonType, ""},
	{"POST", "/api/login/", `{"email": 5}`, jsonType,
		"#/paths/~1api~1login/post/requestBody/content/application~1json/schema"},
	{"GET", "/api/test", "", []string{"Authorization", amapiAuth}, ""},
	{"GET", "/panel/client/filter/client_id/1,2/per_page/5", "", []string{"Authorization", saplabAuth}, ""},
	{"GET", "/panel/client/filter/nope/1", "", []string{"Authorization", saplabAuth},
		"#/paths/~1panel~1client~1filter~1{filters}/get/parameters/filters"},
	{"POST", "/panel/order/shipping_type", "name=Курьер&min_price=1000", saplabForm, ""},
	{"POST", "/panel/order/shipping_type", "name=Курьер&min_price=abc", saplabForm,
		"#/paths/~1panel~1order~1shipping_type/post/requestBody/content/application~1x-www-form-urlencoded/schema ... properties/min_price/type"},
	{"POST", "/panel/client/form", "name=Иван&phone=79991234567&is_wholesaler=on&wholesalers[org_name]=Рога", saplabForm, ""},
	{"POST", "/panel/client/form", "name=Иван&phone=79991234568&wholesalers[inn]=x&point_id=-1", saplabForm,
		"#/paths/~1panel~1client~1form/post/requestBody/content/application~1x-www-form-urlencoded/schema ... properties/point_id/minimum"},
}

// entries reads the journal through the control API.
func entries(t *testing.T, m *servertest.Mock, query string) []journal.Entry {
	t.Helper()
	r := m.Do(t, "GET", "/__admin/requests"+query, nil)
	var out struct{ Requests []journal.Entry }
	if err := json.Unmarshal(r.Body, &out); r.Status != http.StatusOK || err != nil {
		t.Fatalf("journal: %d %s", r.Status, r.Body)
	}
	return out.Requests
}

// send makes the request of c.
func send(t *testing.T, m *servertest.Mock, c checkCase) servertest.Response {
	t.Helper()
	var body *strings.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	if body == nil {
		return m.Do(t, c.method, c.path, nil, c.headers...)
	}
	return m.Do(t, c.method, c.path, body, c.headers...)
}

// TestContractCheck_recordsViolations: with --contract-check each journal
// entry of a request that does not conform names where in its document it
// fails; violations=1 lists only those; the answers are the same bytes as
// without the check.
func TestContractCheck_recordsViolations(t *testing.T) {
	t.Parallel()
	checked := servertest.Start(t, servertest.Options{Config: server.Config{ContractCheck: true}})
	plain := servertest.Start(t, servertest.Options{})
	bad := 0
	for i, c := range checkCases {
		got, want := send(t, checked, c), send(t, plain, c)
		if c.method != "POST" || got.Status >= 300 { // created rows carry times and tokens
			if got.Status != want.Status || !bytes.Equal(got.Body, want.Body) {
				t.Errorf("%s %s: with the check %d %s, without %d %s", c.method, c.path, got.Status, got.Body, want.Status, want.Body)
			}
		}
		es := entries(t, checked, fmt.Sprintf("?since=%d", i))
		if len(es) != 1 {
			t.Fatalf("%s %s: %d journal entries", c.method, c.path, len(es))
		}
		vs := es[0].ContractViolations
		switch {
		case c.violation == "" && len(vs) > 0:
			t.Errorf("%s %s conforms, but the journal says %v", c.method, c.path, vs)
		case c.violation != "" && !hasViolation(vs, c.violation):
			t.Errorf("%s %s: violations %v, want one at %s", c.method, c.path, vs, c.violation)
		}
		if c.violation != "" {
			bad++
		}
	}
	flagged := entries(t, checked, "?violations=1")
	if len(flagged) != bad {
		t.Errorf("violations=1 lists %d requests, want %d", len(flagged), bad)
	}
	for _, e := range flagged {
		if len(e.ContractViolations) == 0 {
			t.Errorf("violations=1 lists %s %s, which conforms", e.Method, e.Path)
		}
	}
	if n := len(entries(t, checked, "?violations=0")); n != len(checkCases) {
		t.Errorf("violations=0 lists %d requests, want all %d", n, len(checkCases))
	}
	if es := entries(t, plain, "?violations=1"); len(es) != 0 {
		t.Errorf("without --contract-check nothing is judged, yet violations=1 lists %d", len(es))
	}
	if r := checked.Do(t, "GET", "/__admin/requests/count?violations=maybe", nil); r.Status != http.StatusBadRequest {
		t.Errorf("violations=maybe: %d %s", r.Status, r.Body)
	}
	if r := checked.Do(t, "GET", "/__admin/requests/count?violations=1", nil); string(r.Body) != fmt.Sprintf("{\"count\":%d}\n", bad) {
		t.Errorf("count?violations=1: %s", r.Body)
	}
}

// hasViolation reports whether vs has one where want says.
func hasViolation(vs []journal.Violation, want string) bool {
	prefix, suffix, _ := strings.Cut(want, " ... ")
	for _, v := range vs {
		if strings.HasPrefix(v.Path, prefix) && strings.HasSuffix(v.Path, suffix) && v.Message != "" {
			return true
		}
	}
	return false
}
