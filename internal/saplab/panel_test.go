package saplab_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/password"
	"github.com/mockserver/mockserver/internal/phpjson"
	"github.com/mockserver/mockserver/internal/servertest"
)

// The panel's answers to bad credentials and a missing permission.
const (
	authMessage      = "Ошибка авторизации."
	forbiddenMessage = "Недостаточно прав."
)

func TestAuth(t *testing.T) {
	t.Parallel()
	m := start(t, "")
	cases := []struct {
		name    string
		creds   string
		method  string
		path    string
		status  int
		message string
	}{
		{"no credentials", "", "GET", "/panel/client", 401, authMessage},
		{"wrong password", "79990000000:nope", "GET", "/panel/client", 401, authMessage},
		{"unknown phone", "70000000000:demo", "GET", "/panel/client", 401, authMessage},
		{"empty login", ":demo", "GET", "/panel/client", 401, authMessage},
		{"operator may not pay", operator, "GET", "/panel/order/pay/20", 403, forbiddenMessage},
		{"operator may not see managers", operator, "GET", "/panel/manager", 403, forbiddenMessage},
		{"operator may not edit settings", operator, "POST", "/panel/order/remove_status", 403, forbiddenMessage},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := m.call(tc.method, tc.path, "", tc.creds)
			expectError(t, r, tc.status, tc.message)
			if tc.status == 401 && r.Header.Get("WWW-Authenticate") != `Basic realm="panel"` {
				t.Fatalf("WWW-Authenticate %q", r.Header.Get("WWW-Authenticate"))
			}
		})
	}
	t.Run("login compared by digits", func(t *testing.T) {
		for _, login := range []string{"+7 (999) 000-00-00", "8-999-000-00-00", "9990000000"} {
			if r := m.call("GET", "/panel/manager", "", login+":demo"); r.Status != 200 {
				t.Fatalf("%s: %d %s", login, r.Status, r.Body)
			}
		}
	})
	t.Run("operator reads", func(t *testing.T) {
		for _, p := range []string{"/panel/client", "/panel/order", "/panel/order/status", "/panel/client/form/1"} {
			if r := m.call("GET", p, "", operator); r.Status != 200 {
				t.Fatalf("%s: %d %s", p, r.Status, r.Body)
			}
		}
	})
}

// dump is every saplab collection as the control API shows it.
func (m *mock) dump() []byte {
	var out bytes.Buffer
	for _, c := range []string{"clients", "orders", "transactions", "statuses", "groups", "shipping_types", "documents"} {
		out.Write(m.Do(m.t, "GET", "/__admin/state/saplab/"+c, nil).Body)
	}
	return out.Bytes()
}

// TestBadInput sends what the panel cannot read: each gets a 4xx in the
// panel's shape and changes nothing (SPEC §9).
func TestBadInput(t *testing.T) {
	t.Parallel()
	m := start(t, "")
	before := m.dump()
	cases := []struct {
		name, method, path, body, ctype string
		status                          int
		text                            string // a fragment of the message
	}{
		{"unknown route", "GET", "/panel/nothing", "", "", 404, `\u043d\u0435 \u0441\u0443\u0449\u0435\u0441\u0442\u0432\u0443\u0435\u0442`},
		{"wrong method", "DELETE", "/panel/client", "", "", 405, `DELETE`},
		{"non-numeric id", "GET", "/panel/client/form/abc", "", "", 400, `abc`},
		{"negative id", "GET", "/panel/client/form/-1", "", "", 400, `-1`},
		{"huge id", "GET", "/panel/order/pay/99999999999999999999", "", "", 400, `99999999999999999999`},
		{"bad id list", "GET", "/panel/order/deny/1,,2", "", "", 400, `1,,2`},
		{"odd filter", "GET", "/panel/client/filter/client_id", "", "", 400, `client_id`},
		{"unknown filter", "GET", "/panel/order/filter/colour/red", "", "", 400, `colour`},
		{"bad filter value", "GET", "/panel/order/filter/is_payed/maybe", "", "", 400, `maybe`},
		{"bad page", "GET", "/panel/client/balance/1?page=0", "", "", 400, `page`},
		{"text in an integer field", "POST", "/panel/order/shipping_type", "name=x&min_price=много", "", 400, `min_price`},
		{"negative discount", "POST", "/panel/client/group_form", "name=x&discount=-5", "", 400, `discount`},
		{"bad color", "POST", "/panel/order/status", "name=x&color=red", "", 400, `color`},
		{"bad checkbox", "POST", "/panel/client/form", "name=x&phone=1&status=maybe", "", 400, `status`},
		{"list where a value belongs", "POST", "/panel/client/form", "name[]=x&phone=1", "", 400, `name`},
		{"invalid utf-8", "POST", "/panel/client/form", "name=%ff&phone=123", "", 400, `UTF-8`},
		{"json body", "POST", "/panel/order/status", `{"name":"x"}`, "application/json", 400, `JSON`},
		{"huge amount", "POST", "/panel/client/add_transaction/1", "amount=1e308", "", 400, `amount`},
		{"status id not a number", "POST", "/panel/order/set_status/20", "status_id=x", "", 400, `status_id`},
		// PostgreSQL's text cannot hold NUL; PHP fills $_POST from the two
		// form types only, so another type is an empty form.
		{"NUL in a text field", "POST", "/panel/client/form", "name=a%00b&phone=79000000055", "", 400, `NUL`},
		{"NUL in a multipart text field", "POST", "/panel/client/form", "--B\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\na\x00b\r\n--B--\r\n", "multipart/form-data; boundary=B", 400, `NUL`},
		{"nonsense content type", "POST", "/panel/client/add_transaction/1", "amount=5&description=x", "text/nonsense", 200, `\u041d\u0435\u0434\u043e\u0441\u0442\u0430\u0442\u043e\u0447\u043d\u043e`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := []string{"Authorization", basic(owner)}
			if tc.ctype != "" {
				h = append(h, "Content-Type", tc.ctype)
			} else if tc.body != "" {
				h = append(h, "Content-Type", "application/x-www-form-urlencoded")
			}
			r := m.Do(t, tc.method, tc.path, strings.NewReader(tc.body), h...)
			if r.Status != tc.status || !strings.HasPrefix(string(r.Body), `{"status":"error","text":"`) || !strings.Contains(string(r.Body), tc.text) {
				t.Fatalf("got %d %s, want %d with %s", r.Status, r.Body, tc.status, tc.text)
			}
		})
	}
	t.Run("body over 1 MiB", func(t *testing.T) {
		// Sent without a length, as a streaming client does, and only just
		// over the limit: the server reads 1 MiB + 1 byte, refuses, and
		// drains the rest to keep the connection. A body it cannot drain
		// (2 MiB, or any declared length over the limit) makes net/http
		// close the connection after its 500 ms RST-avoidance wait, which
		// the test server's Close then sat out.
		big := struct{ io.Reader }{strings.NewReader("name=" + strings.Repeat("x", 1<<20+64<<10))}
		r := m.Do(t, "POST", "/panel/client/form", big, "Authorization", basic(owner), "Content-Type", "application/x-www-form-urlencoded")
		if r.Status != 413 || !strings.HasPrefix(string(r.Body), `{"status":"error","text":"`) || !strings.Contains(string(r.Body), `1`) {
			t.Fatalf("got %d %s, want 413", r.Status, r.Body)
		}
	})
	if r := m.Do(t, "HEAD", "/panel/client", nil, "Authorization", basic(owner)); r.Status != 200 || len(r.Body) != 0 {
		t.Fatalf("HEAD: %d %q", r.Status, r.Body)
	}
	if r := m.Do(t, "PUT", "/panel/order/status", nil, "Authorization", basic(owner)); r.Status != 405 || r.Header.Get("Allow") != "GET, HEAD, POST" {
		t.Fatalf("PUT: %d Allow %q", r.Status, r.Header.Get("Allow"))
	}
	if after := m.dump(); !bytes.Equal(before, after) {
		t.Fatal("a refused request changed the state")
	}
}

func TestClientForm_validation(t *testing.T) {
	t.Parallel()
	m := start(t, "")
	expect(t, m.post("/panel/client/form", "email=bad&phone=&group_id=99"), 200,
		`{"name":"\u041f\u043e\u043b\u0435 \u0418\u043c\u044f \u043e\u0431\u044f\u0437\u0430\u0442\u0435\u043b\u044c\u043d\u043e \u0434\u043b\u044f \u0437\u0430\u043f\u043e\u043b\u043d\u0435\u043d\u0438\u044f.",`+
			`"email":"\u041f\u043e\u043b\u0435 Email \u0434\u043e\u043b\u0436\u043d\u043e \u0441\u043e\u0434\u0435\u0440\u0436\u0430\u0442\u044c \u043f\u0440\u0430\u0432\u0438\u043b\u044c\u043d\u044b\u0439 \u0430\u0434\u0440\u0435\u0441 email.",`+
			`"phone":"\u041f\u043e\u043b\u0435 \u0422\u0435\u043b\u0435\u0444\u043e\u043d \u043e\u0431\u044f\u0437\u0430\u0442\u0435\u043b\u044c\u043d\u043e \u0434\u043b\u044f \u0437\u0430\u043f\u043e\u043b\u043d\u0435\u043d\u0438\u044f.",`+
			`"group_id":"\u041f\u043e\u043b\u0435 \u0413\u0440\u0443\u043f\u043f\u0430 \u0441\u043e\u0434\u0435\u0440\u0436\u0438\u0442 \u043d\u0435\u0441\u0443\u0449\u0435\u0441\u0442\u0432\u0443\u044e\u0449\u0438\u0439 \u0438\u0434\u0435\u043d\u0442\u0438\u0444\u0438\u043a\u0430\u0442\u043e\u0440."}`)
	expectError(t, m.post("/panel/client/form/999", "name=x"), 200, "Клиент не найден.")
	// An unticked checkbox is false on edit, and absent text keeps its value.
	m.post("/panel/client/form/2", "comment=Новый комментарий")
	r := m.get("/panel/client/form/2")
	for _, want := range []string{`"status":"0"`, `"is_wholesaler":"0"`, `"email":"roga@example.com"`} {
		if !strings.Contains(string(r.Body), want) {
			t.Fatalf("want %s in %s", want, r.Body)
		}
	}
	if strings.Contains(string(r.Body), "wholesaler_data") {
		t.Fatalf("a private person has no wholesaler_data: %s", r.Body)
	}
	// A multipart form (PHP curl with an array of fields) reads the same.
	body := "--B\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nМультипарт\r\n--B\r\nContent-Disposition: form-data; name=\"phone\"\r\n\r\n+7 900 123-45-67\r\n--B--\r\n"
	r = m.Do(t, "POST", "/panel/client/form", strings.NewReader(body), "Authorization", basic(owner), "Content-Type", "multipart/form-data; boundary=B")
	expect(t, r, 200, `{"status":"success","text":"\u041a\u043b\u0438\u0435\u043d\u0442 \u0443\u0441\u043f\u0435\u0448\u043d\u043e \u0434\u043e\u0431\u0430\u0432\u043b\u0435\u043d."}`)
	r = m.get("/panel/client/filter/phone/89001234567")
	if !strings.Contains(string(r.Body), `"phone":"9001234567"`) || !strings.Contains(string(r.Body), `"group_id":"1"`) {
		t.Fatalf("%s", r.Body)
	}
}

// TestLists_golden pins the list endpoints' bytes on the default scenario,
// whose generated rows are the same on every run.
func TestLists_golden(t *testing.T) {
	t.Parallel()
	m := start(t, "")
	for name, path := range map[string]string{
		"managers.json":        "/panel/manager",
		"clients_page.json":    "/panel/client/filter/per_page/3/page/2",
		"client_form_1.json":   "/panel/client/form/1",
		"orders_filtered.json": "/panel/order/filter/client_name/%D0%A1%D0%B5%D1%80%D0%B3%D0%B5%D0%B9/unignore_archived/1",
		"balance_2.json":       "/panel/client/balance/2",
	} {
		t.Run(name, func(t *testing.T) {
			r := m.get(path)
			if r.Status != http.StatusOK {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
			servertest.Golden(t, name, r.Body)
		})
	}
}

// TestGenerate_reproducible checks two servers seeded from the same scenario
// serve the same bytes.
func TestGenerate_reproducible(t *testing.T) {
	t.Parallel()
	a, b := start(t, ""), start(t, "")
	for _, p := range []string{"/panel/order/filter/per_page/150/unignore_archived/1", "/panel/client/filter/per_page/150", "/panel/client/balance/40"} {
		if ra, rb := a.get(p), b.get(p); !bytes.Equal(ra.Body, rb.Body) || ra.Status != 200 {
			t.Fatalf("%s differs between runs", p)
		}
	}
	// Every status is used, and some positions are paid, archived, denied.
	r := a.get("/panel/order/filter/per_page/150/unignore_archived/1")
	for _, want := range []string{`"is_payed":"1"`, `"is_archived":"1"`, `"is_denied":"1"`, `"status_id":"7"`, `"status_id":"3"`} {
		if !strings.Contains(string(r.Body), want) {
			t.Fatalf("no %s among the generated positions", want)
		}
	}
}

// TestClientName_filter checks client_name against a brute-force reading of
// the unfiltered list, before and after an edit renames a client.
func TestClientName_filter(t *testing.T) {
	t.Parallel()
	m := start(t, "")
	type row struct {
		ID             string `json:"id"`
		Name           string `json:"name"`
		WholesalerInfo string `json:"wholesaler_info"`
	}
	list := func(path string) []row {
		var out struct{ Clients []row }
		if err := json.Unmarshal(m.get(path).Body, &out); err != nil {
			t.Fatal(err)
		}
		return out.Clients
	}
	check := func(needle string) {
		t.Helper()
		var want []string
		for _, c := range list("/panel/client/filter/per_page/150") {
			if strings.Contains(strings.ToLower(c.Name+"\x00"+c.WholesalerInfo), strings.ToLower(needle)) {
				want = append(want, c.ID)
			}
		}
		var got []string
		for _, c := range list("/panel/client/filter/per_page/150/client_name/" + url.PathEscape(needle)) {
			got = append(got, c.ID)
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("client_name %q: got %v, want %v", needle, got, want)
		}
	}
	for _, n := range []string{"ов", "Сергей", "ооо", "а", "рога и", "zzz", "ич"} {
		check(n)
	}
	m.post("/panel/client/form/3", "name=Зиновий Уникальный&status=on")
	check("Уникальн")
	if got := list("/panel/client/filter/client_name/" + url.PathEscape("уникальный")); len(got) != 1 || got[0].ID != "3" {
		t.Fatalf("%+v", got)
	}
}

// A trailing slash on any panel route answers as the route without it,
// writes included (the id is read without the slash).
func TestRouting_trailingSlash(t *testing.T) {
	t.Parallel()
	m := start(t, "")
	for _, p := range []string{"/panel/client", "/panel/order", "/panel/manager", "/panel/order/status", "/panel/client/form/1", "/panel/client/balance/1"} {
		want := m.get(p)
		if want.Status != 200 {
			t.Fatalf("%s: %d %s", p, want.Status, want.Body)
		}
		expect(t, m.get(p+"/"), 200, string(want.Body))
	}
	r := m.post("/panel/order/shipping_type/", "name=Самовывоз 2&min_price=0")
	expect(t, r, 200, `{"status":"success"}`)
	r = m.post("/panel/order/shipping_type/1/", "name=Курьер&min_price=5")
	expect(t, r, 200, `{"status":"success"}`)
	if l := m.get("/panel/order/shipping_type"); !strings.Contains(string(l.Body), `{"id":"1","name":"\u041a\u0443\u0440\u044c\u0435\u0440","min_price":"5"}`) {
		t.Fatalf("the edit through the slashed path did not land: %s", l.Body)
	}
	r = m.call("DELETE", "/panel/client/", "", owner)
	if r.Status != 405 || r.Header.Get("Allow") != "GET, HEAD" {
		t.Fatalf("DELETE /panel/client/: %d %q", r.Status, r.Header.Get("Allow"))
	}
}

// List pages reuse each row's encoded form between writes; every write and
// every reset must show through: a client's new name in both lists, a
// renamed status in the position rows, and the seeded rows after a reset.
func TestLists_followEveryWrite(t *testing.T) {
	t.Parallel()
	m := start(t, "")
	// Client 1's positions, by id (a name filter would lose them on rename).
	var ids []string
	var byName struct {
		Orders []struct {
			ID string `json:"id"`
		} `json:"orders"`
	}
	r := m.get("/panel/order/filter/client_name/" + url.PathEscape("Пупкин Василий Петрович") + "/unignore_archived/1")
	if err := json.Unmarshal(r.Body, &byName); err != nil || len(byName.Orders) == 0 {
		t.Fatalf("client 1 has no positions to list: %v %d %s", err, r.Status, r.Body)
	}
	for _, o := range byName.Orders {
		ids = append(ids, o.ID)
	}
	orders, clients := "/panel/order/filter/order_ids/"+strings.Join(ids, ",")+"/unignore_archived/1", "/panel/client/filter/client_id/1"
	seededOrders, seededClients := m.get(orders), m.get(clients)
	if seededOrders.Status != 200 || seededClients.Status != 200 {
		t.Fatalf("%d %s\n%d %s", seededOrders.Status, seededOrders.Body, seededClients.Status, seededClients.Body)
	}
	esc := func(s string) string {
		b, err := phpjson.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	// The name through the client form.
	form := m.get("/panel/client/form/1")
	var c struct {
		Client struct {
			Phone, Email, Address string
			GroupID               string `json:"group_id"`
		} `json:"client"`
	}
	if err := json.Unmarshal(form.Body, &c); err != nil {
		t.Fatalf("%v: %s", err, form.Body)
	}
	edit := "name=Переименованный Клиент&phone=" + c.Client.Phone + "&email=" + c.Client.Email + "&group_id=" + c.Client.GroupID + "&status=on"
	if r := m.post("/panel/client/form/1", edit); r.Status != 200 || !strings.Contains(string(r.Body), `"success"`) {
		t.Fatalf("edit: %d %s", r.Status, r.Body)
	}
	name := esc("Переименованный Клиент")
	for _, p := range []string{orders, clients} {
		if r := m.get(p); !strings.Contains(string(r.Body), name) {
			t.Fatalf("%s does not show the new name: %s", p, r.Body)
		}
	}
	// A status renamed: the rows that have it show the new name.
	var list struct {
		Orders []struct {
			StatusID string `json:"status_id"`
		} `json:"orders"`
	}
	if err := json.Unmarshal(seededOrders.Body, &list); err != nil || len(list.Orders) == 0 {
		t.Fatalf("%v: %s", err, seededOrders.Body)
	}
	if r := m.post("/panel/order/status/"+list.Orders[0].StatusID, "name=Совсем новый статус"); r.Status != 200 || !strings.Contains(string(r.Body), `"success"`) {
		t.Fatalf("rename: %d %s", r.Status, r.Body)
	}
	if r := m.get(orders); !strings.Contains(string(r.Body), `"status_name":`+esc("Совсем новый статус")) {
		t.Fatalf("the positions do not show the renamed status: %s", r.Body)
	}
	// A reset brings back the seeded rows, byte for byte.
	if r := m.Do(t, "POST", "/__admin/reset", nil); r.Status != 200 {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
	expect(t, m.get(orders), 200, string(seededOrders.Body))
	expect(t, m.get(clients), 200, string(seededClients.Body))
}

// TestStatusColor_seeded: a scenario's status colours follow the status
// form's rule, so a seeded status is stored as the form would store it
// (docs/decisions/saplab.md, "Status colour").
func TestStatusColor_seeded(t *testing.T) {
	t.Parallel()
	m := start(t, `name: colours
saplab:
  manager_groups: [{id: 1, name: g, permissions: [orders.read, settings.write]}]
  employees: [{id: 1, phone: "79990000000", password: demo, name: Кассир, group_id: 1}]
  statuses:
    - {id: 1, name: a, color: "#cbffc9"}
    - {id: 2, name: b, color: fafFB3}
    - {id: 3, name: c}
  settings: {new_status_id: 1, denied_status_id: 2}
`)
	expect(t, m.get("/panel/order/status"), 200,
		`{"statuses":[{"id":"1","name":"a","color":"CBFFC9","sms":"0","email":"0"},`+
			`{"id":"2","name":"b","color":"FAFFB3","sms":"0","email":"0"},`+
			`{"id":"3","name":"c","color":"FFFFFF","sms":"0","email":"0"}]}`)
	// The form stores the same for the same input.
	expect(t, m.post("/panel/order/status/3", "color=%23cbffc9"), 200, `{"status":"success"}`)
	if r := m.get("/panel/order/status"); !strings.Contains(string(r.Body), `{"id":"3","name":"c","color":"CBFFC9"`) {
		t.Fatalf("%s", r.Body)
	}
}

// An unknown or inactive login costs the same bcrypt comparison as a
// wrong password for a known one, so the answer's time does not tell which
// logins exist. Counted, not timed; not parallel, so that no other test's
// comparison is counted (parallel tests wait until this one is done).
func TestAuth_unknownCostsOneComparison(t *testing.T) {
	m := start(t, "name: inactive\nextends: default\nsaplab:\n  employees:\n"+
		"    - {id: 3, phone: \"79990000003\", password: demo, name: Уволен, seat: '', email: gone@saplab.example, point_id: 1, group_id: 2, status: false, client_use: false, contact_show: false}\n")
	for _, creds := range []string{"79990000000:nope", "70000000000:demo", "79990000003:demo"} {
		before := password.Compared()
		expectError(t, m.call("GET", "/panel/client", "", creds), 401, authMessage)
		if n := password.Compared() - before; n != 1 {
			t.Fatalf("%s: %d bcrypt comparisons, want 1", creds, n)
		}
	}
}

// A HEAD of a route whose GET acts is checked as the GET (401, 403) and
// answered 200 with no body, and performs nothing: no payment, denial,
// archiving, document or transaction.
func TestHead_ofAnActingRouteActsNot(t *testing.T) {
	t.Parallel()
	m := start(t, "")
	before := m.get("/panel/order/filter/order_ids/19,20/unignore_archived/1").Body
	balance := m.get("/panel/client/balance/1").Body
	for _, p := range []string{"/panel/order/pay/20", "/panel/order/deny/20", "/panel/order/archive/20", "/panel/order/unarchive/20",
		"/panel/order/documents/19,20", "/panel/order/documentds/19,20", "/panel/client/add_transaction/1?amount=-100&description=x"} {
		r := m.call("HEAD", p, "", owner)
		if r.Status != http.StatusOK || len(r.Body) != 0 || r.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("HEAD %s: %d %q %q", p, r.Status, r.Header.Get("Content-Type"), r.Body)
		}
	}
	if r := m.call("HEAD", "/panel/order/pay/20", "", operator); r.Status != http.StatusForbidden {
		t.Fatalf("HEAD pay as the operator: %d", r.Status)
	}
	if r := m.call("HEAD", "/panel/order/pay/20", "", ""); r.Status != http.StatusUnauthorized {
		t.Fatalf("HEAD pay without credentials: %d", r.Status)
	}
	if after := m.get("/panel/order/filter/order_ids/19,20/unignore_archived/1").Body; !bytes.Equal(before, after) {
		t.Fatalf("HEADs changed the orders:\n%s\n%s", before, after)
	}
	if after := m.get("/panel/client/balance/1").Body; !bytes.Equal(balance, after) {
		t.Fatalf("HEADs changed the ledger:\n%s\n%s", balance, after)
	}
	// The GET still acts.
	if r := m.get("/panel/order/pay/20"); r.Status != http.StatusOK {
		t.Fatalf("GET pay: %d %s", r.Status, r.Body)
	}
	if after := m.get("/panel/order/filter/order_ids/19,20/unignore_archived/1").Body; bytes.Equal(before, after) {
		t.Fatal("GET pay changed nothing, so this test proves nothing")
	}
}

// A login is checked by bcrypt once: the next requests with the same
// credentials cost none; the same login written another way is checked
// once on its own. A scenario loaded since (a new password for the owner,
// the operator inactive) takes effect at once for remembered logins.
// Counted, not timed; not parallel, for the same reason as the test above.
func TestAuth_rememberedUntilReload(t *testing.T) {
	m := start(t, "")
	const ownerSpaced = "+7 (999) 000-00-00:demo"
	asks := func(creds string, status int, comparisons uint64) {
		t.Helper()
		before := password.Compared()
		if r := m.call("GET", "/panel/client/group", "", creds); r.Status != status {
			t.Fatalf("%s: %d %s, want %d", creds, r.Status, r.Body, status)
		}
		if n := password.Compared() - before; n != comparisons {
			t.Fatalf("%s: %d bcrypt comparisons, want %d", creds, n, comparisons)
		}
	}
	asks(owner, 200, 1)
	asks(owner, 200, 0)
	asks(ownerSpaced, 200, 1)
	asks(ownerSpaced, 200, 0)
	asks(operator, 200, 1)
	asks(operator, 200, 0)
	asks("79990000000:nope", 401, 1)
	sc := "name: changed\nextends: default\nsaplab:\n  employees:\n" +
		"    - {id: 1, phone: \"79990000000\", password: changed, name: Демо Владелец, seat: Директор, email: owner@saplab.example, point_id: 1, group_id: 1, status: true, client_use: true, contact_show: true}\n" +
		"    - {id: 2, phone: \"79990000001\", password: demo, name: Демо Оператор, seat: Оператор, email: operator@saplab.example, point_id: 2, group_id: 2, status: false, client_use: true, contact_show: false}\n"
	if r := m.Do(t, "POST", "/__admin/scenario", strings.NewReader(sc), "Content-Type", "application/yaml"); r.Status != 200 {
		t.Fatalf("load: %d %s", r.Status, r.Body)
	}
	asks(owner, 401, 1)
	asks(ownerSpaced, 401, 1)
	asks(operator, 401, 1)
	asks("79990000000:changed", 200, 1)
	asks("79990000000:changed", 200, 0)
}
