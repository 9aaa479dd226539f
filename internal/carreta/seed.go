package carreta

import (
	"encoding/base64"
	"fmt"
	"net"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/mockserver/mockserver/internal/check"
	"github.com/mockserver/mockserver/internal/lifecycle"
	"github.com/mockserver/mockserver/internal/money"
	"github.com/mockserver/mockserver/internal/seal"
	"github.com/mockserver/mockserver/internal/state"
)

// Section is the carreta: section of a scenario (SPEC §3, §5, §12).
type Section struct {
	Accounts []SeedAccount   `yaml:"accounts"`
	Catalog  []CatalogPart   `yaml:"catalog"`
	Generate GenerateOptions `yaml:"generate"`
	Orders   []SeedOrder     `yaml:"orders"`
	// Statuses replaces the vendor's status table (VendorStatuses).
	Statuses []SeedStatus `yaml:"statuses"`
	// NewStatus is where created orders start; DefaultNewStatus when left
	// out.
	NewStatus *int `yaml:"new_status"`
	// Lifecycle is the path orders take by themselves once created; left
	// out, they stay where they are until the control API moves them.
	Lifecycle *lifecycle.Plan `yaml:"lifecycle"`
}

// SeedStatus is one row of a scenario's own status table.
type SeedStatus struct {
	ID   int    `yaml:"id"`
	Name string `yaml:"name"`
}

// SeedAccount is one api_key with its profile and IP allowlist (empty: any IP).
type SeedAccount struct {
	APIKey     string       `yaml:"api_key"`
	Name       string       `yaml:"name"`
	City       string       `yaml:"city"`
	Email      string       `yaml:"email"`
	Phone      string       `yaml:"phone"`
	Balance    money.Amount `yaml:"balance"`
	AllowedIPs []string     `yaml:"allowed_ips"`
}

// CatalogPart is one catalog offer; Crosses are its replacements, returned
// after it with is_cross true.
type CatalogPart struct {
	Code      string        `yaml:"code"`
	Maker     string        `yaml:"maker"`
	Name      string        `yaml:"name"`
	Desc      string        `yaml:"desc"`
	Price     money.Amount  `yaml:"price"`
	Qty       string        `yaml:"qty"`
	MinQty    int           `yaml:"min_qty"`
	PeriodMin int           `yaml:"period_min"`
	PeriodMax int           `yaml:"period_max"`
	Stat      *int          `yaml:"stat"`
	Crosses   []CatalogPart `yaml:"crosses"`
	// Signature pins the offer's "_" to a given value (the vendor's own, so
	// the document's examples work verbatim); empty means the mock signs it.
	Signature string `yaml:"signature"`
	// Source is the offer's "source" (SPEC §12); empty means the mock
	// derives one from the seed and the offer.
	Source string `yaml:"source"`
}

// GenerateOptions tunes the fake offers for codes the catalog lacks, and
// makes up a history of orders (a scale to measure the order list at).
type GenerateOptions struct {
	ResultsPerQuery *int `yaml:"results_per_query"`
	// Orders is how many orders to make up for OrdersAccount (the first
	// account when empty): the catalog's parts in turn, one a minute up to
	// the seeding time, client_comment "Заказ №<n>", in the table's first
	// status and on no automatic path, like the scenario's own orders.
	Orders        int    `yaml:"orders"`
	OrdersAccount string `yaml:"orders_account"`
}

// MaxGenerateOrders bounds generate.orders: the scale the order list is
// built and measured for (docs/carreta.md), with room to spare.
const MaxGenerateOrders = 200000

// SeedOrder is an order that already exists when the scenario loads.
type SeedOrder struct {
	Account       string       `yaml:"account"`
	Code          string       `yaml:"code"`
	Maker         string       `yaml:"maker"`
	Name          string       `yaml:"name"`
	Price         money.Amount `yaml:"price"`
	PeriodMin     int          `yaml:"period_min"`
	PeriodMax     int          `yaml:"period_max"`
	OrderQty      int          `yaml:"order_qty"`
	Status        int          `yaml:"status"`
	Comment       string       `yaml:"comment"`
	ClientComment string       `yaml:"client_comment"`
	Created       string       `yaml:"created"`
}

// DefaultResultsPerQuery is how many fake offers carreta makes up for a code
// the catalog lacks, unless the scenario says otherwise.
const DefaultResultsPerQuery = 6

// MaxResultsPerQuery is the most fake offers a scenario may ask for.
const MaxResultsPerQuery = 100

// ApplyDefaults fills what the section may leave out.
func (s *Section) ApplyDefaults() {
	if s.Generate.ResultsPerQuery == nil {
		n := DefaultResultsPerQuery
		s.Generate.ResultsPerQuery = &n
	}
	// An order without status: (the checks refuse a written 0, which no
	// table has) is in the table's first status.
	for i := range s.Orders {
		if s.Orders[i].Status == 0 {
			s.Orders[i].Status = int(s.statusTable().First())
		}
	}
}

// Check reports what in the section the API could not serve: a seeded row
// is always one the API would have accepted.
func (s *Section) Check(c *check.Checker) {
	keys := s.checkAccounts(c)
	for i := range s.Catalog {
		checkPart(c, check.At("carreta", "catalog", i), &s.Catalog[i], true)
	}
	checkSignatures(c, s.Catalog)
	checkSources(c, s.Catalog)
	if n := s.Generate.ResultsPerQuery; n != nil && (*n < 0 || *n > MaxResultsPerQuery) {
		c.Fail(check.At("carreta", "generate", "results_per_query"), chkResultsPerQuery, MaxResultsPerQuery)
	}
	s.checkGenerateOrders(c)
	t := s.checkStatuses(c)
	for i := range s.Orders {
		checkOrder(c, check.At("carreta", "orders", i), &s.Orders[i], keys, t)
	}
	s.Lifecycle.Check(c, check.At("carreta", "lifecycle"), lifecycle.Vendor{
		Key: "status", Known: func(id int64) bool { return t.Has(Status(id)) }, Statuses: t.List(),
	})
}

// statusTable is the section's status table: its own, or the vendor's.
func (s *Section) statusTable() *Statuses {
	if len(s.Statuses) == 0 {
		return NewStatuses(VendorStatuses)
	}
	rows := make([]StatusName, len(s.Statuses))
	for i, r := range s.Statuses {
		rows[i] = StatusName{ID: Status(r.ID), Name: r.Name}
	}
	return NewStatuses(rows)
}

// newStatus is where the section's new orders start.
func (s *Section) newStatus() Status {
	if s.NewStatus != nil {
		return Status(*s.NewStatus)
	}
	return DefaultNewStatus
}

// lifecycle is the section's status rules, its draws seeded by seed.
func (s *Section) lifecycle(seed int64) *Lifecycle {
	return &Lifecycle{Statuses: s.statusTable(), NewStatus: s.newStatus(), Plan: s.Lifecycle, Seed: seed}
}

// checkStatuses checks the section's own status table (ids positive and
// unique, names given) and that new orders have a status to start in; it
// returns the table in force.
func (s *Section) checkStatuses(c *check.Checker) *Statuses {
	p := func(i int) check.Path { return check.At("carreta", "statuses", i) }
	c.CollectIDs("carreta status", len(s.Statuses), func(i int) int64 { return int64(s.Statuses[i].ID) }, p)
	for i, r := range s.Statuses {
		c.Required(p(i).Join("name"), r.Name)
	}
	t := s.statusTable()
	if n := s.newStatus(); !t.Has(n) {
		at := check.At("carreta", "new_status")
		if s.NewStatus == nil {
			at = check.At("carreta", "statuses")
		}
		c.Fail(at, chkNewStatus, n)
	}
	return t
}

// checkAccounts checks the accounts and returns their api_keys, which
// orders refer to.
func (s *Section) checkAccounts(c *check.Checker) *check.Unique {
	keys := check.NewUnique("api_key")
	for i, a := range s.Accounts {
		p := check.At("carreta", "accounts", i)
		if c.Required(p.Join("api_key"), a.APIKey) {
			keys.Check(c, p.Join("api_key"), a.APIKey)
		}
		c.Email(p.Join("email"), a.Email)
		if len(a.AllowedIPs) > MaxAllowedIPs {
			c.Fail(p.Join("allowed_ips"), chkTooManyIPs, MaxAllowedIPs, len(a.AllowedIPs))
		}
		for j, ip := range a.AllowedIPs {
			if net.ParseIP(ip) == nil {
				c.Fail(p.Join("allowed_ips", j), chkNotIP, ip)
			}
		}
	}
	return keys
}

// checkGenerateOrders checks generate.orders and the account and catalog
// the made-up orders need.
func (s *Section) checkGenerateOrders(c *check.Checker) {
	g := &s.Generate
	p := check.At("carreta", "generate")
	switch {
	case g.Orders < 0 || g.Orders > MaxGenerateOrders:
		c.Fail(p.Join("orders"), chkGenerateOrders, MaxGenerateOrders)
	case g.Orders > 0 && len(s.Catalog) == 0:
		c.Fail(p.Join("orders"), chkGenerateNoCatalog)
	case g.Orders > 0 && len(s.Accounts) == 0:
		c.Fail(p.Join("orders"), chkGenerateNoAccount)
	}
	if g.OrdersAccount != "" && !slices.ContainsFunc(s.Accounts, func(a SeedAccount) bool { return a.APIKey == g.OrdersAccount }) {
		c.Fail(p.Join("orders_account"), chkUnknownAccount, g.OrdersAccount)
	}
}

// checkOrder holds a seeded order to what POST order/ would have accepted,
// in a status of the table t.
func checkOrder(c *check.Checker, p check.Path, o *SeedOrder, keys *check.Unique, t *Statuses) {
	if c.Required(p.Join("account"), o.Account) {
		if !keys.Seen(o.Account) {
			c.Fail(p.Join("account"), chkDanglingAccount, o.Account)
		}
	}
	c.Required(p.Join("code"), o.Code)
	c.Required(p.Join("maker"), o.Maker)
	switch {
	case !c.Has(p.Join("price")):
		// An order is always for a priced offer; left out, it would
		// seed an order of 0.00 that no client could have placed.
		c.Fail(p.Join("price"), chkPriceRequired)
	case o.Price <= 0:
		c.Fail(p.Join("price"), chkPricePositive)
	}
	checkPeriod(c, p, o.PeriodMin, o.PeriodMax)
	if n := utf8.RuneCountInString(o.ClientComment); n > MaxClientComment {
		c.Fail(p.Join("client_comment"), chkCommentLong, n, MaxClientComment)
	}
	if o.OrderQty < 1 || o.OrderQty > MaxOrderQty {
		c.Fail(p.Join("order_qty"), chkOrderQtyRange, MaxOrderQty)
	}
	if c.Has(p.Join("status")) { // left out: the table's first (ApplyDefaults)
		checkStatus(c, p.Join("status"), Status(o.Status), t)
	}
	c.Timestamp(p.Join("created"), o.Created)
}

// checkStatus fails when s is not in the table t; for a number the retired
// guess had and the vendor's table lacks (6), it says what to write now.
func checkStatus(c *check.Checker, p check.Path, s Status, t *Statuses) {
	if t.Has(s) {
		return
	}
	if name, now, ok := RetiredStatus(s); ok && t.Has(now) {
		c.Fail(p, chkStatusRetired, s, name, now, t.Name(now), t.List())
		return
	}
	c.Fail(p, chkStatusUnknown, s, t.List())
}

// checkSources checks the sources the catalog gives: not blank when
// written, and never two different ones for one offer (the same signed
// fields), since an order is held to its offer's source.
func checkSources(c *check.Checker, parts []CatalogPart) {
	type seen struct {
		line   int
		source string
	}
	offers := map[string]seen{}
	give := func(p check.Path, part *CatalogPart) {
		sp := p.Join("source")
		if !c.Has(sp) {
			return
		}
		if !c.Required(sp, part.Source) {
			return
		}
		o := toOffer(part, false)
		key := string(canonical(&o))
		if first, ok := offers[key]; ok && first.source != part.Source {
			c.Fail(sp, chkSourceReused, first.line, first.source)
			return
		}
		offers[key] = seen{c.Line(sp), part.Source}
	}
	for i := range parts {
		give(check.At("carreta", "catalog", i), &parts[i])
		for j := range parts[i].Crosses {
			give(check.At("carreta", "catalog", i, "crosses", j), &parts[i].Crosses[j])
		}
	}
}

// checkPart checks a catalog offer and its crosses.
func checkPart(c *check.Checker, p check.Path, part *CatalogPart, crossesAllowed bool) {
	c.Required(p.Join("code"), part.Code)
	c.Required(p.Join("maker"), part.Maker)
	c.Required(p.Join("name"), part.Name)
	if part.Price < 0 {
		c.Fail(p.Join("price"), chkPriceNegative)
	}
	if _, ok := ParseQty(part.Qty); !ok {
		c.Fail(p.Join("qty"), chkQtyForm, part.Qty)
	}
	if part.MinQty < 1 {
		c.Fail(p.Join("min_qty"), chkMinQty)
	}
	checkPeriod(c, p, part.PeriodMin, part.PeriodMax)
	if part.Stat != nil && (*part.Stat < 0 || *part.Stat > 100) {
		c.Fail(p.Join("stat"), chkStat)
	}
	if !crossesAllowed && len(part.Crosses) > 0 {
		c.Fail(p.Join("crosses"), chkCrossOfCross)
	}
	for j := range part.Crosses {
		checkPart(c, p.Join("crosses", j), &part.Crosses[j], false)
	}
}

// checkSignatures checks pinned offer signatures: base64 like the vendor's,
// and never one signature for two different offers, since a signature stands
// for exactly one offer: the fields canonical encodes, which are the ones
// it signs.
func checkSignatures(c *check.Checker, parts []CatalogPart) {
	type seen struct {
		line   int
		signed string
	}
	sigs := map[string]seen{}
	pin := func(p check.Path, part *CatalogPart) {
		if part.Signature == "" {
			return
		}
		sp := p.Join("signature")
		if _, err := base64.StdEncoding.DecodeString(part.Signature); err != nil {
			c.Fail(sp, chkSignatureBase64, part.Signature)
			return
		}
		o := toOffer(part, false)
		signed := string(canonical(&o))
		if first, ok := sigs[part.Signature]; ok && first.signed != signed {
			c.Fail(sp, chkSignatureReused, first.line)
			return
		}
		sigs[part.Signature] = seen{c.Line(sp), signed}
	}
	for i := range parts {
		pin(check.At("carreta", "catalog", i), &parts[i])
		for j := range parts[i].Crosses {
			pin(check.At("carreta", "catalog", i, "crosses", j), &parts[i].Crosses[j])
		}
	}
}

// Seal lists the section's secrets as the state file keeps them
// (scenario.Stored): every api_key, and every reference to one (an
// order's account, generate.orders_account), as its SHA-256,
// "sha256:<hex>", which is what the state keeps of a key. Seed and the
// checks take the sealed form as they take the key (seal.Digest), and a
// key and the references to it seal alike, so the sealed scenario seeds
// the same accounts and orders. What is already sealed is left out.
func (s *Section) Seal() []seal.Secret {
	var out []seal.Secret
	add := func(p check.Path, key string) {
		if _, sealed := seal.ParseSHA256(key); !sealed && key != "" {
			out = append(out, seal.Secret{Path: p, Value: seal.SHA256(key)})
		}
	}
	for i, a := range s.Accounts {
		add(check.At("carreta", "accounts", i, "api_key"), a.APIKey)
	}
	for i, o := range s.Orders {
		add(check.At("carreta", "orders", i, "account"), o.Account)
	}
	add(check.At("carreta", "generate", "orders_account"), s.Generate.OrdersAccount)
	return out
}

// checkPeriod checks a delivery window in days, of an offer or of an order
// made from one.
func checkPeriod(c *check.Checker, p check.Path, lo, hi int) {
	if lo < 0 || hi < lo {
		c.Fail(p.Join("period_max"), chkPeriod)
	}
}

// Seed writes the section's accounts and orders into the emptied state.
// Order ids and basket numbers start where the document's examples are
// (189330, A111342), and orders are inserted oldest first, so ids grow with
// creation time. A seeded order stays in the status the scenario gives it:
// it is a fixture, not on an automatic path.
func (a *API) Seed(tx *state.Tx, sec *Section, _ int64) error {
	if err := startSequences(tx); err != nil {
		return err
	}
	ids := make(map[string]uint64, len(sec.Accounts))
	for _, acc := range sec.Accounts {
		id, err := putAccount(tx, acc.APIKey, accountRecord{
			Name: acc.Name, City: acc.City, Email: acc.Email, Phone: acc.Phone,
			Balance: acc.Balance, AllowedIPs: append([]string{}, acc.AllowedIPs...),
		})
		if err != nil {
			return err
		}
		ids[acc.APIKey] = id
	}
	orders, err := seedOrders(sec, ids, tx.Now())
	if err != nil {
		return err
	}
	orders = append(orders, generateOrders(sec, ids, tx.Now())...)
	slices.SortStableFunc(orders, func(a, b newOrder) int { return a.Created.Compare(b.Created) })
	l := sec.lifecycle(0)
	for i := range orders {
		if _, err := insertOrder(tx, &orders[i], l); err != nil {
			return err
		}
	}
	return nil
}

// seedOrders turns the section's orders into newOrders sorted by creation
// time (an order without created gets the seeding time).
func seedOrders(sec *Section, accounts map[string]uint64, now time.Time) ([]newOrder, error) {
	out := make([]newOrder, 0, len(sec.Orders))
	for i, o := range sec.Orders {
		acc, ok := accounts[o.Account]
		if !ok {
			return nil, fmt.Errorf("carreta order %d: unknown account %q", i, o.Account)
		}
		created := now
		if o.Created != "" {
			t, err := check.ParseTime(o.Created)
			if err != nil {
				return nil, fmt.Errorf("carreta order %d: %w", i, err)
			}
			created = t
		}
		out = append(out, newOrder{
			AccountID: acc, OrderQty: o.OrderQty, ClientComment: o.ClientComment, Comment: o.Comment,
			Status: Status(o.Status), Created: created,
			Offer: Offer{Code: o.Code, Maker: o.Maker, Name: o.Name, Price: o.Price, PeriodMin: o.PeriodMin, PeriodMax: o.PeriodMax},
		})
	}
	return out, nil
}

// generateOrders makes up the section's generate.orders orders, the
// newest a minute before now.
func generateOrders(sec *Section, accounts map[string]uint64, now time.Time) []newOrder {
	g := &sec.Generate
	if g.Orders <= 0 || len(sec.Catalog) == 0 || len(sec.Accounts) == 0 {
		return nil
	}
	key := g.OrdersAccount
	if key == "" {
		key = sec.Accounts[0].APIKey
	}
	start := now.Truncate(time.Minute).Add(-time.Duration(g.Orders) * time.Minute)
	first := sec.statusTable().First()
	out := make([]newOrder, g.Orders)
	for i := range out {
		part := &sec.Catalog[i%len(sec.Catalog)]
		out[i] = newOrder{
			AccountID: accounts[key], OrderQty: max(1, part.MinQty), Offer: toOffer(part, false),
			ClientComment: "Заказ №" + strconv.Itoa(i+1), Status: first,
			Created: start.Add(time.Duration(i) * time.Minute),
		}
	}
	return out
}

// toOffer is a catalog part as search offers it.
func toOffer(p *CatalogPart, cross bool) Offer {
	o := Offer{
		Code: p.Code, Maker: p.Maker, Name: p.Name, Desc: p.Desc, IsCross: cross, Price: p.Price,
		Qty: p.Qty, MinQty: p.MinQty, PeriodMin: p.PeriodMin, PeriodMax: p.PeriodMax, Pinned: p.Signature,
		Source: p.Source,
	}
	if p.Stat != nil {
		st := *p.Stat
		o.Stat = &st
	}
	return o
}

// Reindex rebuilds the order list's indexes in the state file if they do
// not match the orders (a file from a version without them); the server
// calls it before Load at start-up and after every seed.
func (a *API) Reindex() error { return a.store.Reindex() }

// Load rebuilds the in-memory view from what is stored and the section's
// catalog; seed is the scenario's, which signatures and made-up offers
// derive from. It runs after every Seed and at start-up on a kept file.
func (a *API) Load(tx *state.Tx, sec *Section, seed int64) error {
	v, err := buildView(tx, sec, seed)
	if err != nil {
		return err
	}
	a.view = v
	a.held.forget() // they would keep the old view alive
	return nil
}
