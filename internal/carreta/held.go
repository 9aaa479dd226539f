package carreta

import (
	"net/http"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/clock"
)

// Held answers: a GET of the order list, an order or its history answered
// with a kept answer (view.pages) is held by its URI, which names the
// account (its api_key) and everything the answer depends on, so that the
// same request again, while the view and its pages' version stand, is one
// look-up: not the query's three reads, the key's memo and the account's
// map, the path's id and the pages' key (issue 16, the vendors' small
// reads). Over the wire a request finds those structures cold (the kernel
// and the scheduler run between two requests), so each look-up a request
// skips costs several times what it costs in process.
//
// An entry is only made from a request that went the whole way
// (authenticated, answered 200 with a kept answer) for an account with no
// address allowlist (whose answer would depend on the peer too), and counts
// only while the view is the one it was read in and its pages' version is
// the one keptAnswer read: a write to any order, a catch-up and a Load
// move one or the other. An automatic move fallen due sends the request
// the long way, so that it is applied first (catchUp). The URI held holds
// the api_key of an account, as keySums holds it: a key sent in error is
// refused and never held; Load forgets every entry.

// heldAnswer is a kept answer, the view it was read in and the version of
// that view's pages.
type heldAnswer struct {
	body    []byte
	view    *view
	version uint64
}

// heldAnswers is the held answers of one API by URI, locked on their own
// (a leaf).
type heldAnswers struct {
	mu sync.RWMutex
	m  map[string]heldAnswer
}

// maxHeld bounds the held answers (past it they start over), maxHeldURI
// the URIs held: a client cannot grow the memo without bound by asking
// for new pages or filters.
const (
	maxHeld    = 1024
	maxHeldURI = 512
)

// get is the answer held for r, a GET, while v is its view, v's pages are
// at its version and no automatic move has fallen due by now.
func (h *heldAnswers) get(r *http.Request, v *view, clk *clock.Clock) ([]byte, bool) {
	if r.Method != http.MethodGet {
		return nil, false
	}
	h.mu.RLock()
	e, ok := h.m[r.RequestURI]
	h.mu.RUnlock()
	if !ok || e.view != v || e.version != v.pages.Version() || !v.queue.Idle() && v.queue.Due(clk.Now()) {
		return nil, false
	}
	return e.body, true
}

// put holds body, read from v's pages at version, for r, a GET by acc.
func (h *heldAnswers) put(r *http.Request, acc *account, body []byte, v *view, version uint64) {
	if r.Method != http.MethodGet || len(acc.allowed) > 0 || len(r.RequestURI) > maxHeldURI || !keepAnswers.Load() {
		return
	}
	h.mu.Lock()
	if h.m == nil || len(h.m) >= maxHeld {
		h.m = make(map[string]heldAnswer)
	}
	h.m[strings.Clone(r.RequestURI)] = heldAnswer{body: body, view: v, version: version}
	h.mu.Unlock()
}

// forget drops every held answer (and with them the views they hold).
func (h *heldAnswers) forget() {
	h.mu.Lock()
	h.m = nil
	h.mu.Unlock()
}

// answerHeld writes the answer held for c's request, if any.
func (a *API) answerHeld(c echo.Context) bool {
	body, ok := a.held.get(c.Request(), a.view, a.deps.Clock)
	if ok {
		writeKept(c, body)
	}
	return ok
}
