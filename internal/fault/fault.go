// Package fault injects the failures of SPEC §7 into vendor requests: an
// error status or body, extra headers, a delay, a dropped connection or a
// response cut in half, either before the handler runs (nothing changes) or
// after it has committed (the change is made but the client never hears of
// it: the case that tests a client's retries and idempotency).
//
// Rules come from the scenario's faults: and, at runtime, from the control
// API. An Injector holds them with their counters; Middleware applies them.
package fault

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mockserver/mockserver/internal/pathglob"
	"github.com/mockserver/mockserver/internal/scenario"
)

// Where a rule came from, shown by GET /__admin/faults.
const (
	SourceScenario = "scenario"
	SourceRuntime  = "runtime"
)

// Fires reports whether the nth request (1-based) that matched a rule's api,
// method and path is hit by its when (SPEC §7): nth hits only the nth, every
// hits each multiple of every, after lets the first after through and hits
// the rest, probability hits when draw (uniform in [0,1)) falls below it,
// and a when with none of them hits every request. Times is applied by the
// caller, which knows how often the rule has fired.
func Fires(w scenario.FaultWhen, n int, draw float64) bool {
	switch {
	case w.Nth > 0:
		return n == w.Nth
	case w.Every > 0:
		return n%w.Every == 0
	case w.After > 0:
		return n > w.After
	case w.Probability != nil:
		return draw < *w.Probability
	}
	return true
}

// Matches reports whether a rule's api, method and path select a request to
// api (the vendor API owning the path), method and path.
func Matches(f *scenario.Fault, api, method, path string) bool {
	return (f.API == "any" || f.API == api) &&
		(f.Method == "" || f.Method == method) &&
		pathglob.Match(f.Path, path)
}

// View is a rule as the control API shows it: the rule, where it came from,
// how many requests matched it and how many it hit.
type View struct {
	scenario.Fault
	Source  string `json:"source"`
	Matched int    `json:"matched"`
	Fired   int    `json:"fired"`
}

// rule is an armed rule with its counters and its own random sources, so its
// draws depend only on the seed, its id and the requests it matched, not on
// traffic to other rules. The when draw and the delay draw have a generator
// each and both are drawn for every matched request: were they one
// generator, or the delay drawn only when the rule fires, a request another
// rule took would shift every later draw of this one.
//
// Fault, source and the generators' seeds never change once armed; mu
// guards the counters and the generators, and is held only to count one
// request and make its draws (constant time, never while a path is
// matched), so the nth request counted meets the nth draws.
type rule struct {
	scenario.Fault
	source  string
	mu      sync.Mutex
	matched int
	fired   int
	whenRNG *rand.Rand // the probability draw, when the rule has one
	waitRNG *rand.Rand // the delay draw, when the rule has a delay range
}

// Hit is what a fired rule does to one request.
type Hit struct {
	ID     string
	Phase  string
	Action scenario.FaultAction
	// Delay is the pause drawn for this request (zero when none).
	Delay time.Duration
}

// Injector holds the armed rules. It is safe for concurrent use.
type Injector struct {
	// mu serialises the writers of rules (Load, Add, Delete, Clear) and
	// guards seed and after; a delay takes it only to read after. Requests
	// never take it: Match reads the armed rules with one atomic load of
	// rules, which writers replace whole (copy on write), and matches paths
	// with no lock held, so a long path delays only its own request. It is
	// a leaf: no other lock is taken while it is held (Load runs under the
	// server's gate and a bbolt read transaction, which are taken first).
	// Each rule's counters have a lock of their own (rule.mu).
	mu    sync.Mutex
	seed  int64
	rules atomic.Pointer[[]*rule]              // never changed in place; nil: none
	after func(time.Duration) <-chan time.Time // how a delay waits; see SetTimer

	matchHook atomic.Pointer[func(path string)] // see SetMatchHook

	stop     chan struct{} // closed by Interrupt: every delay ends
	stopOnce sync.Once     // closes stop once, however often Interrupt is called
}

// New returns an injector with no rules, whose delays wait in real time.
func New() *Injector {
	return &Injector{stop: make(chan struct{}), after: time.After}
}

// SetTimer replaces how a delay waits: after(d) returns a channel that
// delivers when the delay of d is over; nil restores real time. A client
// that leaves and Interrupt still end a delay early. Tests use it to see
// each delay a request reaches and to end it when they choose, instead of
// waiting for it in real time.
func (in *Injector) SetTimer(after func(d time.Duration) <-chan time.Time) {
	if after == nil {
		after = time.After
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.after = after
}

// SetMatchHook has f called by Match with the request's path once it holds
// the armed rules and before it matches them; nil removes it. Tests use it
// to hold a request in the middle of matching and show that others are
// served meanwhile.
func (in *Injector) SetMatchHook(f func(path string)) {
	if f == nil {
		in.matchHook.Store(nil)
		return
	}
	in.matchHook.Store(&f)
}

// armed is the current rules, read without a lock; the slice is never
// changed in place.
func (in *Injector) armed() []*rule {
	if p := in.rules.Load(); p != nil {
		return *p
	}
	return nil
}

// arm publishes rules as the armed ones. The caller holds mu.
func (in *Injector) arm(rules []*rule) { in.rules.Store(&rules) }

// timer is the current SetTimer function.
func (in *Injector) timer() func(time.Duration) <-chan time.Time {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.after
}

// Load arms sc's faults in place of every rule (runtime ones included) and
// starts every counter and random source afresh from sc's seed: after a
// reset, the same requests meet the same faults.
func (in *Injector) Load(sc *scenario.Scenario) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.seed = sc.Seed
	rules := make([]*rule, 0, len(sc.Faults))
	for _, f := range sc.Faults {
		rules = append(rules, in.compile(f, SourceScenario))
	}
	in.arm(rules)
}

// compile arms f: its phase defaulted, its counters at zero, its random
// sources seeded from the scenario seed and its id. The caller holds mu.
func (in *Injector) compile(f scenario.Fault, source string) *rule {
	if f.Phase == "" {
		f.Phase = scenario.PhaseBefore
	}
	return &rule{Fault: f, source: source,
		whenRNG: rand.New(rand.NewPCG(uint64(in.seed), idHash(f.ID, ""))),
		waitRNG: rand.New(rand.NewPCG(uint64(in.seed), idHash(f.ID, "delay")))}
}

// idHash is the PCG stream of one of a rule's generators: the rule id, and a
// purpose so the when and delay streams differ. The when stream hashes the
// id alone, as it did when it was the only one, so the probability hits a
// scenario meant stay what they were.
func idHash(id, purpose string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	if purpose != "" {
		h.Write([]byte{0})
		h.Write([]byte(purpose))
	}
	return h.Sum64()
}

// MaxRules bounds the armed rules: every request is matched against each,
// and a runaway test loop arming rules should fail loudly, not slow every
// request down.
const MaxRules = 1000

// RuleError lists what is wrong with rules given to Add.
type RuleError struct {
	Problems []string
}

// Error lists the problems, separated by "; ".
func (e *RuleError) Error() string { return strings.Join(e.Problems, "; ") }

// Add arms runtime rules after the ones already armed. Either every rule is
// valid and armed, or none is and the error is a *RuleError saying why; an
// id already armed is an error (delete the old rule first).
func (in *Injector) Add(fs []scenario.Fault) error {
	if len(fs) == 0 {
		return &RuleError{Problems: []string{"no rule given"}}
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	var problems []string
	current := in.armed()
	armed := map[string]bool{}
	for _, r := range current {
		armed[r.ID] = true
	}
	given := map[string]int{} // id -> index of the first rule in fs with it
	for i := range fs {
		prefix := ""
		if len(fs) > 1 {
			prefix = fmt.Sprintf("[%d] ", i)
		}
		for _, p := range scenario.CheckFault(&fs[i]) {
			problems = append(problems, prefix+p.Field+": "+p.Message)
		}
		id := fs[i].ID
		if id == "" {
			continue
		}
		first, repeated := given[id]
		switch {
		case armed[id]:
			if !repeated { // said once per id: the later copies have the same cure
				problems = append(problems, fmt.Sprintf("%sid: a rule with id %q is already armed (DELETE /__admin/faults/%s first)", prefix, id, id))
			}
		case repeated:
			problems = append(problems, fmt.Sprintf("%sid: id %q is repeated in this request (rule [%d] has it too); ids must be unique", prefix, id, first))
		}
		if !repeated {
			given[id] = i
		}
	}
	if len(current)+len(fs) > MaxRules {
		problems = append(problems, fmt.Sprintf("at most %d rules may be armed at once; %d are", MaxRules, len(current)))
	}
	if len(problems) > 0 {
		return &RuleError{Problems: problems}
	}
	rules := slices.Clone(current) // a copy: requests may be reading current
	for _, f := range fs {
		rules = append(rules, in.compile(f, SourceRuntime))
	}
	in.arm(rules)
	return nil
}

// List returns the armed rules in the order they are tried.
func (in *Injector) List() []View {
	rules := in.armed()
	out := make([]View, len(rules))
	for i, r := range rules {
		out[i] = r.view()
	}
	return out
}

// view is r as the control API shows it, its counters read under its lock.
func (r *rule) view() View {
	r.mu.Lock()
	defer r.mu.Unlock()
	return View{Fault: r.Fault, Source: r.source, Matched: r.matched, Fired: r.fired}
}

// Get returns the rule with id.
func (in *Injector) Get(id string) (View, bool) {
	for _, r := range in.armed() {
		if r.ID == id {
			return r.view(), true
		}
	}
	return View{}, false
}

// Delete disarms the rule with id and reports whether there was one.
func (in *Injector) Delete(id string) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	rules := in.armed()
	for i, r := range rules {
		if r.ID == id {
			in.arm(append(rules[:i:i], rules[i+1:]...)) // a copy: rules may be in use
			return true
		}
	}
	return false
}

// Clear disarms every rule, the scenario's too (until the next reset or
// scenario load), and returns how many there were.
func (in *Injector) Clear() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	n := len(in.armed())
	in.rules.Store(nil)
	return n
}

// Match counts the request against every rule whose api, method and path
// select it, and returns the hit of the first one that fires, or nil. Every
// matching rule counts the request and makes its draws for it, so "nth: 3"
// always means the third request that rule matched, and its nth matched
// request meets the same probability draw and delay, whatever other rules
// did with the requests before.
//
// It takes no lock while matching paths: the rules are one atomic load, and
// each matching rule's own lock is held only to count the request and draw.
func (in *Injector) Match(api, method, path string) *Hit {
	rules := in.armed()
	if hook := in.matchHook.Load(); hook != nil {
		(*hook)(path)
	}
	var hit *Hit
	for _, r := range rules {
		if !Matches(&r.Fault, api, method, path) {
			continue
		}
		if h := r.count(hit == nil); h != nil {
			hit = h
		}
	}
	return hit
}

// count counts one matched request against r and makes its draws, and
// returns r's hit when r fires for it; a request another rule already hit
// (mayFire false) is counted and drawn for, but not hit twice.
func (r *rule) count(mayFire bool) *Hit {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.matched++
	var draw float64
	if r.When.Probability != nil {
		draw = r.whenRNG.Float64()
	}
	delay := r.delay()
	if !mayFire || !Fires(r.When, r.matched, draw) || (r.When.Times > 0 && r.fired >= r.When.Times) {
		return nil
	}
	r.fired++
	return &Hit{ID: r.ID, Phase: r.Phase, Action: r.Action, Delay: delay}
}

// delay draws the pause for one matched request: fixed, or uniform in
// [min, max]. The caller holds r.mu.
func (r *rule) delay() time.Duration {
	d := r.Action.Delay
	if d == nil {
		return 0
	}
	if d.Max <= d.Min {
		return d.Min
	}
	return d.Min + time.Duration(r.waitRNG.Int64N(int64(d.Max-d.Min)+1))
}

// Interrupt cuts every current and future delay short, so that a shutdown
// finishes in-flight requests at once instead of waiting out their delays.
func (in *Injector) Interrupt() {
	in.stopOnce.Do(func() { close(in.stop) })
}
