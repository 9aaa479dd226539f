// Package journal keeps the last N requests in memory for verification:
// GET /__admin/requests lists them, /count counts them, /wait blocks until
// enough have arrived. It is a bounded queue under one mutex, written once
// per request after the response; no disk, so it stays off the hot path.
//
// It is bounded twice: by a count of entries and by a byte budget
// (bound.go), since a client chooses how large its paths, headers and
// bodies are. Each part of an entry is cut to a bound of its own with a
// marker, and the oldest entries go when either bound is passed. Entries
// are immutable once added: readers take a copy of the pointers under the
// lock and filter and encode them without it.
package journal

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mockserver/mockserver/internal/pathglob"
	"github.com/mockserver/mockserver/internal/redact"
)

// DefaultSize is how many requests are kept unless configured (SPEC §8).
const DefaultSize = 10_000

// MaxBody is how much of a request body, and of an answer's, an entry
// keeps (SPEC §8).
const MaxBody = 64 << 10

// Entry is one recorded request.
type Entry struct {
	ID            uint64              `json:"id"`
	Time          time.Time           `json:"time"`
	API           string              `json:"api"`
	Method        string              `json:"method"`
	Path          string              `json:"path"`
	Query         string              `json:"query"`
	Remote        string              `json:"remote"`
	Headers       map[string][]string `json:"headers"`
	Body          string              `json:"body"`
	BodyTruncated bool                `json:"body_truncated,omitempty"`
	// Truncated names the parts of the request cut to fit the journal's
	// per-part bounds (bound.go): "method", "path", "query", "remote",
	// "headers", "contract_violations", "response_body". A cut string ends
	// in the marker TruncatedMark; the request's body has body_truncated
	// instead, as before.
	Truncated  []string `json:"truncated,omitempty"`
	Status     int      `json:"status"`
	DurationMS float64  `json:"duration_ms"`
	Fault      string   `json:"fault,omitempty"`
	// ContractViolations lists how the request departs from its API's
	// OpenAPI document; only a server started with --contract-check looks.
	ContractViolations []Violation `json:"contract_violations,omitempty"`
	// ResponseBody is the body the client got (a fault's included), up to
	// MaxBody bytes; past it, cut on a character boundary with
	// TruncatedMark and named in Truncated. Credentials in it are
	// redacted as in the request (api.Secrets.Answer). It is last, so
	// the bytes of every field before it are what they were before the
	// journal kept answers.
	ResponseBody string `json:"response_body"`
	// ResponseSize is how long the answer was, when ResponseBody holds
	// only its beginning: the recorder keeps at most MaxBody bytes and
	// the journal cuts and marks them (bound.go). 0 means ResponseBody
	// is the whole answer.
	ResponseSize int `json:"-"`

	bytes int64 // what the entry counts against the budget (bound.go)
}

// Violation is one way a request departs from its API's OpenAPI document
// (SPEC §13): where in the document, as a JSON pointer down to the schema
// keyword, and what is wrong.
type Violation struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// Redacted is what replaces credentials in recorded headers.
const Redacted = "[redacted]"

// credentialHeaders are replaced by Redacted in recorded entries.
var credentialHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie"}

// Redact returns h with the credentials replaced, in one pass over its
// headers: the credential headers' values (an Authorization's scheme kept,
// "Bearer [redacted]", so a test can still see which auth was sent:
// scheme), and urlSecrets (the APIs' query secrets) in every other value
// that is a URL (redactURLs). h itself is never changed; with nothing to
// replace it is returned as is, uncopied (a request's header map is not
// written after its handler returns), which keeps the journal cheap on the
// hot path. Otherwise the map is one clone (maps.Clone copies the table
// whole, no insert per header) whose other headers' values are shared with
// h, for the same reason, and a redacted value of a usual form (one value,
// scheme Basic or Bearer, or none) is one shared slice: entries never
// change, so every saplab request and amapi's with a token no longer makes
// a slice and a string for it (issue 16).
//
// Headers that are the same in every entry that has them share one map
// too: none at all (net/http takes Host out, and a client such as wrk
// sends nothing else), and an Authorization alone in a usual form. A
// request's own map holds a table of eight slots however few its
// headers, and the journal's 10,000 held entries kept a third of the
// live heap in them under bench/run.sh reads (issue 16, the collector's
// marking).
func Redact(h http.Header, urlSecrets []string) map[string][]string {
	if h != nil && len(h) == 0 {
		return noHeaders
	}
	var out map[string][]string
	for k, vs := range h {
		var red []string
		if slices.Contains(credentialHeaders, k) {
			red = redactValues(k, vs)
		} else {
			red = redactURLs(vs, urlSecrets)
		}
		if red == nil {
			continue
		}
		if shared := soleAuthorization(h, k, red); shared != nil {
			return shared
		}
		if out == nil {
			out = maps.Clone(h)
		}
		out[k] = red
	}
	if out == nil {
		return h
	}
	return out
}

// Header maps shared by every entry whose request's headers they are
// (Redact); never changed, as no entry's headers are.
var (
	noHeaders      = map[string][]string{}
	onlyAuthBare   = map[string][]string{"Authorization": redactedBare}
	onlyAuthBasic  = map[string][]string{"Authorization": redactedBasic}
	onlyAuthBearer = map[string][]string{"Authorization": redactedBearer}
)

// soleAuthorization is the shared map of h when its only header is an
// Authorization, k, redacted to red, one of the usual forms; else nil.
func soleAuthorization(h http.Header, k string, red []string) map[string][]string {
	if len(h) != 1 || k != "Authorization" || len(red) != 1 {
		return nil
	}
	switch &red[0] {
	case &redactedBare[0]:
		return onlyAuthBare
	case &redactedBasic[0]:
		return onlyAuthBasic
	case &redactedBearer[0]:
		return onlyAuthBearer
	}
	return nil
}

// redactURLs is vs with urlSecrets redacted in each value that is a URL
// with a query or a fragment (redact.URL), or nil when no value holds one:
// a browser sends the page it came from as the Referer, a proxy in front
// of the mock passes the request's URI on (X-Forwarded-Uri,
// X-Original-URL), and a carreta URL carries its api_key there. Only a
// value with a "?" or "#" is read.
func redactURLs(vs []string, urlSecrets []string) []string {
	if len(urlSecrets) == 0 {
		return nil
	}
	var red []string
	for i, v := range vs {
		if !redact.HasQueryOrFragment(v) {
			continue
		}
		r := redact.URL(v, urlSecrets)
		if r == v {
			continue
		}
		if red == nil {
			red = slices.Clone(vs)
		}
		red[i] = r
	}
	return red
}

// Redacted values of the usual forms, shared by every entry that has them
// (Redact); never changed, as no entry's headers are.
var (
	redactedBare   = []string{Redacted}
	redactedBasic  = []string{"Basic " + Redacted}
	redactedBearer = []string{"Bearer " + Redacted}
)

// redactValues is vs, the values of header k, with each value's credential
// replaced by Redacted after its scheme, if it has one (scheme).
func redactValues(k string, vs []string) []string {
	if len(vs) == 1 {
		switch s, ok := scheme(k, vs[0]); {
		case !ok:
			return redactedBare
		case s == "Basic":
			return redactedBasic
		case s == "Bearer":
			return redactedBearer
		}
	}
	red := make([]string, len(vs))
	for i, v := range vs {
		if s, ok := scheme(k, v); ok {
			red[i] = s + " " + Redacted
		} else {
			red[i] = Redacted
		}
	}
	return red
}

// scheme is the scheme that v, a value of header k, names before its
// credential, if it names one. Only an Authorization's or a
// Proxy-Authorization's first word followed by a space can be a scheme,
// and only when it is a token (RFC 9110 §11.1: auth-scheme = token): a
// Cookie has none ("session=s3cret; theme=dark" once kept
// "session=s3cret;" as its scheme), nor has a value like
// "api_key=s3cret; x", whose first word is no token.
func scheme(k, v string) (string, bool) {
	if k == "Cookie" {
		return "", false
	}
	s, _, ok := strings.Cut(v, " ")
	return s, ok && strings.IndexFunc(s, notTokenChar) < 0
}

// notTokenChar reports whether r may not be in an HTTP token (RFC 9110
// §5.6.2: tchar).
func notTokenChar(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return false
	}
	return !strings.ContainsRune("!#$%&'*+-.^_`|~", r)
}

// Filter selects entries; empty fields match everything. Path is exact or a
// glob (pathglob). Fault is the id of the fault rule that hit the request.
// Since keeps entries with a larger id, or (SinceTime) a later time.
// Violations keeps only requests that did not conform to their document.
type Filter struct {
	API        string
	Method     string
	Path       string
	Fault      string
	Since      uint64
	SinceTime  time.Time
	Violations bool
}

// Match reports whether e passes the filter.
func (f Filter) Match(e *Entry) bool {
	return (f.API == "" || f.API == e.API) &&
		(f.Method == "" || strings.EqualFold(f.Method, e.Method)) &&
		(f.Path == "" || pathglob.Match(f.Path, e.Path)) &&
		(f.Fault == "" || f.Fault == e.Fault) &&
		e.ID > f.Since &&
		(f.SinceTime.IsZero() || e.Time.After(f.SinceTime)) &&
		(!f.Violations || len(e.ContractViolations) > 0)
}

// Journal is the bounded queue of entries.
type Journal struct {
	// mu guards the queue and everything below it up to stop. Add takes it
	// once per request, after the response (the server's observe
	// middleware); List, Each, Count, Len, Clear and Wait take it from the
	// control API. It is held only to append, evict, copy the entries'
	// pointers or count, never while entries are filtered (a glob against
	// long paths), encoded or waited for: Wait sleeps on changed with mu
	// released, so a pending wait never holds up a request. It is a leaf:
	// no other lock is taken while it is held.
	mu      sync.Mutex
	entries []*Entry // entries[head:] are held, oldest first; each is never changed once added
	// sizes[i] is entries[i].bytes, kept beside the pointers: evicting the
	// oldest entry then reads what it counted from this dense slice, not
	// from the entry itself, which was added 10,000 requests ago and is
	// out of every cache (a miss on each request, 5% of Add's caller in
	// process; issue 16).
	sizes   []int64
	head    int
	size    int   // most entries held
	budget  int64 // most bytes held (Entry.bytes summed)
	bytes   int64 // bytes held
	nextID  uint64
	changed chan struct{} // closed on every Add and Clear; nil until a snapshot asks for it (wake)
	waiting int           // Waits in progress

	stop     chan struct{} // closed by Interrupt
	stopOnce sync.Once     // closes stop once, however often Interrupt is called

	subBuffer atomic.Int64 // SetSubscriberBuffer's size; 0: SubscriberBuffer
	// subs is the live subscriptions (subscribe.go), nil while none is
	// open: set by the first Subscribe and cleared by the last Close.
	// Every request's Add asks (publish), and a process-wide sync.Map
	// keyed by journal cost a hash and a look-up each time (issue 16).
	subs atomic.Pointer[subscribers]
}

// New returns a journal keeping at most size entries (DefaultSize if <= 0)
// within the default byte budget, DefaultBytes.
func New(size int) *Journal { return NewBudget(size, DefaultBytes) }

// NewBudget returns a journal keeping at most size entries (DefaultSize if
// <= 0) and at most budget bytes of them (DefaultBytes if <= 0), as
// bound.go counts them. The queue grows as requests come rather than being
// made whole here: a server holds a journal per world, most of which see a
// few hundred requests.
func NewBudget(size int, budget int64) *Journal {
	if size <= 0 {
		size = DefaultSize
	}
	if budget <= 0 {
		budget = DefaultBytes
	}
	return &Journal{size: size, budget: budget, stop: make(chan struct{})}
}

// Add records e, dropping the oldest entries while more than the journal's
// size or budget are held (never e itself), and wakes waiters. It assigns
// e.ID. It is the one place an entry enters the journal.
func (j *Journal) Add(e Entry) { j.AddOwned(&e) }

// AddOwned is Add of an entry the caller made for the journal and hands
// over: p itself is cut, numbered and held, so the caller must not use it
// after. The server's entry per request goes this way, made once on the
// heap, not copied into Add and again into its bounded copy (two copies of
// a quarter kilobyte each; issue 16).
func (j *Journal) AddOwned(p *Entry) {
	bound(p) // cut and sized before the lock: it is per request work
	j.mu.Lock()
	j.nextID++
	p.ID = j.nextID
	j.entries, j.sizes = append(j.entries, p), append(j.sizes, p.bytes)
	j.bytes += p.bytes
	for held := len(j.entries) - j.head; held > j.size || (j.bytes > j.budget && held > 1); held-- {
		j.bytes -= j.sizes[j.head]
		j.entries[j.head] = nil // the entry's memory goes with its last reader
		j.head++
	}
	if j.head > 64 && j.head >= len(j.entries)/2 {
		// Move the held entries down so the slice does not grow forever;
		// amortised, each entry moves a constant number of times.
		n := copy(j.entries, j.entries[j.head:])
		copy(j.sizes, j.sizes[j.head:])
		clear(j.entries[n:])
		j.entries, j.sizes, j.head = j.entries[:n], j.sizes[:n], 0
	}
	j.wake()
	j.mu.Unlock()
	j.publish(p) // live subscribers (subscribe.go): the entry as held, id and cuts included; never blocks
}

// snapshot is the held entries, oldest first, and the channel closed on
// the next change, read under one lock. The entries are shared and must
// not be changed; the slice is the caller's.
func (j *Journal) snapshot() ([]*Entry, <-chan struct{}) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.changed == nil {
		j.changed = make(chan struct{})
	}
	return slices.Clone(j.entries[j.head:]), j.changed
}

// wake closes the channel snapshots handed out, if any; the next snapshot
// makes a new one. Made only when asked for, not on every Add: a request
// then allocates no channel while no one lists or waits (issue 16). The
// caller holds mu.
func (j *Journal) wake() {
	if j.changed != nil {
		close(j.changed)
		j.changed = nil
	}
}

// List returns the matching entries, oldest first.
func (j *Journal) List(f Filter) []Entry {
	out := []Entry{}
	_ = j.Each(f, func(e *Entry) error {
		out = append(out, *e)
		return nil
	})
	return out
}

// Each calls fn with every matching entry, oldest first, until fn returns
// an error, which Each returns. It holds the lock only to find the next
// entry, never while it filters or fn runs, so a listing streamed to a
// slow client holds up no request. It visits the entries held when it
// started that are still held when it comes to them: one evicted
// meanwhile is skipped, not kept alive by the listing, so listings, however
// slow and however many, hold at most one entry each beyond the budget (a
// copy of the held entries, as Each took before, kept a whole budget alive
// per listing while new requests filled another). fn must not change the
// entry.
func (j *Journal) Each(f Filter, fn func(*Entry) error) error {
	last := j.lastID()
	for after := uint64(0); ; {
		e := j.next(after, last)
		if e == nil {
			return nil
		}
		after = e.ID
		if f.Match(e) {
			if err := fn(e); err != nil {
				return err
			}
		}
	}
}

// lastID is the id of the newest entry added so far.
func (j *Journal) lastID() uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.nextID
}

// next is the oldest held entry whose id is after after and at most upto,
// or nil. Held entries are in id order.
func (j *Journal) next(after, upto uint64) *Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	held := j.entries[j.head:]
	i, _ := slices.BinarySearchFunc(held, after+1, func(e *Entry, id uint64) int { return cmp.Compare(e.ID, id) })
	if i == len(held) || held[i].ID > upto {
		return nil
	}
	return held[i]
}

// Count returns how many held entries match.
func (j *Journal) Count(f Filter) int {
	n, _ := j.count(f)
	return n
}

// count is Count, plus the channel that is closed on the next change, read
// under the same lock as the entries counted, so a Wait cannot miss an Add
// between the two. The filter runs after the lock is released.
func (j *Journal) count(f Filter) (int, <-chan struct{}) {
	entries, changed := j.snapshot()
	n := 0
	for _, e := range entries {
		if f.Match(e) {
			n++
		}
	}
	return n, changed
}

// Len is how many entries are held (at most the size given to New).
func (j *Journal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.entries) - j.head
}

// Bytes is how many bytes the held entries count against the budget.
func (j *Journal) Bytes() int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.bytes
}

// Clear drops every entry: their memory is free once no listing in
// progress still holds them. Ids keep increasing, so a Since taken before
// Clear still works.
func (j *Journal) Clear() {
	j.mu.Lock()
	j.entries, j.sizes, j.head, j.bytes = nil, nil, 0, 0
	j.wake()
	j.mu.Unlock()
}

// ErrInterrupted is what Wait returns once Interrupt has been called.
var ErrInterrupted = errors.New("the journal was interrupted: the server is shutting down")

// Wait blocks until at least n entries match f, ctx ends, or Interrupt is
// called. It returns the count matching then, and nil when it reached n,
// ctx's error, or ErrInterrupted.
func (j *Journal) Wait(ctx context.Context, f Filter, n int) (int, error) {
	j.mu.Lock()
	j.waiting++
	j.mu.Unlock()
	defer func() {
		j.mu.Lock()
		j.waiting--
		j.mu.Unlock()
	}()
	for {
		got, changed := j.count(f)
		if got >= n {
			return got, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return j.Count(f), ctx.Err()
		case <-j.stop:
			return j.Count(f), ErrInterrupted
		}
	}
}

// Interrupt ends every current and future Wait that has not reached its
// count, so a shutdown does not wait for a test's pending wait (up to a
// minute) before it can finish.
func (j *Journal) Interrupt() {
	j.stopOnce.Do(func() { close(j.stop) })
}

// Waiting is how many Waits are in progress: what a test of shutdown waits
// for before it stops the server, instead of sleeping.
func (j *Journal) Waiting() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.waiting
}
