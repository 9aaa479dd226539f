package carreta

import (
	"net/http"
	"sync"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/answercache"
	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/seal"
)

// Held answers: a GET of the order list, an order or its history answered
// with a kept answer (view.pages) is held by its URI (its hash), which names the
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
// the long way, so that it is applied first (catchUp). What is held of
// the URI is its SHA-256 (heldKey), not the api_key it carries; Load
// forgets every entry.

// heldAnswer is a kept answer and the view it was read in; the version
// of that view's pages it was read at is the held answers' version
// (answercache.Cache.Put).
type heldAnswer struct {
	body []byte
	view *view
}

// heldAnswers is the held answers of one API by the SHA-256 of the URI
// (heldKey): an answercache.Cache under the versions of the view's pages,
// so that, as the pages themselves, it holds the answers of one version
// only (a write makes every entry stale, and the next put drops them) and
// within the pages' bound in bytes (pageCacheMax). Bounded by count
// alone, the stale answers of up to maxHeld URIs stayed in memory until a
// Load. Its lock is the cache's own (a leaf); the zero value is ready
// (made on first use).
type heldAnswers struct {
	once sync.Once
	c    *answercache.Cache[[32]byte, heldAnswer]
}

// maxHeld bounds the held answers (past it they start over), maxHeldURI
// the URIs held: a client cannot grow the memo without bound by asking
// for new pages or filters.
const (
	maxHeld    = 1024
	maxHeldURI = 512
)

// cache is the held answers' cache, made on first use.
func (h *heldAnswers) cache() *answercache.Cache[[32]byte, heldAnswer] {
	h.once.Do(func() {
		h.c = answercache.New[[32]byte, heldAnswer](maxHeld, pageCacheMax, func(e heldAnswer) int { return len(e.body) })
	})
	return h.c
}

// heldKey is what the held answers keep of r's URI: its SHA-256, not the
// URI, which carries the api_key (issue 14: no credential outlives its
// request where a hash will do; a URI may name the key twice, and the
// first, which authenticate does not read, may name no account). false
// for a request that is not held: not a GET, with a URI too long, or with
// none (a request made in process, not read from a connection).
func heldKey(r *http.Request) ([32]byte, bool) {
	if r.Method != http.MethodGet || r.RequestURI == "" || len(r.RequestURI) > maxHeldURI {
		return [32]byte{}, false
	}
	return seal.Sum(r.RequestURI), true
}

// get is the answer held for r, a GET, while v is its view, v's pages are
// at its version and no automatic move has fallen due by now.
func (h *heldAnswers) get(r *http.Request, v *view, clk *clock.Clock) ([]byte, bool) {
	k, ok := heldKey(r)
	if !ok {
		return nil, false
	}
	e, ok := h.cache().Get(k, v.pages.Version())
	if !ok || e.view != v || v.queue.DueOn(clk) {
		return nil, false
	}
	return e.body, true
}

// put holds body, read from v's pages at version, for r, a GET by acc;
// keptAnswer calls it only while answers are kept (keepAnswers).
func (h *heldAnswers) put(r *http.Request, acc *account, body []byte, v *view, version uint64) {
	k, ok := heldKey(r)
	if !ok || len(acc.allowed) > 0 {
		return
	}
	h.cache().Put(k, version, heldAnswer{body: body, view: v})
}

// forget drops every held answer (and with them the views they hold); the
// next view's pages start their versions again.
func (h *heldAnswers) forget() { h.cache().Reset() }

// answerHeld writes the answer held for c's request, if any.
func (a *API) answerHeld(c echo.Context) bool {
	body, ok := a.held.get(c.Request(), a.view, a.deps.Clock)
	if ok {
		writeKept(c, body)
	}
	return ok
}
