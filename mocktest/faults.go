package mocktest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Phases of a fault rule: before the API's handler runs (the default) or
// after it, on the handler's own response.
const (
	PhaseBefore = "before"
	PhaseAfter  = "after"
)

// Rule is a fault rule (docs/faults.md): which requests it matches (API,
// Method, Path), which of those it hits (When) and what it does to them
// (Action).
type Rule struct {
	// ID names the rule, for Remove and for Filter.Fault.
	ID string
	// API is "amapi", "carreta" or "saplab".
	API string
	// Method is the HTTP method matched; "" matches any.
	Method string
	// Path is the unprefixed path matched, exact or a glob (* one segment,
	// ** any): "/v1/order/", not the world's "/w/<id>/v1/order/".
	Path string
	// When chooses the matching requests hit; the zero When hits every one.
	When When
	// Phase is PhaseBefore ("" too) or PhaseAfter.
	Phase string
	// Action is what happens to a request hit.
	Action Action
}

// When chooses which matching requests a rule hits: at most one of Nth,
// Every, After and Probability, with Times capping how often it fires.
type When struct {
	// Nth hits the nth matching request only (1 is the first).
	Nth int
	// Every hits every Every-th matching request.
	Every int
	// After hits every matching request after the first After.
	After int
	// Probability hits a matching request with this probability, drawn
	// from the scenario's seed (0 means unset).
	Probability float64
	// Times stops the rule after it has fired this often (0: no cap).
	Times int
}

// Action is what a rule does to a request it hits.
type Action struct {
	// Status answers with this status; with no Body, the API's own error
	// body for it.
	Status int
	// Body answers with this body ("" with EmptyBody false: not set).
	Body string
	// EmptyBody answers with an empty body.
	EmptyBody bool
	// Headers are set on the answer.
	Headers map[string]string
	// Delay pauses before the rule acts; with DelayMax above it, the pause
	// is drawn between Delay and DelayMax.
	Delay, DelayMax time.Duration
	// Drop closes the connection without an answer.
	Drop bool
	// Truncate sends part of the answer, then closes the connection.
	Truncate bool
}

// ArmedRule is a rule as the server holds it, with its counters.
type ArmedRule struct {
	Rule
	// Source is where the rule came from: "scenario" or "runtime".
	Source string
	// Matched counts the requests the rule matched; Fired those it hit.
	Matched, Fired int
}

// Faults arms and disarms a mock's fault rules (/__admin/faults).
type Faults struct{ c *client }

// Faults is the mock's fault rules.
func (m *Mock) Faults() Faults { return Faults{c: &m.c} }

// Add arms rules, all or none: a rule with problems arms nothing and
// returns an *Error listing them.
func (f Faults) Add(ctx context.Context, rules ...Rule) error {
	out := make([]wireRule, len(rules))
	for i, r := range rules {
		out[i] = toWire(r)
	}
	return f.c.do(ctx, http.MethodPost, "/__admin/faults", out, nil)
}

// Remove disarms the rule with the given id; an unknown id is an *Error
// with Status 404.
func (f Faults) Remove(ctx context.Context, id string) error {
	return f.c.do(ctx, http.MethodDelete, "/__admin/faults/"+url.PathEscape(id), nil, nil)
}

// Clear disarms every rule, the scenario's included.
func (f Faults) Clear(ctx context.Context) error {
	return f.c.do(ctx, http.MethodDelete, "/__admin/faults", nil, nil)
}

// List returns the armed rules with their counters.
func (f Faults) List(ctx context.Context) ([]ArmedRule, error) {
	var body struct {
		Faults []wireRule `json:"faults"`
	}
	if err := f.c.do(ctx, http.MethodGet, "/__admin/faults", nil, &body); err != nil {
		return nil, err
	}
	out := make([]ArmedRule, len(body.Faults))
	for i, w := range body.Faults {
		r, err := fromWire(w)
		if err != nil {
			return nil, fmt.Errorf("mocktest: GET /__admin/faults: rule %q: %w", w.ID, err)
		}
		out[i] = ArmedRule{Rule: r, Source: w.Source, Matched: w.Matched, Fired: w.Fired}
	}
	return out, nil
}

// wireRule is a rule as the control API reads and lists it.
type wireRule struct {
	ID      string     `json:"id"`
	API     string     `json:"api"`
	Method  string     `json:"method,omitempty"`
	Path    string     `json:"path"`
	When    wireWhen   `json:"when"`
	Phase   string     `json:"phase,omitempty"`
	Action  wireAction `json:"action"`
	Source  string     `json:"source,omitempty"`
	Matched int        `json:"matched,omitempty"`
	Fired   int        `json:"fired,omitempty"`
}

// wireWhen is When on the wire.
type wireWhen struct {
	Nth         int      `json:"nth,omitempty"`
	Every       int      `json:"every,omitempty"`
	After       int      `json:"after,omitempty"`
	Probability *float64 `json:"probability,omitempty"`
	Times       int      `json:"times,omitempty"`
}

// wireAction is Action on the wire: the delay is "1.5s" or {"min","max"}.
type wireAction struct {
	Status   int               `json:"status,omitempty"`
	Body     *string           `json:"body,omitempty"`
	Headers  map[string]string `json:"headers,omitempty"`
	Delay    json.RawMessage   `json:"delay,omitempty"`
	Drop     bool              `json:"drop,omitempty"`
	Truncate bool              `json:"truncate,omitempty"`
}

// delayRange is a drawn delay on the wire.
type delayRange struct {
	Min string `json:"min"`
	Max string `json:"max"`
}

// toWire is r as the control API reads it.
func toWire(r Rule) wireRule {
	w := wireRule{ID: r.ID, API: r.API, Method: r.Method, Path: r.Path, Phase: r.Phase,
		When: wireWhen{Nth: r.When.Nth, Every: r.When.Every, After: r.When.After, Times: r.When.Times}}
	if r.When.Probability != 0 {
		p := r.When.Probability
		w.When.Probability = &p
	}
	a := r.Action
	w.Action = wireAction{Status: a.Status, Headers: a.Headers, Drop: a.Drop, Truncate: a.Truncate}
	if a.Body != "" || a.EmptyBody {
		body := a.Body
		w.Action.Body = &body
	}
	switch {
	case a.DelayMax > a.Delay:
		w.Action.Delay, _ = json.Marshal(delayRange{Min: a.Delay.String(), Max: a.DelayMax.String()})
	case a.Delay > 0:
		w.Action.Delay, _ = json.Marshal(a.Delay.String())
	}
	return w
}

// fromWire is a listed rule as a Rule.
func fromWire(w wireRule) (Rule, error) {
	r := Rule{ID: w.ID, API: w.API, Method: w.Method, Path: w.Path, Phase: w.Phase,
		When: When{Nth: w.When.Nth, Every: w.When.Every, After: w.When.After, Times: w.When.Times}}
	if w.When.Probability != nil {
		r.When.Probability = *w.When.Probability
	}
	a := w.Action
	r.Action = Action{Status: a.Status, Headers: a.Headers, Drop: a.Drop, Truncate: a.Truncate}
	if a.Body != nil {
		r.Action.Body, r.Action.EmptyBody = *a.Body, *a.Body == ""
	}
	if len(a.Delay) == 0 {
		return r, nil
	}
	var err error
	r.Action.Delay, r.Action.DelayMax, err = parseDelay(a.Delay)
	return r, err
}

// parseDelay reads a delay as the control API lists it.
func parseDelay(raw json.RawMessage) (lo, hi time.Duration, err error) {
	var fixed string
	if json.Unmarshal(raw, &fixed) == nil {
		d, err := time.ParseDuration(fixed)
		return d, 0, err
	}
	var dr delayRange
	if err := json.Unmarshal(raw, &dr); err != nil {
		return 0, 0, err
	}
	if lo, err = time.ParseDuration(dr.Min); err != nil {
		return 0, 0, err
	}
	hi, err = time.ParseDuration(dr.Max)
	return lo, hi, err
}
