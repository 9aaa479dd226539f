// Package money holds rouble amounts exactly, as whole kopecks.
//
// Both vendors print money as decimal strings: carreta with two places
// ("152.02", Django's DecimalField), saplab without trailing zeros ("3959",
// "473.5", PostgreSQL numeric through PHP). Floats would drift on sums of
// positions and on the balance-equals-sum-of-transactions rule, so amounts are
// integers of kopecks and are only turned into text at the wire.
package money

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Amount is a sum of money in kopecks (1/100 rouble).
type Amount int64

// Max is the largest amount accepted from input: a billion roubles, far above
// anything a shop sees and far below int64 overflow when multiplied by a
// quantity of up to 10000.
const Max Amount = 100_000_000_000

// ErrSyntax is returned for text that is not a decimal amount.
var ErrSyntax = errors.New("not a decimal amount")

// ErrRange is returned for amounts beyond ±Max or with more than 2 decimals.
var ErrRange = errors.New("amount out of range")

// Parse reads "152", "152.0", "152.02", "-100" (a leading minus is allowed,
// a plus is not). A comma is not accepted: both vendors use a dot.
func Parse(s string) (Amount, error) {
	if s == "" {
		return 0, ErrSyntax
	}
	neg := false
	if s[0] == '-' {
		neg = true
		s = s[1:]
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || !digits(whole) || (hasDot && (frac == "" || !digits(frac))) {
		return 0, ErrSyntax
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > 2 {
		return 0, ErrRange
	}
	if len(whole) > 12 {
		return 0, ErrRange
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, ErrRange
	}
	k := int64(0)
	if frac != "" {
		f, _ := strconv.ParseInt((frac + "0")[:2], 10, 64)
		k = f
	}
	a := Amount(w*100 + k)
	if a > Max {
		return 0, ErrRange
	}
	if neg {
		a = -a
	}
	return a, nil
}

// FromFloat converts a JSON number; it rounds to the nearest kopeck and
// rejects NaN, infinities and values beyond Max.
func FromFloat(f float64) (Amount, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > float64(Max)/100 {
		return 0, ErrRange
	}
	return Amount(math.Round(f * 100)), nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Fixed2 prints the amount with exactly two decimals: "152.02", "7.10", "-0.50".
func (a Amount) Fixed2() string { return string(a.AppendFixed2(nil)) }

// AppendFixed2 appends Fixed2's text to b without fmt: the seeding of a
// large generated state prints a million amounts (issue 16).
func (a Amount) AppendFixed2(b []byte) []byte {
	v := int64(a)
	if v == math.MinInt64 { // -v overflows: fmt's text, as before
		return fmt.Appendf(b, "-%d.%02d", v/100, v%100)
	}
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	b = strconv.AppendInt(b, v/100, 10)
	c := v % 100
	return append(b, '.', byte('0'+c/10), byte('0'+c%10))
}

// Trim prints the amount as PostgreSQL numeric comes out of PHP once the
// trailing zeros are dropped: "3959", "473.5", "473.38", "-100".
func (a Amount) Trim() string {
	s := a.Fixed2()
	s = strings.TrimRight(s, "0")
	s = strings.TrimSuffix(s, ".")
	if s == "-0" || s == "" {
		return "0"
	}
	return s
}

// String is Fixed2.
func (a Amount) String() string { return a.Fixed2() }

// Mul multiplies by a quantity, as total = price × qty.
func (a Amount) Mul(qty int64) Amount { return Amount(int64(a) * qty) }

// UnmarshalText reads the Parse form; stored records use it.
func (a *Amount) UnmarshalText(text []byte) error {
	v, err := Parse(string(text))
	if err != nil {
		return fmt.Errorf("%q is not an amount like \"152.02\": %w", text, err)
	}
	*a = v
	return nil
}

// MarshalText prints Fixed2, so stored records read back exactly.
func (a Amount) MarshalText() ([]byte, error) { return []byte(a.Fixed2()), nil }

// AppendQuoted appends the amount as json.Marshal writes it: MarshalText's
// text (digits, a sign, a point: nothing to escape), quoted. The records
// that write their own JSON (state.Appender) store amounts with it.
func (a Amount) AppendQuoted(b []byte) []byte {
	return append(a.AppendFixed2(append(b, '"')), '"')
}

// UnmarshalYAML lets scenario files write amounts as "152.02" or 152.02. A bad
// value comes back as a *yaml.TypeError, which the decoder collects with its
// line number instead of stopping at the first one.
func (a *Amount) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: expected an amount like \"152.02\"", n.Line)}}
	}
	v, err := Parse(n.Value)
	if err != nil {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %q is not an amount like \"152.02\" (%v)", n.Line, n.Value, err)}}
	}
	*a = v
	return nil
}
