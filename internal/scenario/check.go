package scenario

import (
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/mockserver/mockserver/internal/clock"
	"gopkg.in/yaml.v3"
)

// checker collects problems, each placed on the line of the YAML node it is
// about. Rules name a node by its path from the document root, e.g.
// at("carreta", "accounts", 2, "api_key").
type checker struct {
	file     string
	root     *yaml.Node
	problems Problems
}

// path is a list of mapping keys (string) and sequence indexes (int).
type path []any

// at builds a path.
func at(parts ...any) path { return parts }

// line finds the line of the node at p, or of the deepest node on the way
// when the rest is absent (a missing key is reported on its parent).
func (c *checker) line(p path) int {
	n := c.root
	for _, part := range p {
		next := child(n, part)
		if next == nil {
			break
		}
		n = next
	}
	return n.Line
}

func child(n *yaml.Node, part any) *yaml.Node {
	switch k := part.(type) {
	case string:
		if n.Kind != yaml.MappingNode {
			return nil
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				return n.Content[i+1]
			}
		}
	case int:
		if n.Kind == yaml.SequenceNode && k >= 0 && k < len(n.Content) {
			return n.Content[k]
		}
	}
	return nil
}

// has reports whether the key at p is written in the file, for a rule
// that must tell a value left out from one written as zero.
func (c *checker) has(p path) bool {
	n := c.root
	for _, part := range p {
		if n = child(n, part); n == nil {
			return false
		}
	}
	return true
}

// fail records a problem at p.
func (c *checker) fail(p path, format string, args ...any) {
	c.problems = append(c.problems, Problem{File: c.file, Line: c.line(p), Message: fmt.Sprintf(format, args...)})
}

// required fails when s is blank.
func (c *checker) required(p path, s string) bool {
	if strings.TrimSpace(s) == "" {
		c.fail(p, "%s is required", p[len(p)-1])
		return false
	}
	return true
}

// email fails when s is set but is not a plain address.
func (c *checker) email(p path, s string) {
	if s == "" {
		return
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		c.fail(p, "%q is not an email address", s)
	}
}

// unique remembers values seen under one name and fails on a repeat,
// pointing at the first occurrence.
type unique struct {
	what string
	seen map[string]int
}

func newUnique(what string) *unique { return &unique{what: what, seen: map[string]int{}} }

func (u *unique) check(c *checker, p path, key string) {
	if key == "" {
		return
	}
	if first, ok := u.seen[key]; ok {
		c.fail(p, "duplicate %s %q (first at line %d)", u.what, key, first)
		return
	}
	u.seen[key] = c.line(p)
}

// ids collects the ids of one table, for unique and dangling-reference checks.
type ids struct {
	table string
	set   map[int64]bool
}

func (c *checker) collectIDs(table string, n int, id func(i int) int64, p func(i int) path) ids {
	out := ids{table: table, set: map[int64]bool{}}
	for i := 0; i < n; i++ {
		v := id(i)
		switch {
		case v <= 0:
			c.fail(append(p(i), "id"), "%s id must be a positive integer", table)
		case out.set[v]:
			c.fail(append(p(i), "id"), "duplicate %s id %d", table, v)
		}
		out.set[v] = true
	}
	return out
}

// ref fails when id names no row of the table. zeroOK allows 0 for "none".
func (c *checker) ref(p path, t ids, id int64, zeroOK bool) {
	if id == 0 && zeroOK {
		return
	}
	if !t.set[id] {
		c.fail(p, "%s %d does not exist (dangling id)", t.table, id)
	}
}

// timeLayouts are the forms scenario timestamps may take: naive local times,
// as all three vendors print them.
var timeLayouts = []string{
	"2006-01-02 15:04:05.999999",
	"2006-01-02T15:04:05.999999",
	"2006-01-02 15:04",
	"2006-01-02",
}

// ParseTime reads a scenario timestamp ("2017-01-15 22:02:43.114625",
// "2014-10-23T16:18:31", "2016-12-31") as wall-clock time in Moscow, the zone
// all three vendors print in.
func ParseTime(s string) (time.Time, error) {
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, s, Moscow); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time like 2017-01-15 22:02:43", s)
}

// Moscow is the vendors' zone, UTC+3 without daylight saving (clock.Moscow).
var Moscow = clock.Moscow

// timestamp fails when s is set but unreadable.
func (c *checker) timestamp(p path, s string) {
	if s == "" {
		return
	}
	if _, err := ParseTime(s); err != nil {
		c.fail(p, "%v", err)
	}
}

// check runs every section's rules.
func (c *checker) check(sc *Scenario) {
	if strings.TrimSpace(sc.Name) == "" {
		c.fail(at("name"), "name is required")
	}
	c.checkAmapi(&sc.Amapi)
	c.checkCarreta(&sc.Carreta)
	c.checkSaplab(&sc.Saplab)
	c.checkFaults(sc.Faults)
}

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Digits keeps only the digits of a phone number, dropping a leading 7 or 8
// of an 11-digit Russian number, the way saplab compares phones.
func Digits(phone string) string {
	var b strings.Builder
	for _, r := range phone {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if len(d) == 11 && (d[0] == '7' || d[0] == '8') {
		d = d[1:]
	}
	return d
}
