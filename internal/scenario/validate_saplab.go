package scenario

import (
	"regexp"
	"slices"

	"github.com/mockserver/mockserver/internal/check"
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

func checkSaplab(c *check.Checker, s *Saplab) {
	sp := func(table string) func(i int) check.Path {
		return func(i int) check.Path { return check.At("saplab", table, i) }
	}
	points := c.CollectIDs("point", len(s.Points), func(i int) int64 { return s.Points[i].ID }, sp("points"))
	mgroups := c.CollectIDs("manager group", len(s.ManagerGroups), func(i int) int64 { return s.ManagerGroups[i].ID }, sp("manager_groups"))
	employees := c.CollectIDs("employee", len(s.Employees), func(i int) int64 { return s.Employees[i].ID }, sp("employees"))
	shipping := c.CollectIDs("shipping type", len(s.ShippingTypes), func(i int) int64 { return s.ShippingTypes[i].ID }, sp("shipping_types"))
	statuses := c.CollectIDs("status", len(s.Statuses), func(i int) int64 { return s.Statuses[i].ID }, sp("statuses"))
	groups := c.CollectIDs("group", len(s.Groups), func(i int) int64 { return s.Groups[i].ID }, sp("groups"))
	distributors := c.CollectIDs("distributor", len(s.Distributors), func(i int) int64 { return s.Distributors[i].ID }, sp("distributors"))
	clients := c.CollectIDs("client", len(s.Clients), func(i int) int64 { return s.Clients[i].ID }, sp("clients"))
	// Nothing refers to positions by id, but their ids must still be unique.
	c.CollectIDs("order", len(s.Orders), func(i int) int64 { return s.Orders[i].ID }, sp("orders"))

	for i, g := range s.ManagerGroups {
		p := check.At("saplab", "manager_groups", i)
		c.Required(append(p, "name"), g.Name)
		for j, perm := range g.Permissions {
			if !slices.Contains(Permissions, perm) {
				c.Fail(check.At("saplab", "manager_groups", i, "permissions", j), "unknown permission %q", perm)
			}
		}
	}
	phones := check.NewUnique("employee phone")
	for i, e := range s.Employees {
		p := check.At("saplab", "employees", i)
		if c.Required(append(p, "phone"), e.Phone) {
			phones.Check(c, append(p, "phone"), Digits(e.Phone))
		}
		if c.Required(append(p, "password"), e.Password) && len(e.Password) > maxPassword {
			c.Fail(append(p, "password"), "password is longer than %d bytes (bcrypt reads no more)", maxPassword)
		}
		c.Required(append(p, "name"), e.Name)
		c.Email(append(p, "email"), e.Email)
		c.Ref(append(p, "point_id"), points, e.PointID, true)
		c.Ref(append(p, "group_id"), mgroups, e.GroupID, false)
	}
	for i, st := range s.ShippingTypes {
		c.Required(check.At("saplab", "shipping_types", i, "name"), st.Name)
		if st.MinPrice < 0 {
			c.Fail(check.At("saplab", "shipping_types", i, "min_price"), "min_price must not be negative")
		}
	}
	for i, st := range s.Statuses {
		c.Required(check.At("saplab", "statuses", i, "name"), st.Name)
		if st.Color != "" && !statusColor.MatchString(st.Color) {
			c.Fail(check.At("saplab", "statuses", i, "color"), "color %q is not six hex digits like FAFFB3", st.Color)
		}
	}
	set := s.Settings
	if len(s.Statuses) > 0 {
		c.Ref(check.At("saplab", "settings", "new_status_id"), statuses, set.NewStatusID, false)
		c.Ref(check.At("saplab", "settings", "accepted_status_id"), statuses, set.AcceptedStatusID, true)
		c.Ref(check.At("saplab", "settings", "denied_status_id"), statuses, set.DeniedStatusID, false)
	} else if set.NewStatusID != 0 || set.DeniedStatusID != 0 || set.AcceptedStatusID != 0 {
		c.Fail(check.At("saplab", "settings"), "settings name statuses but saplab.statuses is empty (dangling id)")
	}
	if len(s.Groups) > 0 {
		c.Ref(check.At("saplab", "settings", "default_group_id"), groups, set.DefaultGroupID, false)
	} else if set.DefaultGroupID != 0 {
		c.Fail(check.At("saplab", "settings", "default_group_id"), "group %d does not exist (dangling id)", set.DefaultGroupID)
	}
	for i, g := range s.Groups {
		c.Required(check.At("saplab", "groups", i, "name"), g.Name)
		if g.Discount < 0 || g.Discount > 100 {
			c.Fail(check.At("saplab", "groups", i, "discount"), "discount is a percentage 0..100")
		}
	}
	for i, d := range s.Distributors {
		c.Required(check.At("saplab", "distributors", i, "name"), d.Name)
	}
	cphones := check.NewUnique("client phone")
	cemails := check.NewUnique("client email")
	for i, cl := range s.Clients {
		p := check.At("saplab", "clients", i)
		c.Required(append(p, "name"), cl.Name)
		if c.Required(append(p, "phone"), cl.Phone) {
			cphones.Check(c, append(p, "phone"), Digits(cl.Phone))
		}
		c.Email(append(p, "email"), cl.Email)
		if len(cl.Password) > maxPassword {
			c.Fail(append(p, "password"), "password is longer than %d bytes (bcrypt reads no more)", maxPassword)
		}
		cemails.Check(c, append(p, "email"), lower(cl.Email))
		c.Ref(append(p, "group_id"), groups, cl.GroupID, len(s.Groups) == 0)
		c.Ref(append(p, "manager_id"), employees, cl.ManagerID, true)
		c.Ref(append(p, "point_id"), points, cl.PointID, true)
		c.Ref(append(p, "shipping_id"), shipping, cl.ShippingID, true)
		if cl.Limit < 0 {
			c.Fail(append(p, "limit"), "limit must not be negative")
		}
		if cl.Wholesaler != nil && !cl.IsWholesaler {
			c.Fail(append(p, "wholesaler"), "wholesaler details given but is_wholesaler is false")
		}
		c.Timestamp(append(p, "created"), cl.Created)
		c.Timestamp(append(p, "modified"), cl.Modified)
	}
	for i, tr := range s.Transactions {
		p := check.At("saplab", "transactions", i)
		c.Ref(append(p, "client_id"), clients, tr.ClientID, false)
		if tr.Amount == 0 {
			c.Fail(append(p, "amount"), "amount must not be zero")
		}
		c.Timestamp(append(p, "created"), tr.Created)
	}
	for i, o := range s.Orders {
		p := check.At("saplab", "orders", i)
		c.Ref(append(p, "client_id"), clients, o.ClientID, false)
		c.Ref(append(p, "distributor_id"), distributors, o.DistributorID, true)
		c.Ref(append(p, "status_id"), statuses, o.StatusID, false)
		c.Ref(append(p, "shipping_id"), shipping, o.ShippingID, true)
		c.Required(append(p, "brand"), o.Brand)
		c.Required(append(p, "article"), o.Article)
		if o.Price < 0 || o.InitialPrice < 0 {
			c.Fail(append(p, "price"), "prices must not be negative")
		}
		if o.Quantity < 1 {
			c.Fail(append(p, "quantity"), "quantity must be at least 1")
		}
		if o.DeliveryTimeMax < o.DeliveryTimeMin {
			c.Fail(append(p, "delivarytime_max"), "delivarytime_max is below delivarytime_min")
		}
		c.Timestamp(append(p, "created"), o.Created)
	}
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
