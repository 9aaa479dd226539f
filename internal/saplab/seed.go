package saplab

import (
	"cmp"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/mockserver/mockserver/internal/check"
	"github.com/mockserver/mockserver/internal/lifecycle"
	"github.com/mockserver/mockserver/internal/money"
	"github.com/mockserver/mockserver/internal/password"
	"github.com/mockserver/mockserver/internal/saplab/filter"
	"github.com/mockserver/mockserver/internal/seal"
	"github.com/mockserver/mockserver/internal/state"
)

// Section is the saplab: section of a scenario (SPEC §3, §6). Ids are given
// explicitly so that scenarios can refer to rows from other rows.
type Section struct {
	Points        []Point        `yaml:"points"`
	ManagerGroups []ManagerGroup `yaml:"manager_groups"`
	Employees     []Employee     `yaml:"employees"`
	ShippingTypes []ShippingType `yaml:"shipping_types"`
	Statuses      []Status       `yaml:"statuses"`
	Settings      Settings       `yaml:"settings"`
	Groups        []Group        `yaml:"groups"`
	Distributors  []Distributor  `yaml:"distributors"`
	Clients       []Client       `yaml:"clients"`
	Transactions  []Transaction  `yaml:"transactions"`
	Orders        []Order        `yaml:"orders"`
	Generate      Generate       `yaml:"generate"`
	// Lifecycle is the path positions added through the control API then
	// follow by themselves (SPEC §12); left out, none does.
	Lifecycle *lifecycle.Plan `yaml:"lifecycle"`
}

// Point is an office (pickup point).
type Point struct {
	ID      int64  `yaml:"id"`
	Name    string `yaml:"name"`
	Address string `yaml:"address"`
}

// ManagerGroup is a group of employees and what it may do (Permissions).
type ManagerGroup struct {
	ID          int64    `yaml:"id"`
	Name        string   `yaml:"name"`
	Permissions []string `yaml:"permissions"`
}

// Employee is a back-office user; Phone is the Basic-auth login.
type Employee struct {
	ID          int64  `yaml:"id"`
	Phone       string `yaml:"phone"`
	Password    string `yaml:"password"`
	Name        string `yaml:"name"`
	Seat        string `yaml:"seat"`
	Email       string `yaml:"email"`
	PointID     int64  `yaml:"point_id"`
	GroupID     int64  `yaml:"group_id"`
	Status      *bool  `yaml:"status"`
	ClientUse   bool   `yaml:"client_use"`
	ContactShow bool   `yaml:"contact_show"`
}

// ShippingType is a delivery method.
type ShippingType struct {
	ID       int64  `yaml:"id"`
	Name     string `yaml:"name"`
	MinPrice int64  `yaml:"min_price"`
}

// Status is an order-position status.
type Status struct {
	ID    int64  `yaml:"id"`
	Name  string `yaml:"name"`
	Color string `yaml:"color"`
	SMS   bool   `yaml:"sms"`
	Email bool   `yaml:"email"`
}

// Settings names the statuses and group the rules depend on.
type Settings struct {
	NewStatusID      int64 `yaml:"new_status_id"`
	AcceptedStatusID int64 `yaml:"accepted_status_id"`
	DeniedStatusID   int64 `yaml:"denied_status_id"`
	DefaultGroupID   int64 `yaml:"default_group_id"`
}

// Group is a client discount group.
type Group struct {
	ID       int64  `yaml:"id"`
	Name     string `yaml:"name"`
	Discount int64  `yaml:"discount"`
	Comment  string `yaml:"comment"`
}

// Distributor is a supplier of positions.
type Distributor struct {
	ID   int64  `yaml:"id"`
	Name string `yaml:"name"`
}

// Client is a shop client. Balance is the balance the client has when the
// scenario loads: the seeder books the difference between it and the
// client's listed transactions as an opening transaction ("Начальный
// остаток"), so the balance always equals the sum of the ledger.
type Client struct {
	ID           int64        `yaml:"id"`
	Name         string       `yaml:"name"`
	Phone        string       `yaml:"phone"`
	Email        string       `yaml:"email"`
	Password     string       `yaml:"password"`
	Address      string       `yaml:"address"`
	GroupID      int64        `yaml:"group_id"`
	ManagerID    int64        `yaml:"manager_id"`
	PointID      int64        `yaml:"point_id"`
	ShippingID   int64        `yaml:"shipping_id"`
	Limit        int64        `yaml:"limit"`
	Comment      string       `yaml:"comment"`
	Status       *bool        `yaml:"status"`
	IsWholesaler bool         `yaml:"is_wholesaler"`
	Wholesaler   *Wholesaler  `yaml:"wholesaler"`
	Balance      money.Amount `yaml:"balance"`
	Created      string       `yaml:"created"`
	// Modified is date_modified; it defaults to Created.
	Modified string `yaml:"modified"`
}

// Wholesaler is a legal entity's details (wholesaler_data in the document).
type Wholesaler struct {
	Type        string `yaml:"type"`
	OrgName     string `yaml:"org_name"`
	INN         string `yaml:"inn"`
	KPP         string `yaml:"kpp"`
	ORGN        string `yaml:"orgn"`
	Address     string `yaml:"address"`
	Bank        string `yaml:"bank"`
	BIK         string `yaml:"bik"`
	Account     string `yaml:"account"`
	BankAccount string `yaml:"bank_account"`
}

// Transaction is a ledger entry on a client's balance.
type Transaction struct {
	ClientID int64 `yaml:"client_id"`
	// OrderID names the position a payment or refund is for (0: none), as
	// the panel links the entries its pay route books.
	OrderID     int64        `yaml:"order_id"`
	Amount      money.Amount `yaml:"amount"`
	Description string       `yaml:"description"`
	Created     string       `yaml:"created"`
}

// Order is an order position as the storefront would have created it.
type Order struct {
	ID              int64        `yaml:"id"`
	ClientID        int64        `yaml:"client_id"`
	Invoice         string       `yaml:"invoice"`
	Brand           string       `yaml:"brand"`
	Article         string       `yaml:"article"`
	Name            string       `yaml:"name"`
	DistributorID   int64        `yaml:"distributor_id"`
	Price           money.Amount `yaml:"price"`
	InitialPrice    money.Amount `yaml:"initial_price"`
	Quantity        int64        `yaml:"quantity"`
	DeliveryTimeMin int64        `yaml:"delivarytime_min"`
	DeliveryTimeMax int64        `yaml:"delivarytime_max"`
	StatusID        int64        `yaml:"status_id"`
	ShippingID      int64        `yaml:"shipping_id"`
	ShippingAddress string       `yaml:"shipping_address"`
	ClientComment   string       `yaml:"client_comment"`
	ManagerComment  string       `yaml:"manager_comment"`
	IsPayed         bool         `yaml:"is_payed"`
	IsArchived      bool         `yaml:"is_archived"`
	DenyRequest     bool         `yaml:"deny_request"`
	Created         string       `yaml:"created"`
}

// Generate asks for extra fake rows, reproducible from the seed.
type Generate struct {
	Clients int `yaml:"clients"`
	Orders  int `yaml:"orders"`
}

// MaxGenerateClients and MaxGenerateOrders cap saplab's generate: at the
// scale the mock is built and measured for (docs/saplab.md, Scale). The
// view keeps columns and indexes of every row in memory and seeding is one
// transaction (2.9 GB peak at these caps), so the earlier caps of a
// million and five million let one scenario exhaust the machine.
const (
	MaxGenerateClients = 100_000
	MaxGenerateOrders  = 500_000
)

// ApplyDefaults fills what the section may leave out: employees and
// clients are active unless the scenario says status: false.
func (s *Section) ApplyDefaults() {
	yes := func() *bool { b := true; return &b }
	for i := range s.Employees {
		if s.Employees[i].Status == nil {
			s.Employees[i].Status = yes()
		}
	}
	for i := range s.Clients {
		if s.Clients[i].Status == nil {
			s.Clients[i].Status = yes()
		}
	}
}

// sectionIDs are the id sets of the section's tables, for the checks of
// references between rows.
type sectionIDs struct {
	points, mgroups, employees, shipping, statuses, groups, distributors, clients check.IDs
}

// Check reports every problem of the section with its file:line. The
// tables are checked in the order they are declared, so that problems on
// one line keep one order.
func (s *Section) Check(c *check.Checker) {
	ids := s.collectIDs(c)
	s.checkManagerGroups(c)
	s.checkEmployees(c, ids)
	s.checkReferenceTables(c, ids)
	s.checkClients(c, ids)
	s.checkTransactions(c, ids)
	s.checkOrders(c, ids)
	s.checkGenerate(c)
	s.Lifecycle.Check(c, check.At("saplab", "lifecycle"), lifecycle.Vendor{
		Key: "status_id", Known: ids.statuses.Has, Statuses: s.statusList(),
	})
}

// statusList names the section's statuses, "3 Заказано, 4 В работе", for
// the problem of a lifecycle step naming one that does not exist.
func (s *Section) statusList() string {
	parts := make([]string, len(s.Statuses))
	for i, st := range s.Statuses {
		parts[i] = fmt.Sprintf("%d %s", st.ID, st.Name)
	}
	if len(parts) == 0 {
		return "none (saplab.statuses is empty)"
	}
	return strings.Join(parts, ", ")
}

// collectIDs reads every table's ids, failing on ids that are not positive
// or repeat.
func (s *Section) collectIDs(c *check.Checker) sectionIDs {
	sp := func(table string) func(i int) check.Path {
		return func(i int) check.Path { return check.At("saplab", table, i) }
	}
	var ids sectionIDs
	ids.points = c.CollectIDs("point", len(s.Points), func(i int) int64 { return s.Points[i].ID }, sp("points"))
	ids.mgroups = c.CollectIDs("manager group", len(s.ManagerGroups), func(i int) int64 { return s.ManagerGroups[i].ID }, sp("manager_groups"))
	ids.employees = c.CollectIDs("employee", len(s.Employees), func(i int) int64 { return s.Employees[i].ID }, sp("employees"))
	ids.shipping = c.CollectIDs("shipping type", len(s.ShippingTypes), func(i int) int64 { return s.ShippingTypes[i].ID }, sp("shipping_types"))
	ids.statuses = c.CollectIDs("status", len(s.Statuses), func(i int) int64 { return s.Statuses[i].ID }, sp("statuses"))
	ids.groups = c.CollectIDs("group", len(s.Groups), func(i int) int64 { return s.Groups[i].ID }, sp("groups"))
	ids.distributors = c.CollectIDs("distributor", len(s.Distributors), func(i int) int64 { return s.Distributors[i].ID }, sp("distributors"))
	ids.clients = c.CollectIDs("client", len(s.Clients), func(i int) int64 { return s.Clients[i].ID }, sp("clients"))
	// Nothing refers to positions by id, but their ids must still be unique.
	c.CollectIDs("order", len(s.Orders), func(i int) int64 { return s.Orders[i].ID }, sp("orders"))
	return ids
}

// checkManagerGroups checks that a manager group has a name and only known permissions.
func (s *Section) checkManagerGroups(c *check.Checker) {
	for i, g := range s.ManagerGroups {
		p := check.At("saplab", "manager_groups", i)
		c.Required(append(p, "name"), g.Name)
		for j, perm := range g.Permissions {
			if !slices.Contains(Permissions, perm) {
				c.Fail(check.At("saplab", "manager_groups", i, "permissions", j), "unknown permission %q", perm)
			}
		}
	}
}

// checkEmployees checks the employees: an employee logs in by phone and password, so both are
// required, phones unique by digits (as the login compares them) and
// passwords within what bcrypt reads.
func (s *Section) checkEmployees(c *check.Checker, ids sectionIDs) {
	phones := check.NewUnique("employee phone")
	for i, e := range s.Employees {
		p := check.At("saplab", "employees", i)
		if c.Required(append(p, "phone"), e.Phone) {
			phones.Check(c, append(p, "phone"), filter.Digits(e.Phone))
		}
		if c.Required(append(p, "password"), e.Password) && !passwordFits(e.Password) {
			c.Fail(append(p, "password"), problemPasswordTooLong, password.MaxBytes)
		}
		c.Required(append(p, "name"), e.Name)
		c.Email(append(p, "email"), e.Email)
		c.Ref(append(p, "point_id"), ids.points, e.PointID, true)
		c.Ref(append(p, "group_id"), ids.mgroups, e.GroupID, false)
	}
}

// checkReferenceTables checks the shop's small tables and the settings
// that name their rows. A status colour is checked by the panel's own rule
// (statusColor), so a seeded status is one the panel would have taken.
func (s *Section) checkReferenceTables(c *check.Checker, ids sectionIDs) {
	for i, st := range s.ShippingTypes {
		c.Required(check.At("saplab", "shipping_types", i, "name"), st.Name)
		if st.MinPrice < 0 {
			c.Fail(check.At("saplab", "shipping_types", i, "min_price"), "min_price must not be negative")
		}
	}
	for i, st := range s.Statuses {
		c.Required(check.At("saplab", "statuses", i, "name"), st.Name)
		if _, ok := statusColor(st.Color); !ok {
			c.Fail(check.At("saplab", "statuses", i, "color"), "color %q is not six hex digits like FAFFB3", st.Color)
		}
	}
	set := s.Settings
	if len(s.Statuses) > 0 {
		c.Ref(check.At("saplab", "settings", "new_status_id"), ids.statuses, set.NewStatusID, false)
		c.Ref(check.At("saplab", "settings", "accepted_status_id"), ids.statuses, set.AcceptedStatusID, true)
		c.Ref(check.At("saplab", "settings", "denied_status_id"), ids.statuses, set.DeniedStatusID, false)
	} else if set.NewStatusID != 0 || set.DeniedStatusID != 0 || set.AcceptedStatusID != 0 {
		c.Fail(check.At("saplab", "settings"), "settings name statuses but saplab.statuses is empty (dangling id)")
	}
	if len(s.Groups) > 0 {
		c.Ref(check.At("saplab", "settings", "default_group_id"), ids.groups, set.DefaultGroupID, false)
	} else if set.DefaultGroupID != 0 {
		c.Fail(check.At("saplab", "settings", "default_group_id"), "group %d does not exist (dangling id)", set.DefaultGroupID)
	}
	for i, g := range s.Groups {
		c.Required(check.At("saplab", "groups", i, "name"), g.Name)
		if g.Discount < 0 || g.Discount > maxDiscount {
			c.Fail(check.At("saplab", "groups", i, "discount"), "discount is a percentage 0..100")
		}
	}
	for i, d := range s.Distributors {
		c.Required(check.At("saplab", "distributors", i, "name"), d.Name)
	}
}

// checkClients holds scenario clients to the client form's rules: phones
// unique by digits, emails unique in any case, references that exist.
func (s *Section) checkClients(c *check.Checker, ids sectionIDs) {
	phones := check.NewUnique("client phone")
	emails := check.NewUnique("client email")
	for i, cl := range s.Clients {
		p := check.At("saplab", "clients", i)
		c.Required(append(p, "name"), cl.Name)
		if c.Required(append(p, "phone"), cl.Phone) {
			phones.Check(c, append(p, "phone"), filter.Digits(cl.Phone))
		}
		c.Email(append(p, "email"), cl.Email)
		if !passwordFits(cl.Password) {
			c.Fail(append(p, "password"), problemPasswordTooLong, password.MaxBytes)
		}
		emails.Check(c, append(p, "email"), emailKey(cl.Email))
		c.Ref(append(p, "group_id"), ids.groups, cl.GroupID, len(s.Groups) == 0)
		c.Ref(append(p, "manager_id"), ids.employees, cl.ManagerID, true)
		c.Ref(append(p, "point_id"), ids.points, cl.PointID, true)
		c.Ref(append(p, "shipping_id"), ids.shipping, cl.ShippingID, true)
		if cl.Limit < 0 {
			c.Fail(append(p, "limit"), "limit must not be negative")
		}
		if cl.Wholesaler != nil && !cl.IsWholesaler {
			c.Fail(append(p, "wholesaler"), "wholesaler details given but is_wholesaler is false")
		}
		c.Timestamp(append(p, "created"), cl.Created)
		c.Timestamp(append(p, "modified"), cl.Modified)
	}
}

// checkTransactions checks that each ledger entry names a client and moves
// money.
func (s *Section) checkTransactions(c *check.Checker, ids sectionIDs) {
	for i, tr := range s.Transactions {
		p := check.At("saplab", "transactions", i)
		c.Ref(append(p, "client_id"), ids.clients, tr.ClientID, false)
		if tr.Amount == 0 {
			c.Fail(append(p, "amount"), "amount must not be zero")
		}
		c.Timestamp(append(p, "created"), tr.Created)
		if tr.OrderID != 0 && !slices.ContainsFunc(s.Orders, func(o Order) bool { return o.ID == tr.OrderID && o.ClientID == tr.ClientID }) {
			c.Fail(append(p, "order_id"), chkPaymentOrder, tr.OrderID, tr.ClientID)
		}
	}
	s.checkPayments(c)
}

// checkPayments holds each paid position (is_payed: true) to a payment in
// its client's ledger, as the pay route books one: a transaction of the
// client with the position's order_id and minus its total. Without it the
// balance would not show the money the position took, and a refund
// (paying it again) would give back money never taken.
func (s *Section) checkPayments(c *check.Checker) {
	for i, o := range s.Orders {
		if !o.IsPayed {
			continue
		}
		total := o.Price.Mul(o.Quantity)
		if !slices.ContainsFunc(s.Transactions, func(tr Transaction) bool {
			return tr.OrderID == o.ID && tr.ClientID == o.ClientID && tr.Amount == -total
		}) {
			c.Fail(check.At("saplab", "orders", i, "is_payed"), chkPaymentMissing, o.ID, o.ClientID, o.ID, (-total).String())
		}
	}
}

// checkOrders holds scenario positions to what the storefront could have
// created.
func (s *Section) checkOrders(c *check.Checker, ids sectionIDs) {
	for i, o := range s.Orders {
		p := check.At("saplab", "orders", i)
		c.Ref(append(p, "client_id"), ids.clients, o.ClientID, false)
		c.Ref(append(p, "distributor_id"), ids.distributors, o.DistributorID, true)
		c.Ref(append(p, "status_id"), ids.statuses, o.StatusID, false)
		c.Ref(append(p, "shipping_id"), ids.shipping, o.ShippingID, true)
		checkPosition(c, p, o)
		c.Timestamp(append(p, "created"), o.Created)
	}
}

// checkPosition words positionFaults for the scenario file, so a seeded
// position is one the storefront (POST /__admin/saplab/orders) could have
// taken.
func checkPosition(c *check.Checker, p check.Path, o Order) {
	faults := positionFaults(positionLine{brand: o.Brand, article: o.Article, price: o.Price,
		initialPrice: o.InitialPrice, quantity: o.Quantity, deliveryMin: o.DeliveryTimeMin, deliveryMax: o.DeliveryTimeMax})
	for _, f := range faults {
		switch f {
		case faultBrand:
			c.Fail(p.Join("brand"), "brand is required")
		case faultArticle:
			c.Fail(p.Join("article"), "article is required")
		case faultPrice, faultInitialPrice:
			if f == faultPrice || !slices.Contains(faults, faultPrice) {
				c.Fail(p.Join("price"), "prices must not be negative")
			}
		case faultQuantity:
			c.Fail(p.Join("quantity"), problemQuantity, maxQuantity)
		case faultDelivery:
			c.Fail(p.Join("delivarytime_max"), problemDelivery, maxDeliveryDays)
		}
	}
}

// checkGenerate bounds generate: to the scale the mock is built for, and
// checks generated positions have clients and statuses to take.
func (s *Section) checkGenerate(c *check.Checker) {
	if s.Generate.Clients < 0 || s.Generate.Clients > MaxGenerateClients {
		c.Fail(check.At("saplab", "generate", "clients"), "generate.clients must be between 0 and %d (the scale the mock is built for)", MaxGenerateClients)
	}
	if s.Generate.Orders < 0 || s.Generate.Orders > MaxGenerateOrders {
		c.Fail(check.At("saplab", "generate", "orders"), "generate.orders must be between 0 and %d (the scale the mock is built for)", MaxGenerateOrders)
	}
	if s.Generate.Orders > 0 && len(s.Clients)+s.Generate.Clients == 0 {
		c.Fail(check.At("saplab", "generate", "orders"), "generated orders need clients")
	}
	if s.Generate.Orders > 0 && len(s.Statuses) == 0 {
		c.Fail(check.At("saplab", "generate", "orders"), "generated orders need saplab.statuses")
	}
}

// Seed writes the scenario's saplab section, then the rows generated from
// seed, into the emptied buckets. It runs inside the server's seeding
// transaction of saplab's file, which it commits every seedChunk bytes
// (state.Tx.Checkpoint): a generated state of a gigabyte or more is
// written in chunks of bounded memory.
func (a *API) Seed(tx *state.Tx, sec *Section, seed int64) error {
	// A view stored of the state this seeding replaces is of no use, and
	// the count of writes it is tagged with starts again at 0.
	if err := tx.DropAside(bView); err != nil {
		return err
	}
	sd := &seeder{tx: tx, now: tx.Now(), seed: seed, w: startWriter(tx, sec.Generate.Clients+sec.Generate.Orders >= asyncSeedRows)}
	set := sec.Settings.record()
	sd.referenceTables(sec, set)
	clients := sd.clients(sec, set)
	sd.ledgers(sec, clients)
	statuses := map[int64]*status{}
	for _, st := range sec.Statuses {
		statuses[st.ID] = &status{ID: st.ID, Name: st.Name, Color: st.record().Color}
	}
	lastOrder := int64(0)
	for _, o := range sd.orders(sec, set, statuses) {
		sd.putOrder(o)
		lastOrder = max(lastOrder, o.ID)
	}
	if sec.Generate.Clients > 0 || sec.Generate.Orders > 0 {
		// Generated positions are written as they are made, not kept:
		// half a million of them with their histories weighed a gigabyte.
		g := newGenerator(sec, seed, set, clients, statuses)
		clients = g.run(sd, clients, lastOrder, sd.putOrder)
	}
	// Clients last: their balances are final once every position paid.
	for _, cl := range clients {
		sd.put(bClients, cl.ID, cl)
		col := clientColOf(cl)
		sd.scratch = col.appendTo(sd.scratch[:0])
		sd.col(colClients, cl.ID, sd.scratch)
	}
	sd.putLedger()
	sd.drain() // the transaction is the seeder's again
	sd.sequence(bPoints, bManagerGroups, bEmployees, bShipping, bStatuses, bGroups, bDistributors, bClients, bOrders)
	if sd.err == nil {
		sd.err = tx.Bucket(bIndex).Put(keyFormat, []byte(columnsFormat))
	}
	return sd.err
}

// Load implements what the server calls after every seed and at start-up:
// it rebuilds the view from the file and forgets cached logins and rows.
// Of the section only the lifecycle is read (with seed, which its draws
// derive from): everything else saplab needs is in the file.
//
// The view stored in the file (viewstore.go) is read instead of the column
// records when it is of the state tx reads; else the view is built.
func (a *API) Load(tx *state.Tx, sec *Section, seed int64) error {
	v, stored, err := a.viewOf(tx)
	if err != nil {
		return err
	}
	v.life = &Lifecycle{Plan: sec.Lifecycle, Seed: seed}
	v.commits = commits(tx)
	a.store.setView(v)
	a.forgetLogins()
	if len(v.orders.id)+len(v.clients.id) >= releaseRows {
		// Building a large view leaves about as much garbage as the view
		// itself (decoded records, the old view), which the runtime would
		// otherwise keep mapped while the server idles, and the pages of
		// the column records (or of the stored view) it read resident.
		// Reading the stored view leaves the old view only.
		if !stored {
			debug.FreeOSMemory()
		}
		return tx.ReleaseMapped()
	}
	return nil
}

// viewOf is the stored view when the file holds one of the state tx reads
// and it passes its checks (stored true), else the view built from the
// column records (or rows).
func (a *API) viewOf(tx *state.Tx) (*view, bool, error) {
	tag := tagOf(tx)
	if have, found := storedTag(tx); found && hasColumns(tx) {
		v, err := tablesView(tx)
		if err != nil {
			return nil, false, err
		}
		if err := loadStoredView(tx, v, tag); err == nil {
			v.stored = true
			return v, true, nil
		}
		// Not an error: a write after the view was stored (a kill -9
		// since) or a damaged copy; the rows are the truth.
		if a.deps.Log != nil {
			a.deps.Log.Info("saplab: the stored view is not of this state; building it from the rows",
				"stored_commits", have.commits, "commits", tag.commits)
		}
	}
	v, err := loadView(tx)
	return v, false, err
}

// releaseRows is the view size from which Load hands the memory its build
// freed back to the system at once.
const releaseRows = 100_000

// referenceTables writes the shop's small tables, its employees and its
// settings.
func (sd *seeder) referenceTables(sec *Section, set settings) {
	for _, p := range sec.Points {
		sd.put(bPoints, p.ID, &point{ID: p.ID, Name: p.Name, Address: p.Address})
	}
	for _, g := range sec.ManagerGroups {
		sd.put(bManagerGroups, g.ID, &managerGroup{ID: g.ID, Name: g.Name, Permissions: append([]string{}, g.Permissions...)})
	}
	for _, e := range sec.Employees {
		sd.put(bEmployees, e.ID, e.record(sd.hash("employee", e.ID, e.Password)))
	}
	for _, st := range sec.ShippingTypes {
		sd.put(bShipping, st.ID, &shippingType{ID: st.ID, Name: st.Name, MinPrice: st.MinPrice})
	}
	for _, st := range sec.Statuses {
		sd.put(bStatuses, st.ID, st.record())
	}
	if data, err := json.Marshal(set); err != nil {
		sd.err = fmt.Errorf("encode %s record: %w", bSettings, err)
	} else {
		sd.enqueue(seedOp{bucket: bSettings, key: settingsKey, val: data})
	}
	for _, g := range sec.Groups {
		sd.put(bGroups, g.ID, &group{ID: g.ID, Name: g.Name, Discount: g.Discount, Comment: g.Comment})
	}
	for _, d := range sec.Distributors {
		sd.put(bDistributors, d.ID, &distributor{ID: d.ID, Name: d.Name})
	}
}

// clients makes the scenario's client records (stored later, with the
// generated ones and their balances).
func (sd *seeder) clients(sec *Section, set settings) []*client {
	clients := make([]*client, 0, len(sec.Clients))
	for _, c := range sec.Clients {
		cl := c.record(set.DefaultGroupID, sd.hash("client", c.ID, c.Password))
		cl.Created = sd.time(c.Created)
		cl.Modified = cl.Created
		if c.Modified != "" {
			cl.Modified = sd.time(c.Modified)
		}
		clients = append(clients, cl)
	}
	return clients
}

// ledgers books each scenario client's balance: an opening entry for what
// the listed transactions do not explain, then the listed ones.
func (sd *seeder) ledgers(sec *Section, clients []*client) {
	listed := map[int64]money.Amount{}
	for _, tr := range sec.Transactions {
		listed[tr.ClientID] += tr.Amount
	}
	for i, c := range sec.Clients {
		if diff := c.Balance - listed[c.ID]; diff != 0 {
			sd.book(clients[i], diff, openingComment, 0, clients[i].Created)
		}
	}
	byID := map[int64]*client{}
	for _, cl := range clients {
		byID[cl.ID] = cl
	}
	for _, tr := range sec.Transactions {
		sd.book(byID[tr.ClientID], tr.Amount, tr.Description, tr.OrderID, sd.time(tr.Created))
	}
}

// orders makes the scenario's positions, each with the history a position
// has when it enters the panel.
func (sd *seeder) orders(sec *Section, set settings, statuses map[int64]*status) []*order {
	var orders []*order
	for _, o := range sec.Orders {
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
	return orders
}

// record is the settings row.
func (s Settings) record() settings {
	return settings{NewStatusID: s.NewStatusID, AcceptedStatusID: s.AcceptedStatusID,
		DeniedStatusID: s.DeniedStatusID, DefaultGroupID: s.DefaultGroupID}
}

// record is the status row, its colour in the form the panel stores
// (statusColor): a seeded status is one the panel could have saved.
func (st Status) record() *status {
	color, _ := statusColor(st.Color)
	return &status{ID: st.ID, Name: st.Name, Color: color, SMS: st.SMS, Email: st.Email}
}

// record is the employee row with its password hash.
func (e Employee) record(hash string) *employee {
	return &employee{ID: e.ID, Phone: filter.Digits(e.Phone), PasswordHash: hash, Name: e.Name,
		Seat: e.Seat, Email: e.Email, PointID: e.PointID, GroupID: e.GroupID, Status: e.Status == nil || *e.Status,
		ClientUse: e.ClientUse, ContactShow: e.ContactShow}
}

// record is the client row without its times and balance; a client without
// a group is in the default one.
func (c Client) record(defaultGroup int64, hash string) *client {
	cl := &client{ID: c.ID, Name: c.Name, Phone: filter.Digits(c.Phone), Email: c.Email, Address: c.Address,
		GroupID: c.GroupID, ManagerID: c.ManagerID, PointID: c.PointID, ShippingID: c.ShippingID, Limit: c.Limit,
		Comment: c.Comment, Status: c.Status == nil || *c.Status, IsWholesaler: c.IsWholesaler, PasswordHash: hash}
	if cl.GroupID == 0 {
		cl.GroupID = defaultGroup
	}
	if w := c.Wholesaler; w != nil {
		cl.Wholesaler = &wholesaler{BIK: w.BIK, INN: w.INN, KPP: w.KPP, Bank: w.Bank, ORGN: w.ORGN, Type: w.Type,
			Account: w.Account, Address: w.Address, OrgName: w.OrgName, BankAccount: w.BankAccount}
	} else if c.IsWholesaler {
		cl.Wholesaler = &wholesaler{}
	}
	return cl
}

// seeder writes records and remembers the first error and the largest id
// of each bucket, so the sequences can be moved past them.
type seeder struct {
	tx   *state.Tx
	now  time.Time
	seed int64 // the scenario's: salts of seeded passwords (hash)
	err  error
	max  map[string]int64
	txID int64
	// ledger is every entry booked, (client, entry), for putLedger.
	ledger [][2]int64
	// w puts the records on a goroutine of its own (seedwriter.go) from
	// the first to drain; batch is what the seeder has not handed it yet.
	w     *seedWriter
	batch []seedOp
	// scratch is where a record is encoded (marshalSeeded), arena where
	// it is kept: bbolt holds a value put until the transaction commits,
	// so records are copied into shared blocks rather than each allocated.
	scratch, arena []byte
}

// asyncSeedRows is the count of generated rows from which the records
// are put on a goroutine of their own (seedwriter.go); a variable for
// the test that seeds both ways.
var asyncSeedRows = 1000

// seedChunk is how many bytes of records a seeding writes per commit
// (state.Tx.Checkpoint); bbolt holds about three times that in memory.
var seedChunk = 32 << 20

// seedFill is the fill of the pages of the rows a seeding writes: in key
// order, so full pages instead of half-full ones (bbolt's default). At 0.9
// a page took three positions of about 900 bytes where four fit, and the
// 100k/500k file was 901 MB instead of 782 (issue 16): the room a row that
// grows needs is what a page of whole rows leaves anyway, and a row that
// does not fit splits its page once, in the commit that grows it.
const seedFill = 1.0

// put stores v as the record id of bucket, unless an earlier write failed.
func (sd *seeder) put(bucket string, id int64, v any) {
	if sd.err != nil {
		return
	}
	if sd.max == nil {
		sd.max = map[string]int64{}
	}
	sd.max[bucket] = max(sd.max[bucket], id)
	data, err := sd.encode(v)
	if err != nil {
		sd.err = fmt.Errorf("encode %s record: %w", bucket, err)
		return
	}
	var key [8]byte
	binary.BigEndian.PutUint64(key[:], uint64(id)) // state.Key's form
	sd.enqueue(seedOp{bucket: bucket, key: sd.keep(key[:]), val: data, n: len(data), fill: true})
}

// encode is json.Marshal(v): through the record's own encoder
// (records.go, the one a request's write stores it with) into the scratch
// buffer, then kept in the arena, when it has one and it covers v, else
// json.Marshal's. encoding/json's reflection over half a million
// positions was a fifth of a large seeding's CPU (issue 16).
func (sd *seeder) encode(v any) ([]byte, error) {
	if r, ok := v.(state.Appender); ok {
		if rec, ok := r.AppendJSON(sd.scratch[:0]); ok {
			sd.scratch = rec
			return sd.keep(rec), nil
		}
	}
	return json.Marshal(v)
}

// keep copies an encoded record (or a key) into the arena, which bbolt
// may hold until the commit.
func (sd *seeder) keep(rec []byte) []byte {
	if cap(sd.arena)-len(sd.arena) < len(rec) {
		sd.arena = make([]byte, 0, max(64<<10, len(rec)))
	}
	n := len(sd.arena)
	sd.arena = append(sd.arena, rec...)
	return sd.arena[n:len(sd.arena):len(sd.arena)]
}

// putOrder stores a position and its column record.
func (sd *seeder) putOrder(o *order) {
	sd.put(bOrders, o.ID, o)
	col := orderColOf(o)
	sd.scratch = col.appendTo(sd.scratch[:0])
	sd.col(colOrders, o.ID, sd.scratch)
}

// col stores a column record (columns.go), unless an earlier write failed.
// It puts without setCol's look-up first: the seeding writes into emptied
// buckets, where that look-up (a second seek from the root per record)
// finds nothing.
func (sd *seeder) col(name []byte, id int64, rec []byte) {
	if sd.err != nil {
		return
	}
	var key [8]byte
	binary.BigEndian.PutUint64(key[:], uint64(id)) // state.Key's form
	sd.enqueue(seedOp{nested: name, key: sd.keep(key[:]), val: sd.keep(rec), n: len(rec), fill: true})
}

// hash hashes a scenario password at password.SeedCost: seeding must stay
// fast, and the plaintext is in the scenario file anyway. Its salt comes
// from the scenario's seed and the row (password.HashSeeded), so that two
// seedings with the clock frozen are byte-identical. An empty password (a
// client without one) has no hash.
func (sd *seeder) hash(what string, id int64, pw string) string {
	if pw == "" || sd.err != nil {
		return ""
	}
	h, err := seedHash(what, id, pw, sd.seed)
	if err != nil {
		sd.err = err
	}
	return h
}

// seedHash is the hash a seeded password gets: the password itself when
// the scenario gives it sealed (password.IsHash, Seal), else its bcrypt
// hash with a salt from the seed and the row.
func seedHash(what string, id int64, pw string, seed int64) (string, error) {
	if password.IsHash(pw) {
		return pw, nil
	}
	h, err := password.HashSeeded([]byte(pw), password.SeedCost, seed, fmt.Sprintf("saplab %s %d", what, id))
	if err != nil {
		return "", fmt.Errorf("%s %d: %w", what, id, err)
	}
	return string(h), nil
}

// Seal lists the section's secrets as the state file keeps them
// (scenario.Stored): every employee's and client's password as the bcrypt
// hash Seed makes of it (the same salt, from the seed and the row's id),
// which Seed takes as it stands, so the sealed scenario seeds the same
// rows, byte for byte. Empty passwords (a client without one) and those
// already sealed are left out.
func (s *Section) Seal(seed int64) ([]seal.Secret, error) {
	var out []seal.Secret
	add := func(p check.Path, what string, id int64, pw string) error {
		if pw == "" || password.IsHash(pw) {
			return nil
		}
		h, err := seedHash(what, id, pw, seed)
		out = append(out, seal.Secret{Path: p, Value: h})
		return err
	}
	for i, e := range s.Employees {
		if err := add(check.At("saplab", "employees", i, "password"), "employee", e.ID, e.Password); err != nil {
			return nil, err
		}
	}
	for i, c := range s.Clients {
		if err := add(check.At("saplab", "clients", i, "password"), "client", c.ID, c.Password); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// book writes a ledger entry and moves the client's balance with it.
func (sd *seeder) book(cl *client, amount money.Amount, comment string, orderID int64, at time.Time) {
	sd.txID++
	cl.Balance += amount
	sd.put(bTransactions, sd.txID, &transaction{ID: sd.txID, ClientID: cl.ID, Amount: amount, Comment: comment, OrderID: orderID, Created: at})
	sd.ledger = append(sd.ledger, [2]int64{cl.ID, sd.txID})
}

// putLedger writes the ledger index (columns.go) in key order: bbolt
// inserts in the middle of a node it has not split yet by moving the rest
// of it, so the entries of clients booked in any order are sorted first.
func (sd *seeder) putLedger() {
	slices.SortFunc(sd.ledger, func(a, b [2]int64) int {
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		return cmp.Compare(a[1], b[1])
	})
	for _, e := range sd.ledger {
		if sd.err != nil {
			return
		}
		var key [16]byte // ledgerKey's form, kept in the arena
		binary.BigEndian.PutUint64(key[:], uint64(e[0]))
		binary.BigEndian.PutUint64(key[8:], uint64(e[1]))
		sd.enqueue(seedOp{nested: colLedger, key: sd.keep(key[:]), n: 16, fill: true})
	}
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

// sequence moves each bucket's sequence past the largest id seeded, so the
// panel's next id follows the scenario's.
func (sd *seeder) sequence(buckets ...string) {
	for _, b := range append(buckets, bTransactions) {
		if sd.err == nil && sd.max[b] > 0 {
			sd.err = sd.tx.SetSequence(b, uint64(sd.max[b]))
		}
	}
}

// loadView reads the saplab state into a new view: the small tables whole,
// the clients and positions from their column records (columns.go), or,
// in a file written before those existed, from the rows themselves; the
// view then remembers to write the columns (API.Upgrade).
func loadView(tx *state.Tx) (*view, error) {
	v, err := tablesView(tx)
	if err != nil {
		return nil, err
	}
	v.orders.byTime.bulk, v.clients.byTime.bulk, v.bulk = true, true, true
	load := loadRows
	if hasColumns(tx) {
		load = loadColumns
	}
	if err := load(tx, v); err != nil {
		return nil, err
	}
	v.buildIndexes()
	v.orders.byTime.settle(v.orders.created)
	v.clients.byTime.settle(v.clients.created)
	return v, nil
}

// tablesView is a new view holding the settings and the small tables.
func tablesView(tx *state.Tx) (*view, error) {
	v := newView()
	if err := tx.Get(bSettings, settingsKey, &v.settings); err != nil && err != state.ErrNotFound {
		return nil, err
	}
	if err := loadTables(tx, v); err != nil {
		return nil, err
	}
	return v, nil
}

// loadRows builds the view's clients and positions from their rows (a file
// of an earlier version), noting for the upgrade the positions' next
// automatic moves (v.upgrade).
func loadRows(tx *state.Tx, v *view) error {
	v.upgrade = map[int64]int64{}
	if err := tx.ForEach(bClients, func(_, data []byte) error {
		var c client
		if err := json.Unmarshal(data, &c); err != nil {
			return fmt.Errorf("saplab client: %w", err)
		}
		v.setClient(&c)
		return nil
	}); err != nil {
		return err
	}
	return tx.ForEach(bOrders, func(_, data []byte) error {
		var o orderRow
		if err := json.Unmarshal(data, &o); err != nil {
			return fmt.Errorf("saplab order: %w", err)
		}
		v.setOrder(o.order())
		if o.Auto != nil {
			v.queue.Set(uint64(o.ID), o.Auto.Next)
			v.upgrade[o.ID] = o.Auto.Next.UnixMicro()
		}
		return nil
	})
}

// Upgrade writes the column records of a file written before they existed
// (the view was read from the rows: loadRows), in one write transaction,
// so the next start reads them. The server calls it after every Load; on
// a file that has its columns it does nothing.
func (a *API) Upgrade() error {
	a.store.viewMu.RLock()
	pending := a.store.v.upgrade != nil
	a.store.viewMu.RUnlock()
	if !pending {
		return nil
	}
	return a.store.write(func(t *txn, v *view) error {
		if err := writeColumns(t.Tx, v, v.upgrade); err != nil {
			return err
		}
		t.onCommit(func(v *view) { v.upgrade = nil })
		return nil
	})
}

// loadTables reads the small tables the view keeps whole.
func loadTables(tx *state.Tx, v *view) error {
	for _, load := range []func() error{
		func() error { return loadMap(tx, bPoints, v.points, func(p *point) int64 { return p.ID }) },
		func() error {
			return loadMap(tx, bManagerGroups, v.mgroups, func(p *managerGroup) int64 { return p.ID })
		},
		func() error { return loadMap(tx, bEmployees, v.employees, func(p *employee) int64 { return p.ID }) },
		func() error { return loadMap(tx, bShipping, v.shipping, func(p *shippingType) int64 { return p.ID }) },
		func() error { return loadMap(tx, bStatuses, v.statuses, func(p *status) int64 { return p.ID }) },
		func() error { return loadMap(tx, bGroups, v.groups, func(p *group) int64 { return p.ID }) },
		func() error {
			return loadMap(tx, bDistributors, v.distributors, func(p *distributor) int64 { return p.ID })
		},
	} {
		if err := load(); err != nil {
			return err
		}
	}
	return nil
}

// orderRow is the part of a stored position the view reads: decoding only
// it (the decoder skips the history, comments and addresses without
// keeping them) is most of what loading a large file costs.
type orderRow struct {
	ID            int64        `json:"id"`
	ClientID      int64        `json:"client_id"`
	Invoice       string       `json:"invoice"`
	Brand         string       `json:"brand"`
	Article       string       `json:"article"`
	Name          string       `json:"name"`
	DistributorID int64        `json:"distributor_id"`
	Price         money.Amount `json:"price"`
	Quantity      int64        `json:"quantity"`
	StatusID      int64        `json:"status_id"`
	ShippingID    int64        `json:"shipping_id"`
	IsArchived    bool         `json:"is_archived"`
	IsDenied      bool         `json:"is_denied"`
	IsPayed       bool         `json:"is_payed"`
	Created       time.Time    `json:"created"`
	// Auto queues a position on its automatic path.
	Auto *lifecycle.Progress `json:"auto"`
}

// order is the row as a position with the fields the view reads.
func (o *orderRow) order() *order {
	return &order{ID: o.ID, ClientID: o.ClientID, Invoice: o.Invoice, Brand: o.Brand, Article: o.Article, Name: o.Name,
		DistributorID: o.DistributorID, Price: o.Price, Quantity: o.Quantity, StatusID: o.StatusID,
		ShippingID: o.ShippingID, IsArchived: o.IsArchived, IsDenied: o.IsDenied, IsPayed: o.IsPayed, Created: o.Created}
}

// loadMap decodes every record of bucket into m, keyed by id.
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
