package scenario

import (
	"regexp"
	"slices"
)

// maxPassword is bcrypt's limit: it refuses longer passwords.
const maxPassword = 72

// statusColor is how the panel stores a status colour (saplab.txt: "CBFFC9").
var statusColor = regexp.MustCompile(`^[0-9A-Fa-f]{6}$`)

// MaxGenerateClients and MaxGenerateOrders cap saplab's generate: at the
// scale the mock is built and measured for (docs/saplab.md, Scale). Every
// generated row is held in memory as well as in the file: 100,000 clients
// with 100,000 positions already took 1.1 GB, so the earlier caps of a
// million and five million let one scenario exhaust the machine.
const (
	MaxGenerateClients = 100_000
	MaxGenerateOrders  = 500_000
)

func (c *checker) checkSaplab(s *Saplab) {
	sp := func(table string) func(i int) path {
		return func(i int) path { return at("saplab", table, i) }
	}
	points := c.collectIDs("point", len(s.Points), func(i int) int64 { return s.Points[i].ID }, sp("points"))
	mgroups := c.collectIDs("manager group", len(s.ManagerGroups), func(i int) int64 { return s.ManagerGroups[i].ID }, sp("manager_groups"))
	employees := c.collectIDs("employee", len(s.Employees), func(i int) int64 { return s.Employees[i].ID }, sp("employees"))
	shipping := c.collectIDs("shipping type", len(s.ShippingTypes), func(i int) int64 { return s.ShippingTypes[i].ID }, sp("shipping_types"))
	statuses := c.collectIDs("status", len(s.Statuses), func(i int) int64 { return s.Statuses[i].ID }, sp("statuses"))
	groups := c.collectIDs("group", len(s.Groups), func(i int) int64 { return s.Groups[i].ID }, sp("groups"))
	distributors := c.collectIDs("distributor", len(s.Distributors), func(i int) int64 { return s.Distributors[i].ID }, sp("distributors"))
	clients := c.collectIDs("client", len(s.Clients), func(i int) int64 { return s.Clients[i].ID }, sp("clients"))
	// Nothing refers to positions by id, but their ids must still be unique.
	c.collectIDs("order", len(s.Orders), func(i int) int64 { return s.Orders[i].ID }, sp("orders"))

	for i, g := range s.ManagerGroups {
		p := at("saplab", "manager_groups", i)
		c.required(append(p, "name"), g.Name)
		for j, perm := range g.Permissions {
			if !slices.Contains(Permissions, perm) {
				c.fail(at("saplab", "manager_groups", i, "permissions", j), "unknown permission %q", perm)
			}
		}
	}
	phones := newUnique("employee phone")
	for i, e := range s.Employees {
		p := at("saplab", "employees", i)
		if c.required(append(p, "phone"), e.Phone) {
			phones.check(c, append(p, "phone"), Digits(e.Phone))
		}
		if c.required(append(p, "password"), e.Password) && len(e.Password) > maxPassword {
			c.fail(append(p, "password"), "password is longer than %d bytes (bcrypt reads no more)", maxPassword)
		}
		c.required(append(p, "name"), e.Name)
		c.email(append(p, "email"), e.Email)
		c.ref(append(p, "point_id"), points, e.PointID, true)
		c.ref(append(p, "group_id"), mgroups, e.GroupID, false)
	}
	for i, st := range s.ShippingTypes {
		c.required(at("saplab", "shipping_types", i, "name"), st.Name)
		if st.MinPrice < 0 {
			c.fail(at("saplab", "shipping_types", i, "min_price"), "min_price must not be negative")
		}
	}
	for i, st := range s.Statuses {
		c.required(at("saplab", "statuses", i, "name"), st.Name)
		if st.Color != "" && !statusColor.MatchString(st.Color) {
			c.fail(at("saplab", "statuses", i, "color"), "color %q is not six hex digits like FAFFB3", st.Color)
		}
	}
	set := s.Settings
	if len(s.Statuses) > 0 {
		c.ref(at("saplab", "settings", "new_status_id"), statuses, set.NewStatusID, false)
		c.ref(at("saplab", "settings", "accepted_status_id"), statuses, set.AcceptedStatusID, true)
		c.ref(at("saplab", "settings", "denied_status_id"), statuses, set.DeniedStatusID, false)
	} else if set.NewStatusID != 0 || set.DeniedStatusID != 0 || set.AcceptedStatusID != 0 {
		c.fail(at("saplab", "settings"), "settings name statuses but saplab.statuses is empty (dangling id)")
	}
	if len(s.Groups) > 0 {
		c.ref(at("saplab", "settings", "default_group_id"), groups, set.DefaultGroupID, false)
	} else if set.DefaultGroupID != 0 {
		c.fail(at("saplab", "settings", "default_group_id"), "group %d does not exist (dangling id)", set.DefaultGroupID)
	}
	for i, g := range s.Groups {
		c.required(at("saplab", "groups", i, "name"), g.Name)
		if g.Discount < 0 || g.Discount > 100 {
			c.fail(at("saplab", "groups", i, "discount"), "discount is a percentage 0..100")
		}
	}
	for i, d := range s.Distributors {
		c.required(at("saplab", "distributors", i, "name"), d.Name)
	}
	cphones := newUnique("client phone")
	cemails := newUnique("client email")
	for i, cl := range s.Clients {
		p := at("saplab", "clients", i)
		c.required(append(p, "name"), cl.Name)
		if c.required(append(p, "phone"), cl.Phone) {
			cphones.check(c, append(p, "phone"), Digits(cl.Phone))
		}
		c.email(append(p, "email"), cl.Email)
		if len(cl.Password) > maxPassword {
			c.fail(append(p, "password"), "password is longer than %d bytes (bcrypt reads no more)", maxPassword)
		}
		cemails.check(c, append(p, "email"), lower(cl.Email))
		c.ref(append(p, "group_id"), groups, cl.GroupID, len(s.Groups) == 0)
		c.ref(append(p, "manager_id"), employees, cl.ManagerID, true)
		c.ref(append(p, "point_id"), points, cl.PointID, true)
		c.ref(append(p, "shipping_id"), shipping, cl.ShippingID, true)
		if cl.Limit < 0 {
			c.fail(append(p, "limit"), "limit must not be negative")
		}
		if cl.Wholesaler != nil && !cl.IsWholesaler {
			c.fail(append(p, "wholesaler"), "wholesaler details given but is_wholesaler is false")
		}
		c.timestamp(append(p, "created"), cl.Created)
		c.timestamp(append(p, "modified"), cl.Modified)
	}
	for i, tr := range s.Transactions {
		p := at("saplab", "transactions", i)
		c.ref(append(p, "client_id"), clients, tr.ClientID, false)
		if tr.Amount == 0 {
			c.fail(append(p, "amount"), "amount must not be zero")
		}
		c.timestamp(append(p, "created"), tr.Created)
	}
	for i, o := range s.Orders {
		p := at("saplab", "orders", i)
		c.ref(append(p, "client_id"), clients, o.ClientID, false)
		c.ref(append(p, "distributor_id"), distributors, o.DistributorID, true)
		c.ref(append(p, "status_id"), statuses, o.StatusID, false)
		c.ref(append(p, "shipping_id"), shipping, o.ShippingID, true)
		c.required(append(p, "brand"), o.Brand)
		c.required(append(p, "article"), o.Article)
		if o.Price < 0 || o.InitialPrice < 0 {
			c.fail(append(p, "price"), "prices must not be negative")
		}
		if o.Quantity < 1 {
			c.fail(append(p, "quantity"), "quantity must be at least 1")
		}
		if o.DeliveryTimeMax < o.DeliveryTimeMin {
			c.fail(append(p, "delivarytime_max"), "delivarytime_max is below delivarytime_min")
		}
		c.timestamp(append(p, "created"), o.Created)
	}
	if s.Generate.Clients < 0 || s.Generate.Clients > MaxGenerateClients {
		c.fail(at("saplab", "generate", "clients"), "generate.clients must be between 0 and %d (the scale the mock is built for)", MaxGenerateClients)
	}
	if s.Generate.Orders < 0 || s.Generate.Orders > MaxGenerateOrders {
		c.fail(at("saplab", "generate", "orders"), "generate.orders must be between 0 and %d (the scale the mock is built for)", MaxGenerateOrders)
	}
	if s.Generate.Orders > 0 && len(s.Clients)+s.Generate.Clients == 0 {
		c.fail(at("saplab", "generate", "orders"), "generated orders need clients")
	}
	if s.Generate.Orders > 0 && len(s.Statuses) == 0 {
		c.fail(at("saplab", "generate", "orders"), "generated orders need saplab.statuses")
	}
}
