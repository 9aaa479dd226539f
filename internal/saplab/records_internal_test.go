package saplab

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/lifecycle"
	"github.com/mockserver/mockserver/internal/money"
	"github.com/mockserver/mockserver/internal/state"
)

// sameAsMarshal fails t unless a's AppendJSON writes json.Marshal's bytes
// of a, or reports false exactly when json.Marshal fails.
func sameAsMarshal(t *testing.T, name string, a state.Appender) {
	t.Helper()
	got, ok := a.AppendJSON([]byte("prefix"))
	want, err := json.Marshal(a)
	if ok != (err == nil) {
		t.Fatalf("%s: AppendJSON ok %v, json.Marshal error %v", name, ok, err)
	}
	if ok && string(got) != "prefix"+string(want) {
		t.Errorf("%s:\n AppendJSON   %s\n json.Marshal prefix%s", name, got, want)
	}
}

// Tricky strings: escapes json.Marshal makes, HTML-safe ones, invalid
// UTF-8, the line separators, Cyrillic.
var awkward = []string{"", "Иванов <a&b> \"q\" \\ /", "tab\tnl\n\x01\u2028\xff", "Тормозные колодки"}

func TestRecords_likeMarshal(t *testing.T) {
	msk := time.FixedZone("MSK", 3*3600)
	at := time.Date(2026, 12, 1, 19, 4, 5, 120000000, msk)
	doc := int64(77)
	for i, s := range awkward {
		c := &client{ID: int64(i) + 1, Name: s, Phone: "79990000000", Email: s, Address: s, GroupID: 2,
			ManagerID: -3, PointID: 4, ShippingID: 5, Limit: 1 << 40, Comment: s, Status: i%2 == 0,
			IsWholesaler: i%2 == 1, Balance: money.Amount(-12345 * i), Created: at, Modified: at.UTC()}
		sameAsMarshal(t, "client", c)
		c.PasswordHash = "$2y$10$" + s
		c.Wholesaler = &wholesaler{BIK: s, INN: "7700", KPP: s, Bank: s, ORGN: "1", Type: s, Account: s,
			Address: s, OrgName: s, BankAccount: s}
		sameAsMarshal(t, "client with hash and company", c)
		c.Wholesaler = &wholesaler{}
		sameAsMarshal(t, "client with empty company", c)

		tr := &transaction{ID: 9, ClientID: 2, Amount: money.Amount(-99), Comment: s, Created: at}
		sameAsMarshal(t, "transaction", tr)
		tr.OrderID = 19
		sameAsMarshal(t, "transaction of a position", tr)

		o := &order{ID: 19, ClientID: 2, Invoice: s, Brand: s, Article: s, Name: s, DistributorID: 3,
			Price: 17511, InitialPrice: 0, Quantity: 10, DeliveryTimeMin: 1, DeliveryTimeMax: 7, StatusID: 4,
			ShippingID: 1, ShippingAddress: s, ClientComment: s, IsPayed: true, Created: at, Modified: at}
		sameAsMarshal(t, "position", o)
		o.ManagerComment, o.DenyRequest, o.IsArchived, o.IsDenied, o.DocID = s+"!", true, true, true, &doc
		o.History = []historyEntry{}
		sameAsMarshal(t, "position, empty history", o)
		o.History = []historyEntry{{StatusID: 1, Date: at, Color: "#fff", Status: s, Manager: s}, {StatusID: 2, Date: at.UTC()}}
		o.Auto = &lifecycle.Progress{Done: 2, Next: at}
		sameAsMarshal(t, "position with history and path", o)
	}
}

func TestRecords_badTime(t *testing.T) {
	bad := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	sameAsMarshal(t, "client", &client{Created: bad})
	sameAsMarshal(t, "transaction", &transaction{Created: bad})
	sameAsMarshal(t, "position", &order{Modified: bad})
	sameAsMarshal(t, "history", &order{History: []historyEntry{{Date: bad}}})
	sameAsMarshal(t, "path", &order{Auto: &lifecycle.Progress{Next: bad}})
}

// BenchmarkRecords: a pay's three rows (position, client, ledger entry)
// encoded by json.Marshal and by their AppendJSON, as state stores them.
//
//	go test ./internal/saplab/ -run '^$' -bench Records -benchmem
func BenchmarkRecords(b *testing.B) {
	at := time.Date(2026, 12, 1, 19, 4, 5, 120000000, time.FixedZone("MSK", 3*3600))
	rows := []state.Appender{
		&order{ID: 19, ClientID: 2, Invoice: "INV-19", Brand: "KNECHT", Article: "OC47", Name: "Фильтр масляный",
			Price: 17511, Quantity: 10, DeliveryTimeMax: 7, StatusID: 4, ShippingAddress: "Москва, ул. Ленина, 1",
			IsPayed: true, Created: at, Modified: at,
			History: []historyEntry{{StatusID: 1, Date: at, Color: "#fff", Status: "Новый", Manager: "Иванов"}}},
		&client{ID: 2, Name: "Петров", Phone: "79990000000", Email: "p@example.com", Address: "Москва",
			Balance: 1000000, Created: at, Modified: at},
		&transaction{ID: 9, ClientID: 2, Amount: -175110, Comment: "Оплата заказа 19", OrderID: 19, Created: at},
	}
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			for _, r := range rows {
				if _, err := json.Marshal(r); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("AppendJSON", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			for _, r := range rows {
				if _, ok := r.AppendJSON(make([]byte, 0, 512)); !ok {
					b.Fatal("not encoded")
				}
			}
		}
	})
}
