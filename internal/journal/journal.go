// Package journal keeps the last N requests in memory for verification:
// GET /__admin/requests lists them, /count counts them, /wait blocks until
// enough have arrived. It is a bounded ring under one mutex, written once
// per request after the response; no disk, so it stays off the hot path.
// The ring grows to its bound as requests arrive.
package journal

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/mockserver/mockserver/internal/pathglob"
)

// DefaultSize is how many requests are kept unless configured (SPEC §8).
const DefaultSize = 10_000

// MaxBody is how much of a request body an entry keeps (SPEC §8).
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
	Status        int                 `json:"status"`
	DurationMS    float64             `json:"duration_ms"`
	Fault         string              `json:"fault,omitempty"`
	// ContractViolations lists how the request departs from its API's
	// OpenAPI document; only a server started with --contract-check looks.
	ContractViolations []Violation `json:"contract_violations,omitempty"`
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

// Redact returns h with the credentials replaced, keeping the scheme
// ("Bearer [redacted]") so a test can still see which auth was sent. h itself
// is never changed; without credentials it is returned as is, uncopied (a
// request's header map is not written after its handler returns), which keeps
// the journal cheap on the hot path.
func Redact(h http.Header) map[string][]string {
	found := false
	for _, k := range credentialHeaders {
		if _, ok := h[k]; ok {
			found = true
		}
	}
	if !found {
		return h
	}
	out := make(map[string][]string, len(h))
	for k, vs := range h {
		if k == "Authorization" || k == "Proxy-Authorization" || k == "Cookie" {
			red := make([]string, len(vs))
			for i, v := range vs {
				if scheme, _, ok := strings.Cut(v, " "); ok {
					red[i] = scheme + " " + Redacted
				} else {
					red[i] = Redacted
				}
			}
			out[k] = red
			continue
		}
		out[k] = append([]string(nil), vs...)
	}
	return out
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

// Journal is the bounded ring of entries.
type Journal struct {
	// mu guards the ring and everything below it up to stop. Add takes it
	// once per request, after the response (the server's observe
	// middleware); List, Count, Len, Clear and Wait take it from the control
	// API. It is held only to copy or count entries, never while waiting:
	// Wait sleeps on changed with mu released, so a pending wait never
	// holds up a request. It is a leaf: no other lock is taken while it is
	// held.
	mu      sync.Mutex
	ring    []Entry // grows up to size, then wraps
	size    int
	start   int // index of the oldest entry
	n       int // entries held
	nextID  uint64
	changed chan struct{} // closed and replaced on every Add and Clear
	waiting int           // Waits in progress

	stop     chan struct{} // closed by Interrupt
	stopOnce sync.Once     // closes stop once, however often Interrupt is called
}

// New returns a journal keeping at most size entries (DefaultSize if <= 0).
func New(size int) *Journal {
	if size <= 0 {
		size = DefaultSize
	}
	// The ring grows as requests come rather than being made whole here:
	// a full ring of the default size is some 2 MB, and a server holds a
	// journal per world, most of which see a few hundred requests.
	return &Journal{size: size, changed: make(chan struct{}), stop: make(chan struct{})}
}

// Add records e, dropping the oldest entry when full, and wakes waiters.
// It assigns e.ID.
func (j *Journal) Add(e Entry) {
	j.mu.Lock()
	j.nextID++
	e.ID = j.nextID
	if j.n < j.size {
		j.ring = append(j.ring, e) // not full yet: start is 0 and the ring is the n entries
		j.n++
	} else {
		j.ring[j.start] = e
		j.start = (j.start + 1) % len(j.ring)
	}
	close(j.changed)
	j.changed = make(chan struct{})
	j.mu.Unlock()
	j.publish(&e) // live subscribers (subscribe.go); never blocks
}

// List returns the matching entries, oldest first.
func (j *Journal) List(f Filter) []Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := []Entry{}
	for i := 0; i < j.n; i++ {
		e := &j.ring[(j.start+i)%len(j.ring)]
		if f.Match(e) {
			out = append(out, *e)
		}
	}
	return out
}

// Count returns how many held entries match.
func (j *Journal) Count(f Filter) int {
	n, _ := j.count(f)
	return n
}

// count is Count, plus the channel that is closed on the next change, read
// under the same lock, so a Wait cannot miss an Add between the two.
func (j *Journal) count(f Filter) (int, <-chan struct{}) {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := 0
	for i := 0; i < j.n; i++ {
		if f.Match(&j.ring[(j.start+i)%len(j.ring)]) {
			n++
		}
	}
	return n, j.changed
}

// Len is how many entries are held (at most the size given to New).
func (j *Journal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.n
}

// Clear drops every entry. Ids keep increasing, so a Since taken before
// Clear still works.
func (j *Journal) Clear() {
	j.mu.Lock()
	j.start, j.n = 0, 0
	j.ring = nil
	close(j.changed)
	j.changed = make(chan struct{})
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
