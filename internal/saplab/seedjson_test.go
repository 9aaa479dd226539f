package saplab

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/lifecycle"
)

// sameAsJSON fails unless the seeder writes v as json.Marshal does.
func sameAsJSON(t *testing.T, sd *seeder, v any) {
	t.Helper()
	want, wantErr := json.Marshal(v)
	got, err := sd.encode(v)
	if (err != nil) != (wantErr != nil) || !bytes.Equal(got, want) {
		t.Fatalf("seeded as\n%s (%v)\njson.Marshal:\n%s (%v)", got, err, want, wantErr)
	}
}

// The seeder writes every record as json.Marshal would, through the
// records' own encoders (records.go), the values json escapes and the
// times it refuses included (those fall back to it).
func TestSeedJSON_edgeCases(t *testing.T) {
	sd := &seeder{}
	at := time.Date(2025, 3, 4, 5, 6, 7, 891000, clock.Moscow)
	doc := int64(17)
	odd := []string{"", "plain", "Фильтр масляный", `a "quote"`, `back\slash`, "<b>&amp;</b>", "tab\there", "nl\n",
		"\x01\x1f", "bad \xff utf-8", "line\u2028sep", "para\u2029sep", "emoji 🚗", "\u007f del"}
	for _, s := range odd {
		o := &order{ID: 1, ClientID: 2, Invoice: s, Brand: s, Article: s, Name: s, ShippingAddress: s, ClientComment: s,
			ManagerComment: s, Price: -12345, InitialPrice: 5, Created: at, Modified: at.UTC(),
			History: []historyEntry{{StatusID: 3, Date: at, Color: s, Status: s, Manager: s}}}
		sameAsJSON(t, sd, o)
		sameAsJSON(t, sd, &transaction{ID: 1, ClientID: 2, Amount: 100, Comment: s, Created: at})
		sameAsJSON(t, sd, &client{ID: 3, Name: s, Phone: "79001234567", Email: s, PasswordHash: s, Address: s, Comment: s,
			Wholesaler: &wholesaler{BIK: s, INN: "1", OrgName: s}, Balance: -1, Created: at, Modified: at})
	}
	sameAsJSON(t, sd, &order{DocID: &doc, History: []historyEntry{}, IsPayed: true, DenyRequest: true})
	sameAsJSON(t, sd, &order{Auto: &lifecycle.Progress{Done: 1, Next: at}})
	sameAsJSON(t, sd, &transaction{OrderID: 9, Created: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)})
	sameAsJSON(t, sd, &client{Created: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)})
	sameAsJSON(t, sd, &client{Created: at.In(time.FixedZone("far", 25*3600))})
	sameAsJSON(t, sd, &client{Created: at.In(time.FixedZone("secs", 3*3600+17))})
}

// Every generated client, position and ledger entry is written as
// json.Marshal would.
func TestSeedJSON_generatedRows(t *testing.T) {
	sec := &Section{
		Statuses:      []Status{{ID: 1, Name: "Новый", Color: "#fff"}, {ID: 2, Name: "Принят"}, {ID: 3, Name: "Отказ"}},
		Employees:     []Employee{{ID: 1, Name: "Менеджер"}},
		ShippingTypes: []ShippingType{{ID: 1, Name: "Курьер"}},
		Distributors:  []Distributor{{ID: 1, Name: "Склад"}},
		Points:        []Point{{ID: 1, Name: "Офис"}},
		Groups:        []Group{{ID: 1, Name: "Розница"}, {ID: 2, Name: "Опт"}},
		Generate:      Generate{Clients: 200, Orders: 1000},
	}
	set := settings{NewStatusID: 1, AcceptedStatusID: 2, DeniedStatusID: 3, DefaultGroupID: 1}
	statuses := map[int64]*status{}
	for _, st := range sec.Statuses {
		statuses[st.ID] = &status{ID: st.ID, Name: st.Name, Color: st.Color}
	}
	// With err set, the seeder writes nothing: book only moves balances.
	sd := &seeder{err: errors.New("no file")}
	var orders []*order
	clients := newGenerator(sec, 42, set, nil, statuses).run(sd, nil, 0, func(o *order) { orders = append(orders, o) })
	if len(clients) != 200 || len(orders) != 1000 {
		t.Fatalf("generated %d clients, %d positions", len(clients), len(orders))
	}
	enc := &seeder{}
	for _, c := range clients {
		sameAsJSON(t, enc, c)
	}
	for _, o := range orders {
		sameAsJSON(t, enc, o)
		sameAsJSON(t, enc, &transaction{ID: o.ID, ClientID: o.ClientID, Amount: -o.Total(), Comment: payComment(o), OrderID: o.ID, Created: o.Created})
	}
}
