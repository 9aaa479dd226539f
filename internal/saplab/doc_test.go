package saplab_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// The tests in this file replay saplab.txt's examples against the shop they
// were taken from (testdata/doc.yaml) and compare the answers byte for byte
// with the document's own (testdata/doc/*.json, compacted from the
// document, escapes untouched).

func TestDoc_ShippingTypes(t *testing.T) {
	t.Parallel()
	m := start(t, docScenario(t))
	expect(t, m.get("/panel/order/shipping_type"), 200, docBody(t, "shipping_types"))
	expect(t, m.post("/panel/order/shipping_type", "name=Новый способ&min_price=1000"), 200, docBody(t, "shipping_type_added"))
	expect(t, m.post("/panel/order/shipping_type/1", "name=Измененное название способа&min_price=1000"), 200, docBody(t, "shipping_type_added"))
	expect(t, m.post("/panel/order/remove_shipping_type", "id=3"), 200, docBody(t, "shipping_type_added"))
	expect(t, m.post("/panel/order/remove_shipping_type", "id=3"), 200, docBody(t, "shipping_type_missing"))
	// A name is stored as sent, trailing space included (the document's type 2).
	expect(t, m.post("/panel/order/shipping_type/1", "name=Доставка до двери &min_price= 1000 "), 200, docBody(t, "shipping_type_added"))
	if r := m.get("/panel/order/shipping_type"); !strings.Contains(string(r.Body), `"name":"\u0414\u043e\u0441\u0442\u0430\u0432\u043a\u0430 \u0434\u043e \u0434\u0432\u0435\u0440\u0438 ","min_price":"1000"`) {
		t.Fatalf("the name lost its trailing space: %s", r.Body)
	}
	expect(t, m.post("/panel/order/shipping_type/1", "name=Измененное название способа&min_price=1000"), 200, docBody(t, "shipping_type_added"))
	expect(t, m.get("/panel/order/shipping_type"), 200,
		`{"shipping_types":[{"id":"1","name":"\u0418\u0437\u043c\u0435\u043d\u0435\u043d\u043d\u043e\u0435 \u043d\u0430\u0437\u0432\u0430\u043d\u0438\u0435 \u0441\u043f\u043e\u0441\u043e\u0431\u0430","min_price":"1000"},{"id":"2","name":"\u0414\u043e\u0441\u0442\u0430\u0432\u043a\u0430 \u0434\u043e \u0422\u041a ","min_price":"2"}]}`)
}

func TestDoc_Statuses(t *testing.T) {
	t.Parallel()
	m := start(t, docScenario(t))
	expect(t, m.get("/panel/order/status"), 200, docBody(t, "statuses"))
	ok := docBody(t, "shipping_type_added") // {"status":"success"}
	expect(t, m.post("/panel/order/status", "name=Новый статус&color=ABABAB&sms=1&email=0"), 200, ok)
	expect(t, m.post("/panel/order/status/1", "name=Измененное название способа&color=ABABAB&sms=1&email=0"), 200, ok)
	expect(t, m.post("/panel/order/remove_status", "id=3"), 200, ok)
	expect(t, m.post("/panel/order/remove_status", "id=3"), 200, docBody(t, "shipping_type_missing"))
	expect(t, m.post("/panel/order/remove_status", "id=1"), 200, docBody(t, "status_in_settings"))
	r := m.get("/panel/order/status")
	// The new status (id 8) sorts by name among the others; 3 is gone.
	if !strings.Contains(string(r.Body), `{"id":"8","name":"\u041d\u043e\u0432\u044b\u0439 \u0441\u0442\u0430\u0442\u0443\u0441","color":"ABABAB","sms":"1","email":"0"}`) ||
		strings.Contains(string(r.Body), `"id":"3"`) {
		t.Fatalf("statuses after the examples: %s", r.Body)
	}
}

func TestDoc_Groups(t *testing.T) {
	t.Parallel()
	m := start(t, docScenario(t))
	expect(t, m.get("/panel/client/group"), 200, docBody(t, "groups"))
	expect(t, m.post("/panel/client/group_form", "name=Web&discount=1&comment=Интернет-клиенты"), 200, docBody(t, "group_added"))
	// The document edits group 8 under /panel/order/group_form: the group
	// just added is 8, and both paths edit it.
	expect(t, m.post("/panel/order/group_form/8", "name=Web&discount=2&comment=Интернет-клиенты"), 200, docBody(t, "group_updated"))
	expect(t, m.post("/panel/client/group_form/8", "name=Web&discount=3&comment=Интернет-клиенты"), 200, docBody(t, "group_updated"))
	expect(t, m.get("/panel/client/group"), 200, strings.TrimSuffix(docBody(t, "groups"), "]}")+
		`,{"group_id":"8","name":"Web","discount":"3","comment":"\u0418\u043d\u0442\u0435\u0440\u043d\u0435\u0442-\u043a\u043b\u0438\u0435\u043d\u0442\u044b"}]}`)
	expect(t, m.post("/panel/client/remove_group", "id=8"), 200, docBody(t, "group_removed"))
	// The default group, and a group with clients, stay.
	expect(t, m.post("/panel/client/remove_group", "id=1"), 200, docBody(t, "group_in_use"))
	expect(t, m.post("/panel/client/remove_group", "id=7"), 200, docBody(t, "group_in_use"))
	expect(t, m.get("/panel/client/group"), 200, docBody(t, "groups"))
}

const (
	createRetail    = "name=Пупкин Василий Петрович&email=regular@example.com&phone=1111111111&password=&address= г. Уфа, Бакалинская ул., 23&point_id=1&manager_id=0&group_id=1&shipping_id=1&limit=0&comment=Плохой клиент&status=on"
	createWholesale = "name=Сергей Сергеевич&email=wholesaler@example.com&phone=2222222222&password=&address=ул. Ленина, 48&point_id=1&manager_id=0&group_id=2&shipping_id=0&limit=10000&comment=Хороший клиент&status=on&is_wholesaler=on&wholesalers[type]=ООО&wholesalers[org_name]=Рога и Копыта&wholesalers[inn]=12345678901234&wholesalers[kpp]=987654321&wholesalers[orgn]=456789052&wholesalers[address]=ул. Ленина, 48&wholesalers[bank]=Сбербанк&wholesalers[bik]=00000000000&wholesalers[account]=00000000000&wholesalers[bank_account]=00000000000"
	editRetail      = "name=Пупкин Василий Петрович&email=regular@example.com&phone=71111111111&password=&address= г. Уфа, Бакалинская ул., 23&point_id=1&manager_id=0&group_id=1&shipping_id=1&limit=0&comment=Плохой клиент&status=on"
	editWholesale   = "name=Сергей Сергеевич&email=wholesaler@example.com&phone=72222222222&password=&address=ул. Ленина, 48&point_id=1&manager_id=0&group_id=2&shipping_id=0&limit=10000&comment=Хороший клиент&status=on&is_wholesaler=on&wholesalers[type]=ООО&wholesalers[org_name]=Рога и Копыта&wholesalers[inn]=12345678901234&wholesalers[kpp]=987654321&wholesalers[orgn]=456789052&wholesalers[address]=ул. Ленина, 48&wholesalers[bank]=Сбербанк&wholesalers[bik]=00000000000&wholesalers[account]=00000000000&wholesalers[bank_account]=00000000000"
)

// formClientScenario is the shop of the client form example: client 2 in
// group 2 "Мелкий опт", owing nothing.
const formClientScenario = `name: form
saplab:
  points: [{id: 1, name: "Москва: ул. Красноармейцев, 49", address: x}]
  manager_groups: [{id: 1, name: Владельцы, permissions: [clients.read, clients.write]}]
  employees: [{id: 1, phone: "79990000000", password: demo, name: Владелец, group_id: 1}]
  shipping_types: [{id: 1, name: Доставка по городу, min_price: 1}]
  settings: {default_group_id: 1}
  groups: [{id: 1, name: Розница, discount: 0}, {id: 2, name: Мелкий опт, discount: 5}]
  clients:
    - {id: 1, name: Пупкин Василий Петрович, phone: "1111111111", email: regular@example.com, group_id: 1, created: "2017-01-05 13:03:32.703139"}
    - {id: 2, name: Сергей Сергеевич, phone: "2222222222", email: wholesaler@example.com, address: "ул. Ленина, 48", group_id: 2, point_id: 1, limit: 10000, comment: Хороший клиент, is_wholesaler: true,
       wholesaler: {type: ООО, org_name: Рога и Копыта, inn: "12345678901234", kpp: "987654321", orgn: "456789052", address: "ул. Ленина, 48", bank: Сбербанк, bik: "00000000000", account: "00000000000", bank_account: "00000000000"},
       balance: "0", created: "2017-01-14 22:50:08.610461", modified: "2017-01-15 17:31:21.560473"}
`

func TestDoc_ClientForm(t *testing.T) {
	t.Parallel()
	m := start(t, formClientScenario)
	expect(t, m.get("/panel/client/form/2"), 200, docBody(t, "client_form"))
}

func TestDoc_Clients(t *testing.T) {
	t.Parallel()
	m := start(t, docScenario(t))
	// The document's groups list has 1 and 7, its wholesaler examples group
	// 2; here the wholesaler keeps group 7.
	createWholesale := strings.Replace(createWholesale, "group_id=2", "group_id=7", 1)
	editWholesale := strings.Replace(editWholesale, "group_id=2", "group_id=7", 1)
	// Both people of the create examples exist already: the document's
	// error example, both fields.
	expect(t, m.post("/panel/client/form", createRetail), 200, docBody(t, "client_not_unique"))
	expect(t, m.post("/panel/client/form", createWholesale), 200, docBody(t, "client_not_unique"))
	expect(t, m.post("/panel/client/form/1", editRetail), 200, docBody(t, "client_updated"))
	expect(t, m.post("/panel/client/form/2", editWholesale), 200, docBody(t, "client_updated"))
	// Client 2 taking client 1's email: the second error example, only the
	// failing field.
	expect(t, m.post("/panel/client/form/2", strings.Replace(editWholesale, "email=wholesaler@", "email=regular@", 1)), 200, docBody(t, "client_email_not_unique"))
	// New people are added.
	expect(t, m.post("/panel/client/form", strings.NewReplacer("regular@", "new@", "phone=1111111111", "phone=5555555555").Replace(createRetail)), 200, docBody(t, "client_added"))
	r := m.get("/panel/client/filter/phone/%2B7(555)555-55-55")
	if !strings.Contains(string(r.Body), `"email":"new@example.com"`) || !strings.Contains(string(r.Body), `"pages":1`) {
		t.Fatalf("the new client is not listed: %s", r.Body)
	}
	// The form's text is stored as sent: "address= г. Уфа" keeps its
	// leading space, as the document's client list shows it.
	const spaced = `"address":" \u0433. \u0423\u0444\u0430, \u0411\u0430\u043a\u0430\u043b\u0438\u043d\u0441\u043a\u0430\u044f`
	if !strings.Contains(string(r.Body), spaced) {
		t.Fatalf("the new client's address lost its leading space: %s", r.Body)
	}
	if r := m.get("/panel/client/form/1"); !strings.Contains(string(r.Body), spaced) {
		t.Fatalf("the edited client's address lost its leading space: %s", r.Body)
	}
}

func TestDoc_Orders(t *testing.T) {
	t.Parallel()
	m := start(t, docScenario(t))
	// The owner moved position 20 to "Оприходовано офисом" at 22:23:51.
	m.freeze("2017-01-15 22:23:51")
	expect(t, m.post("/panel/order/set_status/20", "status_id=3"), 200, docBody(t, "status_set"))
	expect(t, m.get("/panel/order"), 200, docBody(t, "orders"))
	expect(t, m.post("/panel/order/set_status/20", ""), 200, docBody(t, "not_enough_params"))
}

func TestDoc_Pay(t *testing.T) {
	t.Parallel()
	m := start(t, docScenario(t))
	expect(t, m.get("/panel/order/pay/20"), 200, docBody(t, "paid"))
	expect(t, m.get("/panel/order/pay/20"), 200, docBody(t, "refunded"))
	expect(t, m.get("/panel/order/pay/21"), 200, docBody(t, "short"))
	expect(t, m.get("/panel/order/pay/99"), 200, docBody(t, "no_orders"))
}

func TestDoc_ArchiveDenyDocuments(t *testing.T) {
	t.Parallel()
	m := start(t, docScenario(t))
	expect(t, m.get("/panel/order/archive/20"), 200, docBody(t, "archived"))
	expect(t, m.get("/panel/order/archive/20"), 200, docBody(t, "archive_failed"))
	expect(t, m.get("/panel/order/unarchive/20"), 200, docBody(t, "unarchived"))
	expect(t, m.get("/panel/order/unarchive/20"), 200, docBody(t, "unarchive_none"))
	expect(t, m.get("/panel/order/deny/20"), 200, docBody(t, "denied"))
	expect(t, m.get("/panel/order/documents/19,20,21"), 200, docBody(t, "documents"))
	expect(t, m.get("/panel/order/documentds/19,20,21"), 200, docBody(t, "documents"))
}

// balanceScenario is client 1 of the balance example: the ten operations it
// shows, and 240 older ones plus the opening balance, 26 pages in all.
func balanceScenario() string {
	shown := []struct{ date, amount, comment string }{
		{"2017-04-11 21:31:24.48985", "-109", "Оплата позиции WEEN - 122-2412 (1 шт.)"},
		{"2017-01-31 01:39:50.091795", "-270", "Оплата позиции LYNX1 - PR48620 (1 шт.)"},
		{"2017-01-31 01:39:46.254441", "270", "Отмена оплаты позиции LYNX1 - PR48620 (1 шт.)"},
		{"2017-01-31 00:34:19.715461", "-266", "Оплата позиции LYNX - PR48620 (1 шт.)"},
		{"2017-01-31 00:34:19.715461", "-270", "Оплата позиции LYNX - PR48620 (1 шт.)"},
		{"2017-01-31 00:33:57.630052", "-270", "Оплата позиции LYNX1 - PR48620 (1 шт.)"},
		{"2016-12-19 17:57:43.788968", "-2989", "Оплата позиции MONROE - G16287 (1 шт.)"},
		{"2016-12-19 17:57:43.788968", "-2989", "Оплата позиции MONROE - G16768 (1 шт.)"},
		{"2016-12-19 17:57:43.788968", "-3104", "Оплата позиции MONROE - G16768 (1 шт.)"},
		{"2016-12-19 17:57:43.788968", "-1707", "Оплата позиции PATRON - PSA333222 (1 шт.)"},
	}
	var b strings.Builder
	b.WriteString("name: balance\nsaplab:\n  manager_groups: [{id: 1, name: g, permissions: [clients.read]}]\n")
	b.WriteString("  employees: [{id: 1, phone: \"79990000000\", password: demo, name: x, group_id: 1}]\n")
	b.WriteString("  clients: [{id: 1, name: Пупкин, phone: \"1111111111\", balance: \"14\", created: \"2015-01-01 00:00:00\"}]\n  transactions:\n")
	for i := range 240 {
		fmt.Fprintf(&b, "    - {client_id: 1, amount: \"100\", description: Пополнение, created: \"2016-%02d-%02d 10:00:00\"}\n", 1+i/28, 1+i%28)
	}
	// Listed oldest first; equal times keep the document's order when read
	// newest first, as the later entry has the larger id.
	for i := len(shown) - 1; i >= 0; i-- {
		s := shown[i]
		fmt.Fprintf(&b, "    - {client_id: 1, amount: %q, description: %q, created: %q}\n", s.amount, s.comment, s.date)
	}
	return b.String()
}

func TestDoc_Balance(t *testing.T) {
	t.Parallel()
	m := start(t, balanceScenario())
	expect(t, m.get("/panel/client/balance/1"), 200, docBody(t, "balance"))
	r := m.get("/panel/client/balance/1?page=26")
	if !strings.Contains(string(r.Body), `"page":26`) || strings.Count(string(r.Body), `"date"`) != 1 {
		t.Fatalf("last page: %s", r.Body)
	}
	expect(t, m.get("/panel/client/balance/1?page=27"), 200, `{"pages":26,"transactions":[],"page":27}`)
}

// TestDoc_ExamplesSucceedOnDefault runs every request example of saplab.txt,
// as written, against a fresh default scenario (SPEC's golden rule: only the
// host changes). Each runs on its own fresh state.
func TestDoc_ExamplesSucceedOnDefault(t *testing.T) {
	t.Parallel()
	type ex struct {
		method, path, body string
		want               string // a fragment of the answer
	}
	success := `"status":"success"`
	examples := []ex{
		{"GET", "/panel/manager", "", `"managers":[`},
		{"GET", "/panel/order/shipping_type", "", `"shipping_types":[`},
		{"POST", "/panel/order/shipping_type", "name=Новый способ&min_price=1000", success},
		{"POST", "/panel/order/shipping_type/1", "name=Измененное название способа&min_price=1000", success},
		{"POST", "/panel/order/remove_shipping_type", "id=3", success},
		{"GET", "/panel/order/status", "", `"statuses":[`},
		{"POST", "/panel/order/status", "name=Новый статус&color=ABABAB&sms=1&email=0", success},
		{"POST", "/panel/order/status/1", "name=Измененное название способа&color=ABABAB&sms=1&email=0", success},
		{"POST", "/panel/order/remove_status", "id=3", success},
		{"GET", "/panel/client/group", "", `"groups":[`},
		{"POST", "/panel/client/group_form", "name=Web&discount=1&comment=Интернет-клиенты", success},
		{"POST", "/panel/order/group_form/8", "name=Web&discount=2&comment=Интернет-клиенты", success},
		{"POST", "/panel/client/remove_group", "id=3", success},
		{"GET", "/panel/client", "", `"clients":[`},
		{"GET", "/panel/client/form/2", "", `"client":{"id":"2"`},
		{"POST", "/panel/client/form", createRetail, success},
		{"POST", "/panel/client/form", createWholesale, success},
		{"POST", "/panel/client/form/1", editRetail, success},
		{"POST", "/panel/client/form/2", editWholesale, success},
		{"GET", "/panel/client/balance/1", "", `"transactions":[`},
		{"POST", "/panel/client/add_transaction/1", "amount=-100&description=API списание", success},
		{"GET", "/panel/client/add_transaction/1?amount=-100&description=" + url.QueryEscape("API списание"), "", success},
		{"GET", "/panel/order", "", `"orders":[`},
		{"POST", "/panel/order/set_status/20", "status_id=5", success},
		{"GET", "/panel/order/deny/20", "", success},
		{"GET", "/panel/order/pay/20", "", success},
		{"GET", "/panel/order/archive/20", "", success},
		{"GET", "/panel/order/documents/19,20,21", "", success},
		{"GET", "/panel/order/documentds/19,20,21", "", success},
	}
	m := start(t, "")
	for _, e := range examples {
		t.Run(e.method+e.path, func(t *testing.T) {
			if r := m.Do(t, "POST", "/__admin/reset", nil); r.Status != 200 {
				t.Fatalf("reset: %d", r.Status)
			}
			r := m.call(e.method, e.path, e.body, owner)
			if r.Status != 200 || !strings.Contains(string(r.Body), e.want) {
				t.Fatalf("%s %s: %d %s", e.method, e.path, r.Status, r.Body)
			}
		})
	}
	// The unarchive example needs an archived position first.
	m.Do(t, "POST", "/__admin/reset", nil)
	m.get("/panel/order/archive/20")
	if r := m.get("/panel/order/unarchive/20"); !strings.Contains(string(r.Body), success) {
		t.Fatalf("unarchive: %s", r.Body)
	}
}
