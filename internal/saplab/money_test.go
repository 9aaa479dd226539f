package saplab_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/mockserver/mockserver/internal/money"
)

// shopWith is a small shop: the doc scenario's people, statuses and
// settings, with client 1's balance and n positions of client 1 at price
// each.
func shopWith(balance string, n int, price string) string {
	var b strings.Builder
	b.WriteString(`name: ledger
saplab:
  manager_groups: [{id: 1, name: g, permissions: [clients.read, orders.read, orders.pay, orders.write, balance.write]}]
  employees: [{id: 1, phone: "79990000000", password: demo, name: Кассир, group_id: 1}]
  statuses:
    - {id: 1, name: Приостановлено, color: BAF8FF}
    - {id: 5, name: Снято, color: FFBADA}
    - {id: 6, name: Принято, color: FAFFB3}
  settings: {new_status_id: 1, accepted_status_id: 6, denied_status_id: 5}
`)
	fmt.Fprintf(&b, "  clients: [{id: 1, name: Покупатель, phone: \"1111111111\", balance: %q, created: \"2020-01-01\"}]\n  orders:\n", balance)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "    - {id: %d, client_id: 1, brand: NGK, article: BKR6E, name: Свеча, price: %q, quantity: 1, status_id: 6, created: \"2020-01-02\"}\n", i, price)
	}
	return b.String()
}

// ledger checks the invariant: the stored balance is the sum of the
// client's transactions, and returns both.
func (m *mock) ledger(clientID int64) (balance money.Amount, txs []storedTx) {
	m.t.Helper()
	var clients []storedClient
	m.state("clients", &clients)
	var all []storedTx
	m.state("transactions", &all)
	var sum money.Amount
	for _, tr := range all {
		if tr.ClientID != clientID {
			continue
		}
		a, err := money.Parse(tr.Amount)
		if err != nil {
			m.t.Fatal(err)
		}
		sum += a
		txs = append(txs, tr)
	}
	for _, c := range clients {
		if c.ID == clientID {
			b, err := money.Parse(c.Balance)
			if err != nil {
				m.t.Fatal(err)
			}
			if b != sum {
				m.t.Fatalf("client %d: balance %s but transactions sum to %s", clientID, b, sum)
			}
			return b, txs
		}
	}
	m.t.Fatalf("no client %d", clientID)
	return 0, nil
}

// TestPay_Concurrent fires 100 pays at once at a client who can afford 10.
func TestPay_Concurrent(t *testing.T) {
	t.Parallel()
	m := start(t, shopWith("1000", 100, "100"))
	var wg sync.WaitGroup
	results := make([]string, 100)
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Send, not call: a failed request is reported with Errorf, as
			// only the test's own goroutine may stop the test.
			r, err := m.Send("GET", fmt.Sprintf("/panel/order/pay/%d", i+1), nil, "Authorization", basic(owner))
			if err != nil {
				t.Errorf("pay %d: %v", i+1, err)
				return
			}
			if r.Status != 200 {
				t.Errorf("pay %d: %d %s", i+1, r.Status, r.Body)
			}
			results[i] = string(r.Body)
		}()
	}
	wg.Wait()
	paid, short := 0, 0
	for _, body := range results {
		switch {
		case strings.Contains(body, `"status":"success"`):
			paid++
		case strings.Contains(body, `\u043f\u043e\u043f\u043e\u043b\u043d\u0438\u0442\u044c \u0431\u0430\u043b\u0430\u043d\u0441 \u043d\u0430 100\u20bd`):
			short++ // "... пополнить баланс на 100₽"
		default:
			t.Errorf("unexpected answer %s", body)
		}
	}
	if paid != 10 || short != 90 {
		t.Fatalf("%d paid, %d refused; want 10 and 90", paid, short)
	}
	balance, txs := m.ledger(1)
	if balance != 0 {
		t.Fatalf("balance %s, want 0", balance)
	}
	// The ledger never dips below zero when replayed in order.
	var run money.Amount
	for _, tr := range txs {
		a, _ := money.Parse(tr.Amount)
		if run += a; run < 0 {
			t.Fatalf("balance went to %s", run)
		}
	}
	r := m.get("/panel/order/filter/is_payed/1")
	if !strings.Contains(string(r.Body), `"pages":1`) || strings.Count(string(r.Body), `"is_payed":"1","history"`) != 10 {
		t.Fatalf("paid positions: %s", r.Body)
	}
}

func TestPay(t *testing.T) {
	t.Parallel()
	t.Run("pays, refunds and keeps the ledger", func(t *testing.T) {
		m := start(t, shopWith("500", 3, "236.69"))
		expect(t, m.get("/panel/order/pay/1,2"), 200, `{"status":"success","text":"\u0412\u044b\u0431\u0440\u0430\u043d\u043d\u044b\u0435 \u043f\u043e\u0437\u0438\u0446\u0438\u0438 \u043a\u043b\u0438\u0435\u043d\u0442\u0430 \u041f\u043e\u043a\u0443\u043f\u0430\u0442\u0435\u043b\u044c \u043e\u043f\u043b\u0430\u0447\u0435\u043d\u044b."}`)
		if b, txs := m.ledger(1); b.Trim() != "26.62" || len(txs) != 3 || txs[1].Comment != "Оплата позиции NGK - BKR6E (1 шт.)" {
			t.Fatalf("after pay: %s %+v", b.Trim(), txs)
		}
		// 3 costs 236.69 and 26.62 is left: 210.07 is missing.
		r := m.get("/panel/order/pay/3")
		if !strings.Contains(string(r.Body), `210.07\u20bd"`) {
			t.Fatalf("short: %s", r.Body)
		}
		// Paying 3 while refunding 1 in the same request is affordable.
		r = m.get("/panel/order/pay/1,3")
		if !strings.Contains(string(r.Body), `"status":"success"`) {
			t.Fatalf("swap: %s", r.Body)
		}
		if b, _ := m.ledger(1); b.Trim() != "26.62" {
			t.Fatalf("after swap: %s", b.Trim())
		}
		expect(t, m.get("/panel/order/pay/2"), 200, `{"status":"success","text":"\u041d\u0430 \u0441\u0447\u0451\u0442 \u043a\u043b\u0438\u0435\u043d\u0442\u0430 \u041f\u043e\u043a\u0443\u043f\u0430\u0442\u0435\u043b\u044c \u043e\u0442\u043f\u0440\u0430\u0432\u043b\u0435\u043d\u043e 236.69\u20bd "}`)
		if b, txs := m.ledger(1); b.Trim() != "263.31" || txs[len(txs)-1].Comment != "Отмена оплаты позиции NGK - BKR6E (1 шт.)" {
			t.Fatalf("after refund: %s %+v", b.Trim(), txs)
		}
	})
	t.Run("refuses denied and unknown positions and changes nothing", func(t *testing.T) {
		m := start(t, shopWith("500", 2, "10"))
		m.get("/panel/order/deny/2")
		expectError(t, m.get("/panel/order/pay/1,2"), 200, "Нет подходящих заказов.")
		expectError(t, m.get("/panel/order/pay/1,77"), 200, "Нет подходящих заказов.")
		if b, txs := m.ledger(1); b.Trim() != "500" || len(txs) != 1 {
			t.Fatalf("ledger changed: %s %+v", b.Trim(), txs)
		}
	})
}

func TestDeny_refundsPaid(t *testing.T) {
	t.Parallel()
	m := start(t, shopWith("100", 2, "40"))
	m.get("/panel/order/pay/1,2")
	m.freeze("2024-05-01 12:00:00")
	expect(t, m.get("/panel/order/deny/1"), 200, `{"status":"success","text":"\u041f\u043e\u0437\u0438\u0446\u0438\u044f \u0441\u043d\u044f\u0442\u0430"}`)
	if b, txs := m.ledger(1); b.Trim() != "60" || txs[len(txs)-1].Comment != "Отмена оплаты позиции NGK - BKR6E (1 шт.)" {
		t.Fatalf("after deny: %s %+v", b.Trim(), txs)
	}
	r := m.get("/panel/order/filter/order_ids/1")
	for _, want := range []string{`"status_id":"5"`, `"is_denied":"1"`, `"is_payed":"0"`,
		`{"date":"2024-05-01 09:00:00.000000","color":"FFBADA","status":"\u0421\u043d\u044f\u0442\u043e","manager":"\u041a\u0430\u0441\u0441\u0438\u0440"}]`} {
		if !strings.Contains(string(r.Body), want) {
			t.Fatalf("want %s in %s", want, r.Body)
		}
	}
	// Denying again changes nothing.
	m.get("/panel/order/deny/1")
	if _, txs := m.ledger(1); len(txs) != 4 {
		t.Fatalf("%d transactions after a second deny", len(txs))
	}
	// Moving a denied position out of the denied status clears is_denied.
	m.post("/panel/order/set_status/1", "status_id=6")
	r = m.get("/panel/order/filter/order_ids/1")
	if !strings.Contains(string(r.Body), `"is_denied":"0"`) {
		t.Fatalf("%s", r.Body)
	}
}

func TestAddTransaction(t *testing.T) {
	t.Parallel()
	m := start(t, shopWith("0", 0, "1"))
	ok := `{"status":"success","text":"\u041e\u043f\u0435\u0440\u0430\u0446\u0438\u044f \u043f\u0440\u043e\u0432\u0435\u0434\u0435\u043d\u0430."}`
	expect(t, m.post("/panel/client/add_transaction/1", "amount=1500.5&description=Пополнение"), 200, ok)
	expect(t, m.get("/panel/client/add_transaction/1?amount=-100&description=API"), 200, ok)
	// The form wins over the query string.
	expect(t, m.post("/panel/client/add_transaction/1?amount=999", "amount=-0.5"), 200, ok)
	if b, txs := m.ledger(1); b.Trim() != "1400" || len(txs) != 3 {
		t.Fatalf("%s %+v", b.Trim(), txs)
	}
	expectError(t, m.post("/panel/client/add_transaction/1", "description=x"), 200, "Недостаточно параметров.")
	expectError(t, m.post("/panel/client/add_transaction/2", "amount=1"), 200, "Клиент не найден.")
	for _, bad := range []string{"amount=abc", "amount=1e9", "amount=99999999999999", "amount=1.234"} {
		r := m.post("/panel/client/add_transaction/1", bad)
		if r.Status != 400 || !strings.HasPrefix(string(r.Body), `{"status":"error","text":"`) {
			t.Fatalf("%s: %d %s", bad, r.Status, r.Body)
		}
	}
	if b, _ := m.ledger(1); b.Trim() != "1400" {
		t.Fatalf("a refused operation changed the balance: %s", b.Trim())
	}
	// debt and blocked_debt: nothing owed here.
	r := m.get("/panel/client/form/1")
	if !strings.Contains(string(r.Body), `"balance":"1400","debt":"0","blocked_debt":"0"`) {
		t.Fatalf("%s", r.Body)
	}
}

func TestDebt(t *testing.T) {
	t.Parallel()
	// Positions 1-2 accepted (owed), 3 in the new status (blocked), 4 paid,
	// 5 denied, 6 archived.
	sc := shopWith("1000", 6, "10")
	sc = strings.Replace(sc, "{id: 3, client_id: 1, brand: NGK, article: BKR6E, name: Свеча, price: \"10\", quantity: 1, status_id: 6",
		"{id: 3, client_id: 1, brand: NGK, article: BKR6E, name: Свеча, price: \"10\", quantity: 1, status_id: 1", 1)
	sc = strings.Replace(sc, "{id: 6, client_id: 1, brand: NGK, article: BKR6E, name: Свеча, price: \"10\", quantity: 1, status_id: 6",
		"{id: 6, client_id: 1, brand: NGK, article: BKR6E, name: Свеча, price: \"10\", quantity: 1, is_archived: true, status_id: 6", 1)
	m := start(t, sc)
	m.get("/panel/order/pay/4")
	m.get("/panel/order/deny/5")
	r := m.get("/panel/client")
	if !strings.Contains(string(r.Body), `"balance":"990","debt":"20","blocked_debt":"10"`) {
		t.Fatalf("%s", r.Body)
	}
}
