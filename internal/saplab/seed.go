package saplab

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/mockserver/mockserver/internal/check"
	"github.com/mockserver/mockserver/internal/money"
	"github.com/mockserver/mockserver/internal/scenario"
	"github.com/mockserver/mockserver/internal/state"
	"golang.org/x/crypto/bcrypt"
)

// openingComment is the ledger entry that makes a scenario client's balance
// equal the sum of their transactions (docs/decisions.md, "Scenario
// balances").
const openingComment = "Начальный остаток"

// Seed implements api.API: it writes the scenario's saplab section, then the
// generated rows, into the emptied buckets.
func (a *API) Seed(tx *state.Tx, sc *scenario.Scenario) error {
	s := &sc.Saplab
	sd := &seeder{tx: tx, now: tx.Now()}
	for _, p := range s.Points {
		sd.put(bPoints, p.ID, &point{ID: p.ID, Name: p.Name, Address: p.Address})
	}
	for _, g := range s.ManagerGroups {
		sd.put(bManagerGroups, g.ID, &managerGroup{ID: g.ID, Name: g.Name, Permissions: append([]string{}, g.Permissions...)})
	}
	for _, e := range s.Employees {
		// Scenario passwords are hashed with the minimum cost: seeding must
		// stay fast, and the plaintext is in the scenario file anyway.
		h, err := bcrypt.GenerateFromPassword([]byte(e.Password), bcrypt.MinCost)
		if err != nil {
			return fmt.Errorf("employee %d: %w", e.ID, err)
		}
		sd.put(bEmployees, e.ID, &employee{ID: e.ID, Phone: scenario.Digits(e.Phone), PasswordHash: string(h), Name: e.Name,
			Seat: e.Seat, Email: e.Email, PointID: e.PointID, GroupID: e.GroupID, Status: e.Status == nil || *e.Status,
			ClientUse: e.ClientUse, ContactShow: e.ContactShow})
	}
	for _, st := range s.ShippingTypes {
		sd.put(bShipping, st.ID, &shippingType{ID: st.ID, Name: st.Name, MinPrice: st.MinPrice})
	}
	for _, st := range s.Statuses {
		sd.put(bStatuses, st.ID, &status{ID: st.ID, Name: st.Name, Color: st.Color, SMS: st.SMS, Email: st.Email})
	}
	set := settings{NewStatusID: s.Settings.NewStatusID, AcceptedStatusID: s.Settings.AcceptedStatusID,
		DeniedStatusID: s.Settings.DeniedStatusID, DefaultGroupID: s.Settings.DefaultGroupID}
	if sd.err == nil {
		sd.err = tx.Put(bSettings, settingsKey, set)
	}
	for _, g := range s.Groups {
		sd.put(bGroups, g.ID, &group{ID: g.ID, Name: g.Name, Discount: g.Discount, Comment: g.Comment})
	}
	for _, d := range s.Distributors {
		sd.put(bDistributors, d.ID, &distributor{ID: d.ID, Name: d.Name})
	}

	clients := make([]*client, 0, len(s.Clients))
	for _, c := range s.Clients {
		cl := &client{ID: c.ID, Name: c.Name, Phone: scenario.Digits(c.Phone), Email: c.Email, Address: c.Address,
			GroupID: c.GroupID, ManagerID: c.ManagerID, PointID: c.PointID, ShippingID: c.ShippingID, Limit: c.Limit,
			Comment: c.Comment, Status: c.Status == nil || *c.Status, IsWholesaler: c.IsWholesaler}
		if cl.GroupID == 0 {
			cl.GroupID = set.DefaultGroupID
		}
		if c.Password != "" {
			h, err := bcrypt.GenerateFromPassword([]byte(c.Password), bcrypt.MinCost)
			if err != nil {
				return fmt.Errorf("client %d: %w", c.ID, err)
			}
			cl.PasswordHash = string(h)
		}
		if w := c.Wholesaler; w != nil {
			cl.Wholesaler = &wholesaler{BIK: w.BIK, INN: w.INN, KPP: w.KPP, Bank: w.Bank, ORGN: w.ORGN, Type: w.Type,
				Account: w.Account, Address: w.Address, OrgName: w.OrgName, BankAccount: w.BankAccount}
		} else if c.IsWholesaler {
			cl.Wholesaler = &wholesaler{}
		}
		cl.Created = sd.time(c.Created)
		cl.Modified = cl.Created
		if c.Modified != "" {
			cl.Modified = sd.time(c.Modified)
		}
		clients = append(clients, cl)
	}
	// Each client's balance: an opening entry for what the listed
	// transactions do not explain, then the listed ones.
	listed := map[int64]money.Amount{}
	for _, tr := range s.Transactions {
		listed[tr.ClientID] += tr.Amount
	}
	for i, c := range s.Clients {
		if diff := c.Balance - listed[c.ID]; diff != 0 {
			sd.book(clients[i], diff, openingComment, 0, clients[i].Created)
		}
	}
	byID := map[int64]*client{}
	for _, cl := range clients {
		byID[cl.ID] = cl
	}
	for _, tr := range s.Transactions {
		sd.book(byID[tr.ClientID], tr.Amount, tr.Description, 0, sd.time(tr.Created))
	}

	statuses := map[int64]*status{}
	for _, st := range s.Statuses {
		statuses[st.ID] = &status{ID: st.ID, Name: st.Name, Color: st.Color}
	}
	var orders []*order
	for _, o := range s.Orders {
		created := sd.time(o.Created)
		ord := &order{ID: o.ID, ClientID: o.ClientID, Invoice: o.Invoice, Brand: o.Brand, Article: o.Article, Name: o.Name,
			DistributorID: o.DistributorID, Price: o.Price, InitialPrice: o.InitialPrice, Quantity: o.Quantity,
			DeliveryTimeMin: o.DeliveryTimeMin, DeliveryTimeMax: o.DeliveryTimeMax, StatusID: o.StatusID,
			ShippingID: o.ShippingID, ShippingAddress: o.ShippingAddress, ClientComment: o.ClientComment,
			ManagerComment: o.ManagerComment, DenyRequest: o.DenyRequest, IsArchived: o.IsArchived,
			IsDenied: o.StatusID == set.DeniedStatusID && o.StatusID != 0, IsPayed: o.IsPayed,
			Created: created, Modified: created}
		ord.History = entryHistory(set, statuses, o.StatusID, created, systemManager)
		orders = append(orders, ord)
	}

	if s.Generate.Clients > 0 || s.Generate.Orders > 0 {
		g := newGenerator(sc, set, clients, statuses)
		clients, orders = g.run(sd, clients, orders)
	}
	for _, cl := range clients {
		sd.put(bClients, cl.ID, cl)
	}
	for _, o := range orders {
		sd.put(bOrders, o.ID, o)
	}
	sd.sequence(bPoints, bManagerGroups, bEmployees, bShipping, bStatuses, bGroups, bDistributors, bClients, bOrders)
	return sd.err
}

// entryHistory is the history a position has when it enters the panel: the
// new status, then the accepted one, then the status it is in, each once,
// all written by the system (saplab.txt's examples start with
// "Приостановлено" and "Принято" by "Автоматически" at the same second).
// who names the author of the last step when it is neither of the first two.
func entryHistory(set settings, statuses map[int64]*status, statusID int64, at time.Time, who string) []historyEntry {
	var h []historyEntry
	add := func(id int64, by string) {
		if id == 0 || (len(h) > 0 && h[len(h)-1].StatusID == id) {
			return
		}
		e := historyEntry{Date: at, Manager: by, StatusID: id}
		if st := statuses[id]; st != nil {
			e.Status, e.Color = st.Name, st.Color
		}
		h = append(h, e)
	}
	add(set.NewStatusID, systemManager)
	if statusID != set.NewStatusID {
		add(set.AcceptedStatusID, systemManager)
		add(statusID, who)
	}
	return h
}

// seeder writes records and remembers the first error and the largest id
// of each bucket, so the sequences can be moved past them.
type seeder struct {
	tx   *state.Tx
	now  time.Time
	err  error
	max  map[string]int64
	txID int64
}

func (sd *seeder) put(bucket string, id int64, v any) {
	if sd.err != nil {
		return
	}
	if sd.max == nil {
		sd.max = map[string]int64{}
	}
	sd.max[bucket] = max(sd.max[bucket], id)
	sd.err = put(sd.tx, bucket, id, v)
}

// book writes a ledger entry and moves the client's balance with it.
func (sd *seeder) book(cl *client, amount money.Amount, comment string, orderID int64, at time.Time) {
	sd.txID++
	cl.Balance += amount
	sd.put(bTransactions, sd.txID, &transaction{ID: sd.txID, ClientID: cl.ID, Amount: amount, Comment: comment, OrderID: orderID, Created: at})
}

// time reads a scenario timestamp; an absent one is the seeding time.
func (sd *seeder) time(s string) time.Time {
	if s == "" {
		return sd.now
	}
	t, err := check.ParseTime(s)
	if err != nil && sd.err == nil {
		sd.err = err // the loader has checked it; this is only a guard
	}
	return t
}

func (sd *seeder) sequence(buckets ...string) {
	for _, b := range append(buckets, bTransactions) {
		if sd.err == nil && sd.max[b] > 0 {
			sd.err = sd.tx.SetSequence(b, uint64(sd.max[b]))
		}
	}
}

// loadView reads the whole saplab state into a new view.
func loadView(tx *state.Tx) (*view, error) {
	v := newView()
	if err := tx.Get(bSettings, settingsKey, &v.settings); err != nil && err != state.ErrNotFound {
		return nil, err
	}
	if err := loadMap(tx, bPoints, v.points, func(p *point) int64 { return p.ID }); err != nil {
		return nil, err
	}
	if err := loadMap(tx, bManagerGroups, v.mgroups, func(p *managerGroup) int64 { return p.ID }); err != nil {
		return nil, err
	}
	if err := loadMap(tx, bEmployees, v.employees, func(p *employee) int64 { return p.ID }); err != nil {
		return nil, err
	}
	if err := loadMap(tx, bShipping, v.shipping, func(p *shippingType) int64 { return p.ID }); err != nil {
		return nil, err
	}
	if err := loadMap(tx, bStatuses, v.statuses, func(p *status) int64 { return p.ID }); err != nil {
		return nil, err
	}
	if err := loadMap(tx, bGroups, v.groups, func(p *group) int64 { return p.ID }); err != nil {
		return nil, err
	}
	if err := loadMap(tx, bDistributors, v.distributors, func(p *distributor) int64 { return p.ID }); err != nil {
		return nil, err
	}
	err := tx.ForEach(bClients, func(_, data []byte) error {
		var c client
		if err := json.Unmarshal(data, &c); err != nil {
			return fmt.Errorf("saplab client: %w", err)
		}
		v.setClient(&c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = tx.ForEach(bOrders, func(_, data []byte) error {
		var o orderRow
		if err := json.Unmarshal(data, &o); err != nil {
			return fmt.Errorf("saplab order: %w", err)
		}
		v.setOrder((*order)(&o))
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = tx.ForEach(bTransactions, func(_, data []byte) error {
		var t struct {
			ID       int64 `json:"id"`
			ClientID int64 `json:"client_id"`
		}
		if err := json.Unmarshal(data, &t); err != nil {
			return fmt.Errorf("saplab transaction: %w", err)
		}
		v.addTransaction(t.ClientID, t.ID)
		return nil
	})
	v.clients.reindexNames()
	return v, err
}

// orderRow is an order read without its history, which the view does not
// need: decoding it is most of the cost of loading a large file.
type orderRow order

// UnmarshalJSON skips "history".
func (o *orderRow) UnmarshalJSON(data []byte) error {
	type plain order
	var p struct {
		plain
		History json.RawMessage `json:"history"`
	}
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	*o = orderRow(p.plain)
	return nil
}

func loadMap[T any](tx *state.Tx, bucket string, m map[int64]*T, id func(*T) int64) error {
	return tx.ForEach(bucket, func(_, data []byte) error {
		var v T
		if err := json.Unmarshal(data, &v); err != nil {
			return fmt.Errorf("%s: %w", bucket, err)
		}
		m[id(&v)] = &v
		return nil
	})
}
