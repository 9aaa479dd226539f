package scenario

import (
	"encoding/base64"
	"net"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/mockserver/mockserver/internal/check"
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

func checkCarreta(c *check.Checker, cr *Carreta) {
	keys := check.NewUnique("api_key")
	for i, a := range cr.Accounts {
		p := check.At("carreta", "accounts", i)
		if c.Required(append(p, "api_key"), a.APIKey) {
			keys.Check(c, append(p, "api_key"), a.APIKey)
		}
		c.Email(append(p, "email"), a.Email)
		if len(a.AllowedIPs) > MaxAllowedIPs {
			c.Fail(append(p, "allowed_ips"), "at most %d allowed_ips per account, got %d", MaxAllowedIPs, len(a.AllowedIPs))
		}
		for j, ip := range a.AllowedIPs {
			if net.ParseIP(ip) == nil {
				c.Fail(append(append(check.Path{}, p...), "allowed_ips", j), "%q is not an IP address", ip)
			}
		}
	}
	for i := range cr.Catalog {
		checkPart(c, check.At("carreta", "catalog", i), &cr.Catalog[i], true)
	}
	checkSignatures(c, cr.Catalog)
	if n := cr.Generate.ResultsPerQuery; n != nil && (*n < 0 || *n > 100) {
		c.Fail(check.At("carreta", "generate", "results_per_query"), "results_per_query must be between 0 and 100")
	}
	for i, o := range cr.Orders {
		p := check.At("carreta", "orders", i)
		if c.Required(append(p, "account"), o.Account) {
			if !keys.Seen(o.Account) {
				c.Fail(append(p, "account"), "account %q is not an api_key of carreta.accounts (dangling id)", o.Account)
			}
		}
		c.Required(append(p, "code"), o.Code)
		c.Required(append(p, "maker"), o.Maker)
		switch {
		case !c.Has(append(p, "price")):
			// An order is always for a priced offer; left out, it would
			// seed an order of 0.00 that no client could have placed.
			c.Fail(append(p, "price"), "price is required")
		case o.Price <= 0:
			c.Fail(append(p, "price"), "price must be more than 0.00")
		}
		period(c, p, o.PeriodMin, o.PeriodMax)
		if n := utf8.RuneCountInString(o.ClientComment); n > MaxClientComment {
			c.Fail(append(p, "client_comment"), "client_comment is %d characters; the API accepts at most %d", n, MaxClientComment)
		}
		if o.OrderQty < 1 || o.OrderQty > 10000 {
			c.Fail(append(p, "order_qty"), "order_qty must be between 1 and 10000")
		}
		if o.Status < 1 || o.Status > 8 {
			c.Fail(append(p, "status"), "status must be 1..8 (Холд .. Отказ)")
		}
		c.Timestamp(append(p, "created"), o.Created)
	}
}

func checkPart(c *check.Checker, p check.Path, part *CarretaPart, crossesAllowed bool) {
	c.Required(append(p, "code"), part.Code)
	c.Required(append(p, "maker"), part.Maker)
	c.Required(append(p, "name"), part.Name)
	if part.Price < 0 {
		c.Fail(append(p, "price"), "price must not be negative")
	}
	if !ValidQty(part.Qty) {
		c.Fail(append(p, "qty"), "qty %q must be \"500\", \"<10\", \">50\" or contain \"Есть\"", part.Qty)
	}
	if part.MinQty < 1 {
		c.Fail(append(p, "min_qty"), "min_qty must be at least 1")
	}
	period(c, p, part.PeriodMin, part.PeriodMax)
	if part.Stat != nil && (*part.Stat < 0 || *part.Stat > 100) {
		c.Fail(append(p, "stat"), "stat is a percentage 0..100 or null")
	}
	if !crossesAllowed && len(part.Crosses) > 0 {
		c.Fail(append(p, "crosses"), "a cross cannot have crosses of its own")
	}
	for j := range part.Crosses {
		checkPart(c, append(append(check.Path{}, p...), "crosses", j), &part.Crosses[j], false)
	}
}

// checkSignatures checks pinned offer signatures: base64 like the vendor's,
// and never one signature for two different offers, since a signature stands
// for exactly one offer.
func checkSignatures(c *check.Checker, parts []CarretaPart) {
	type seen struct {
		line int
		part CarretaPart
	}
	sigs := map[string]seen{}
	pin := func(p check.Path, part CarretaPart) {
		if part.Signature == "" {
			return
		}
		sp := append(append(check.Path{}, p...), "signature")
		if _, err := base64.StdEncoding.DecodeString(part.Signature); err != nil {
			c.Fail(sp, "signature %q is not base64", part.Signature)
			return
		}
		part.Crosses, part.Desc, part.Stat = nil, "", nil // not signed
		if first, ok := sigs[part.Signature]; ok && !samePart(first.part, part) {
			c.Fail(sp, "signature already pins a different offer (line %d)", first.line)
			return
		}
		sigs[part.Signature] = seen{c.Line(sp), part}
	}
	for i, part := range parts {
		pin(check.At("carreta", "catalog", i), part)
		for j, cross := range part.Crosses {
			pin(check.At("carreta", "catalog", i, "crosses", j), cross)
		}
	}
}

// period checks a delivery window in days, of an offer or of an order made
// from one.
func period(c *check.Checker, p check.Path, lo, hi int) {
	if lo < 0 || hi < lo {
		c.Fail(append(append(check.Path{}, p...), "period_max"), "need 0 <= period_min <= period_max")
	}
}

// samePart compares the signed fields of two parts.
func samePart(a, b CarretaPart) bool {
	return a.Code == b.Code && a.Maker == b.Maker && a.Name == b.Name && a.Price == b.Price &&
		a.Qty == b.Qty && a.MinQty == b.MinQty && a.PeriodMin == b.PeriodMin && a.PeriodMax == b.PeriodMax
}
