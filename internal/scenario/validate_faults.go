package scenario

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// FaultAPIs are the values a fault's api may take.
var FaultAPIs = []string{"amapi", "carreta", "saplab", "any"}

// CheckFault returns what is wrong with one fault rule, as messages without
// position; the scenario loader adds file:line, the control API sends them
// back in its 400.
func CheckFault(f *Fault) []FieldProblem {
	var out []FieldProblem
	add := func(field, format string, args ...any) {
		out = append(out, FieldProblem{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(f.ID) == "" {
		add("id", "id is required")
	}
	if !slices.Contains(FaultAPIs, f.API) {
		add("api", "api must be one of %s, got %q", strings.Join(FaultAPIs, ", "), f.API)
	}
	if f.Method != "" && strings.ToUpper(f.Method) != f.Method {
		add("method", "method must be upper case, like POST")
	}
	if !strings.HasPrefix(f.Path, "/") {
		add("path", "path must start with / (exact, or a glob with * and **)")
	}
	w := f.When
	forms := 0
	for _, set := range []bool{w.Nth != 0, w.Every != 0, w.After != 0, w.Probability != nil} {
		if set {
			forms++
		}
	}
	if forms > 1 {
		add("when", "when takes one of nth, every, after, probability (plus times)")
	}
	if w.Nth < 0 || w.Every < 0 || w.After < 0 || w.Times < 0 {
		add("when", "nth, every, after and times must be positive")
	}
	if w.Probability != nil && (*w.Probability < 0 || *w.Probability > 1) {
		add("when", "probability must be between 0 and 1")
	}
	if f.Phase != "" && f.Phase != "before" && f.Phase != "after" {
		add("phase", "phase must be before or after, got %q", f.Phase)
	}
	a := f.Action
	if a.Status != 0 && (a.Status < 100 || a.Status > 599 || http.StatusText(a.Status) == "" && a.Status < 200) {
		add("action", "status %d is not an HTTP status", a.Status)
	}
	if a.Drop && a.Truncate {
		add("action", "drop and truncate cannot both be set")
	}
	if a.Status == 0 && !a.Drop && !a.Truncate && a.Delay == nil && a.Body == nil && len(a.Headers) == 0 {
		add("action", "action needs at least one of status, body, headers, delay, drop, truncate")
	}
	return out
}

// FieldProblem is a rule problem tied to one field of a rule.
type FieldProblem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (c *checker) checkFaults(faults []Fault) {
	ids := newUnique("fault id")
	for i := range faults {
		p := at("faults", i)
		ids.check(c, append(p, "id"), faults[i].ID)
		for _, fp := range CheckFault(&faults[i]) {
			c.fail(append(append(path{}, p...), fp.Field), "%s", fp.Message)
		}
	}
}
