package scenario

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/mockserver/mockserver/internal/check"
	"github.com/mockserver/mockserver/internal/pathglob"
)

// FaultAPIs are the values a fault's api may take.
var FaultAPIs = []string{"amapi", "carreta", "saplab", "any"}

// faultPrefixes are the path prefixes each API owns (SPEC §1). A rule for one
// API whose path starts under another API's prefix could never fire, which
// is a typo worth reporting rather than a rule to arm silently.
var faultPrefixes = map[string]string{"amapi": "/api", "carreta": "/v1", "saplab": "/panel"}

// FaultMethods are the methods a fault's method may name.
var FaultMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
	http.MethodPatch, http.MethodDelete, http.MethodOptions}

// Fault phases (SPEC §7). Before is the default.
const (
	PhaseBefore = "before"
	PhaseAfter  = "after"
)

// MaxFaultDelay bounds a fault's delay: long enough to outlast any client
// timeout worth testing, short enough that a typo ("1500m" for "1500ms")
// does not hang a connection for a day.
const MaxFaultDelay = 10 * time.Minute

// CheckFault returns what is wrong with one fault rule, as messages without
// position; the scenario loader adds file:line, the control API sends them
// back in its 400. Field is a dotted path inside the rule ("action.headers").
func CheckFault(f *Fault) []FieldProblem {
	var out []FieldProblem
	add := func(field, format string, args ...any) {
		out = append(out, FieldProblem{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	switch {
	case strings.TrimSpace(f.ID) == "":
		add("id", "id is required")
	case len(f.ID) > 100 || strings.ContainsAny(f.ID, "/\x00\r\n\t"):
		add("id", "id must be at most 100 characters without / or control characters (it is used in /__admin/faults/{id})")
	}
	if !slices.Contains(FaultAPIs, f.API) {
		add("api", "api must be one of %s, got %q", strings.Join(FaultAPIs, ", "), f.API)
	}
	switch {
	case f.Method == "":
	case strings.ToUpper(f.Method) != f.Method:
		add("method", "method must be upper case, like POST")
	case !slices.Contains(FaultMethods, f.Method):
		add("method", "method must be one of %s, got %q", strings.Join(FaultMethods, ", "), f.Method)
	}
	checkFaultPath(f, add)
	checkFaultWhen(f.When, add)
	if f.Phase != "" && f.Phase != PhaseBefore && f.Phase != PhaseAfter {
		add("phase", "phase must be before or after, got %q", f.Phase)
	}
	checkFaultAction(f, add)
	return out
}

func checkFaultPath(f *Fault, add func(field, format string, args ...any)) {
	switch {
	case !strings.HasPrefix(f.Path, "/"):
		add("path", "path must start with / (exact, or a glob with * and **)")
		return
	case strings.ContainsAny(f.Path, "?#"):
		// A rule sees the URL path only; "?" is no wildcard of ours either.
		add("path", "path %q has a query string or fragment, but a rule matches the URL path without them, so it could never fire (the wildcards are * and **)", f.Path)
		return
	case !pathglob.Valid(f.Path):
		add("path", "path %q is not a valid glob (* is one segment, ** any number, [...] must be closed)", f.Path)
		return
	case f.Path == "/__admin" || strings.HasPrefix(f.Path, "/__admin/"):
		add("path", "faults never apply to the control API (/__admin)")
		return
	}
	prefix, ok := faultPrefixes[f.API]
	if !ok {
		return
	}
	first, _, _ := strings.Cut(f.Path[1:], "/")
	if pathglob.IsGlob(first) {
		return // "/**" or "/*/order": the api narrows it down
	}
	if "/"+first != prefix {
		add("path", "path %s is not under %s's prefix %s, so the rule could never fire", f.Path, f.API, prefix)
	}
}

func checkFaultWhen(w FaultWhen, add func(field, format string, args ...any)) {
	forms := 0
	for _, set := range []bool{w.Nth != 0, w.Every != 0, w.After != 0, w.Probability != nil} {
		if set {
			forms++
		}
	}
	if forms > 1 {
		add("when", "when takes one of nth, every, after, probability (plus times)")
	}
	for _, k := range []struct {
		name string
		n    int
	}{{"nth", w.Nth}, {"every", w.Every}, {"after", w.After}, {"times", w.Times}} {
		// A 0 would otherwise read as "not given" and hit every request.
		if k.n < 0 || k.n == 0 && slices.Contains(w.zero, k.name) {
			hint := ""
			if k.name == "after" && k.n == 0 {
				// "The first 0 get through" is every request, which a rule
				// says by leaving when out; a 0 here is more likely a slip.
				hint = " (to hit every request, leave when out)"
			}
			add("when."+k.name, "%s must be a positive integer, got %d%s", k.name, k.n, hint)
		}
	}
	if p := w.Probability; p != nil && (math.IsNaN(*p) || *p < 0 || *p > 1) {
		add("when.probability", "probability must be between 0 and 1")
	}
}

func checkFaultAction(f *Fault, add func(field, format string, args ...any)) {
	a := f.Action
	if a.Status != 0 && (a.Status < 200 || a.Status > 599) {
		add("action.status", "status %d is not a final HTTP status (200..599)", a.Status)
	}
	if a.Body != nil && (a.Status == http.StatusNoContent || a.Status == http.StatusNotModified) {
		add("action.body", "a %d response carries no body", a.Status)
	}
	for name, value := range a.Headers {
		if !validHeaderName(name) {
			add("action.headers", "%q is not a header name", name)
		}
		if strings.ContainsAny(value, "\r\n\x00") {
			add("action.headers", "header %s: a value cannot contain line breaks", name)
		}
		if slices.Contains(framingHeaders, http.CanonicalHeaderKey(name)) {
			add("action.headers", "header %s frames the HTTP response and is set by the server; a fault cannot set it (use truncate or drop to break a response)", name)
		}
	}
	if a.Delay != nil && a.Delay.Max > MaxFaultDelay {
		add("action.delay", "delay must be at most %d minutes", int(MaxFaultDelay.Minutes()))
	}
	replaced := a.Status != 0 || a.Body != nil
	switch {
	case a.Drop && a.Truncate:
		add("action", "drop and truncate cannot both be set")
	case a.Drop && (replaced || len(a.Headers) > 0):
		add("action", "drop sends nothing, so status, body and headers have no effect with it")
	case a.Status == 0 && !a.Drop && !a.Truncate && a.Delay == nil && a.Body == nil && len(a.Headers) == 0:
		add("action", "action needs at least one of status, body, headers, delay, drop, truncate")
	}
	if f.Phase == PhaseAfter {
		return
	}
	// In phase before the handler never runs, so the response comes from the
	// action alone: it must say what to answer.
	if a.Truncate && a.Body == nil && a.Status < 400 {
		add("action.truncate", "truncate needs a response to cut: a body, a status >= 400 (the API's error body), or phase: after to cut the handler's own response")
	}
	if len(a.Headers) > 0 && !replaced && !a.Truncate {
		add("action.headers", "headers alone would answer an empty 200 in phase before: add a status or body, or use phase: after to add them to the handler's response")
	}
}

// framingHeaders delimit the response on the wire. A rule that set them
// would not inject an API's failure but break HTTP itself (a Content-Length
// of 2 on an 11-byte body left the client with nothing), and truncate and
// drop already cover a broken response honestly.
var framingHeaders = []string{"Content-Length", "Transfer-Encoding", "Connection", "Trailer", "Upgrade", "Keep-Alive"}

// validHeaderName reports whether s is an HTTP token (RFC 9110 §5.1).
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r > 0x7e || r <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r) {
			return false
		}
	}
	return true
}

// FieldProblem is a rule problem tied to one field of a rule.
type FieldProblem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func checkFaults(c *check.Checker, faults []Fault) {
	ids := check.NewUnique("fault id")
	for i := range faults {
		p := check.At("faults", i)
		ids.Check(c, append(p, "id"), faults[i].ID)
		for _, fp := range CheckFault(&faults[i]) {
			q := append(check.Path{}, p...)
			for _, part := range strings.Split(fp.Field, ".") {
				q = append(q, part)
			}
			c.Fail(q, "%s", fp.Message)
		}
	}
}
