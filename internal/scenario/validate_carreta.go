package scenario

import (
	"encoding/base64"
	"net"
	"regexp"
	"strings"
	"unicode/utf8"
)

// MaxClientComment is the longest client_comment POST order/ accepts, in
// characters (carreta.txt: "до 50 символов"). It is defined here, where
// carreta's order rule and the scenario check can both use it, so a seeded
// order is always one the API could have taken.
const MaxClientComment = 50

// MaxAllowedIPs is the vendor's limit on an account's IP allowlist
// (carreta.txt: "В список можно добавить до 5 адресов").
const MaxAllowedIPs = 5

// qtyForm matches the four availability forms of carreta.txt: "500", "<10",
// ">50", or text containing "Есть".
var qtyForm = regexp.MustCompile(`^(?:[0-9]+|<[0-9]+|>[0-9]+)$`)

// ValidQty reports whether q is one of the four documented qty forms.
func ValidQty(q string) bool {
	return qtyForm.MatchString(q) || strings.Contains(q, "Есть")
}

func (c *checker) checkCarreta(cr *Carreta) {
	keys := newUnique("api_key")
	for i, a := range cr.Accounts {
		p := at("carreta", "accounts", i)
		if c.required(append(p, "api_key"), a.APIKey) {
			keys.check(c, append(p, "api_key"), a.APIKey)
		}
		c.email(append(p, "email"), a.Email)
		if len(a.AllowedIPs) > MaxAllowedIPs {
			c.fail(append(p, "allowed_ips"), "at most %d allowed_ips per account, got %d", MaxAllowedIPs, len(a.AllowedIPs))
		}
		for j, ip := range a.AllowedIPs {
			if net.ParseIP(ip) == nil {
				c.fail(append(append(path{}, p...), "allowed_ips", j), "%q is not an IP address", ip)
			}
		}
	}
	for i := range cr.Catalog {
		c.checkPart(at("carreta", "catalog", i), &cr.Catalog[i], true)
	}
	c.checkSignatures(cr.Catalog)
	if n := cr.Generate.ResultsPerQuery; n != nil && (*n < 0 || *n > 100) {
		c.fail(at("carreta", "generate", "results_per_query"), "results_per_query must be between 0 and 100")
	}
	for i, o := range cr.Orders {
		p := at("carreta", "orders", i)
		if c.required(append(p, "account"), o.Account) {
			if _, ok := keys.seen[o.Account]; !ok {
				c.fail(append(p, "account"), "account %q is not an api_key of carreta.accounts (dangling id)", o.Account)
			}
		}
		c.required(append(p, "code"), o.Code)
		c.required(append(p, "maker"), o.Maker)
		switch {
		case !c.has(append(p, "price")):
			// An order is always for a priced offer; left out, it would
			// seed an order of 0.00 that no client could have placed.
			c.fail(append(p, "price"), "price is required")
		case o.Price <= 0:
			c.fail(append(p, "price"), "price must be more than 0.00")
		}
		c.period(p, o.PeriodMin, o.PeriodMax)
		if n := utf8.RuneCountInString(o.ClientComment); n > MaxClientComment {
			c.fail(append(p, "client_comment"), "client_comment is %d characters; the API accepts at most %d", n, MaxClientComment)
		}
		if o.OrderQty < 1 || o.OrderQty > 10000 {
			c.fail(append(p, "order_qty"), "order_qty must be between 1 and 10000")
		}
		if o.Status < 1 || o.Status > 8 {
			c.fail(append(p, "status"), "status must be 1..8 (Холд .. Отказ)")
		}
		c.timestamp(append(p, "created"), o.Created)
	}
}

func (c *checker) checkPart(p path, part *CarretaPart, crossesAllowed bool) {
	c.required(append(p, "code"), part.Code)
	c.required(append(p, "maker"), part.Maker)
	c.required(append(p, "name"), part.Name)
	if part.Price < 0 {
		c.fail(append(p, "price"), "price must not be negative")
	}
	if !ValidQty(part.Qty) {
		c.fail(append(p, "qty"), "qty %q must be \"500\", \"<10\", \">50\" or contain \"Есть\"", part.Qty)
	}
	if part.MinQty < 1 {
		c.fail(append(p, "min_qty"), "min_qty must be at least 1")
	}
	c.period(p, part.PeriodMin, part.PeriodMax)
	if part.Stat != nil && (*part.Stat < 0 || *part.Stat > 100) {
		c.fail(append(p, "stat"), "stat is a percentage 0..100 or null")
	}
	if !crossesAllowed && len(part.Crosses) > 0 {
		c.fail(append(p, "crosses"), "a cross cannot have crosses of its own")
	}
	for j := range part.Crosses {
		c.checkPart(append(append(path{}, p...), "crosses", j), &part.Crosses[j], false)
	}
}

// checkSignatures checks pinned offer signatures: base64 like the vendor's,
// and never one signature for two different offers, since a signature stands
// for exactly one offer.
func (c *checker) checkSignatures(parts []CarretaPart) {
	type seen struct {
		line int
		part CarretaPart
	}
	sigs := map[string]seen{}
	check := func(p path, part CarretaPart) {
		if part.Signature == "" {
			return
		}
		sp := append(append(path{}, p...), "signature")
		if _, err := base64.StdEncoding.DecodeString(part.Signature); err != nil {
			c.fail(sp, "signature %q is not base64", part.Signature)
			return
		}
		part.Crosses, part.Desc, part.Stat = nil, "", nil // not signed
		if first, ok := sigs[part.Signature]; ok && !samePart(first.part, part) {
			c.fail(sp, "signature already pins a different offer (line %d)", first.line)
			return
		}
		sigs[part.Signature] = seen{c.line(sp), part}
	}
	for i, part := range parts {
		check(at("carreta", "catalog", i), part)
		for j, cross := range part.Crosses {
			check(at("carreta", "catalog", i, "crosses", j), cross)
		}
	}
}

// period checks a delivery window in days, of an offer or of an order made
// from one.
func (c *checker) period(p path, lo, hi int) {
	if lo < 0 || hi < lo {
		c.fail(append(append(path{}, p...), "period_max"), "need 0 <= period_min <= period_max")
	}
}

// samePart compares the signed fields of two parts.
func samePart(a, b CarretaPart) bool {
	return a.Code == b.Code && a.Maker == b.Maker && a.Name == b.Name && a.Price == b.Price &&
		a.Qty == b.Qty && a.MinQty == b.MinQty && a.PeriodMin == b.PeriodMin && a.PeriodMax == b.PeriodMax
}
