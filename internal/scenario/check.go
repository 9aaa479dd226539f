package scenario

import (
	"strings"

	"github.com/mockserver/mockserver/internal/check"
)

// checkAll runs every section's rules.
func checkAll(c *check.Checker, sc *Scenario) {
	if strings.TrimSpace(sc.Name) == "" {
		c.Fail(check.At("name"), "name is required")
	}
	sc.Amapi.Check(c)
	sc.Carreta.Check(c)
	checkSaplab(c, &sc.Saplab)
	checkFaults(c, sc.Faults)
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
