// Package check places problems found in a YAML document on the lines they
// are about. The scenario loader owns one Checker per file; each vendor
// package checks its own section of the scenario with it, so a rule and the
// check of the data seeded under it live in one place (the vendor package)
// and the loader only composes them.
package check

import (
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/mockserver/mockserver/internal/clock"
	"gopkg.in/yaml.v3"
)

// Problem is one thing wrong with a scenario file.
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// String is the "file:line: message" form editors jump to; a problem with
// the file as a whole (it cannot be read) has no line: "file: message".
func (p Problem) String() string {
	if p.Line <= 0 {
		return fmt.Sprintf("%s: %s", p.File, p.Message)
	}
	return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
}

// Problems is every problem found in one load; it is the error the scenario
// loader returns.
type Problems []Problem

// Error lists the problems one per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Checker collects problems, each placed on the line of the YAML node it is
// about. Rules name a node by its path from the document root, e.g.
// At("carreta", "accounts", 2, "api_key").
type Checker struct {
	file     string
	root     *yaml.Node
	problems Problems
	// columns are the problems' columns, so that the loader can tell a
	// rule's problem from a decode error's on the same line (Column).
	columns []int
}

// New returns a Checker for the document root read from file.
func New(file string, root *yaml.Node) *Checker {
	return &Checker{file: file, root: root}
}

// Problems is what the checks found, in the order they found it.
func (c *Checker) Problems() Problems { return c.problems }

// Path is a list of mapping keys (string) and sequence indexes (int).
type Path []any

// At builds a path.
func At(parts ...any) Path { return parts }

// Join is p followed by more, in a new slice: append on a shared prefix
// would let two paths built from it overwrite each other's last element.
func (p Path) Join(more ...any) Path {
	out := make(Path, 0, len(p)+len(more))
	return append(append(out, p...), more...)
}

// Line finds the line of the node at p, or of the deepest node on the way
// when the rest is absent (a missing key is reported on its parent).
func (c *Checker) Line(p Path) int { return c.node(p).Line }

// Column is the column of the i-th problem's node.
func (c *Checker) Column(i int) int { return c.columns[i] }

// node is the node at p, or the deepest node on the way.
func (c *Checker) node(p Path) *yaml.Node {
	n := c.root
	for _, part := range p {
		next := child(n, part)
		if next == nil {
			break
		}
		n = next
	}
	return n
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

// Has reports whether the key at p is written in the file, for a rule
// that must tell a value left out from one written as zero.
func (c *Checker) Has(p Path) bool {
	n := c.root
	for _, part := range p {
		if n = child(n, part); n == nil {
			return false
		}
	}
	return true
}

// Fail records a problem at p.
func (c *Checker) Fail(p Path, format string, args ...any) {
	n := c.node(p)
	c.problems = append(c.problems, Problem{File: c.file, Line: n.Line, Message: fmt.Sprintf(format, args...)})
	c.columns = append(c.columns, n.Column)
}

// Required fails when s is blank.
func (c *Checker) Required(p Path, s string) bool {
	if strings.TrimSpace(s) == "" {
		c.Fail(p, "%s is required", p[len(p)-1])
		return false
	}
	return true
}

// Email fails when s is set but is not a plain address.
func (c *Checker) Email(p Path, s string) {
	if s != "" && !IsEmail(s) {
		c.Fail(p, "%q is not an email address", s)
	}
}

// IsEmail reports whether s is one plain address (local@domain, no display
// name and nothing around it). It is the mock's one reading of an address,
// for Laravel's email rule (amapi), PHP's filter_var on the panel's client
// form (saplab) and the scenario checks alike: close to what each vendor
// accepts, and never stricter than the addresses their documents show.
func IsEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s
}

// Unique remembers values seen under one name and fails on a repeat,
// pointing at the first occurrence.
type Unique struct {
	what string
	seen map[string]int
}

// NewUnique starts a Unique for values called what ("email", "api_key").
func NewUnique(what string) *Unique { return &Unique{what: what, seen: map[string]int{}} }

// Check fails when key was seen before; an empty key is not checked.
func (u *Unique) Check(c *Checker, p Path, key string) {
	if key == "" {
		return
	}
	if first, ok := u.seen[key]; ok {
		c.Fail(p, "duplicate %s %q (first at line %d)", u.what, key, first)
		return
	}
	u.seen[key] = c.Line(p)
}

// Seen reports whether key was checked before, for a reference to it.
func (u *Unique) Seen(key string) bool {
	_, ok := u.seen[key]
	return ok
}

// IDs are the ids of one table, for unique and dangling-reference checks.
type IDs struct {
	table string
	set   map[int64]bool
}

// Has reports whether id is one of the table's, for a rule that names the
// table's rows otherwise than through Ref (a lifecycle's status ids).
func (t IDs) Has(id int64) bool { return t.set[id] }

// CollectIDs reads the n ids of a table, failing on ids that are not
// positive or repeat.
func (c *Checker) CollectIDs(table string, n int, id func(i int) int64, p func(i int) Path) IDs {
	out := IDs{table: table, set: map[int64]bool{}}
	for i := 0; i < n; i++ {
		v := id(i)
		switch {
		case v <= 0:
			c.Fail(p(i).Join("id"), "%s id must be a positive integer", table)
		case out.set[v]:
			c.Fail(p(i).Join("id"), "duplicate %s id %d", table, v)
		}
		out.set[v] = true
	}
	return out
}

// Ref fails when id names no row of the table. zeroOK allows 0 for "none".
func (c *Checker) Ref(p Path, t IDs, id int64, zeroOK bool) {
	if id == 0 && zeroOK {
		return
	}
	if !t.set[id] {
		c.Fail(p, "%s %d does not exist (dangling id)", t.table, id)
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
		if t, err := time.ParseInLocation(l, s, clock.Moscow); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time like 2017-01-15 22:02:43", s)
}

// Timestamp fails when s is set but unreadable.
func (c *Checker) Timestamp(p Path, s string) {
	if s == "" {
		return
	}
	if _, err := ParseTime(s); err != nil {
		c.Fail(p, "%v", err)
	}
}
