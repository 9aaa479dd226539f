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
	sc.Saplab.Check(c)
	checkFaults(c, sc.Faults)
}
