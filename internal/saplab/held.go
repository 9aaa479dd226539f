package saplab

import (
	"sync"

	"github.com/mockserver/mockserver/internal/answercache"
	"github.com/mockserver/mockserver/internal/lifecycle"
)

// Held answers: a panel GET whose answer is a kept one (answers.go) is
// held by who asked and what they asked for, so that the same request
// again, while no write or Load has moved the answer cache on, is the
// login key's hash and one look-up: not the login cache, the view's
// employee and group checks, the path's id and the answer cache's key
// (issue 16, the vendors' small reads). Over the wire a request finds
// these structures cold (the kernel and the scheduler run between two
// requests), so each look-up a request skips costs several times what
// it costs in process.
//
// An entry is only ever made from a request that went the whole way
// (authenticated, allowed, answered 200 with a kept answer), and counts
// only while the answer cache's version is the one read before that
// request authenticated: every committed write's publish and every Load
// move it (dropCachedRows, under viewMu held exclusively), and nothing
// else changes who may log in, their permissions or any kept answer. An
// automatic move fallen due sends the request the long way, as keptAnswer
// does, so that it is applied first. What an entry holds is the SHA-256
// of the credentials (as the login cache) and the request's URI, which
// for the panel carries no credential (saplab's secrets are in bodies).

// heldKey is who asked (loginKey of the credentials as sent) and the
// request's URI as it came (path and query).
type heldKey struct {
	login [32]byte
	uri   string
}

// heldAnswer is a kept answer and the lifecycle queue of the view it was
// read in; the answer cache's version it was read at is the held answers'
// version (answercache.Cache.Put).
type heldAnswer struct {
	body    []byte
	version uint64
	queue   *lifecycle.Queue
}

// heldAnswers is the held answers of one API: an answercache.Cache under
// the answer cache's versions, so that, as the answer cache itself, it
// holds the answers of one version only (a write's publish makes every
// entry stale, and the next put drops them) and within the answer cache's
// bound in bytes (maxAnswerBytes). Bounded by count alone, the stale
// answers of up to maxHeld URIs stayed in memory until a Load. Its lock
// is the cache's own (a leaf); the zero value is ready (made on first
// use).
type heldAnswers struct {
	once sync.Once
	c    *answercache.Cache[heldKey, heldAnswer]
}

// maxHeld bounds the held answers (past it they start over) and
// maxHeldURI the URIs held: a client cannot grow the memo without bound
// by asking for new pages or filters.
const (
	maxHeld    = 1024
	maxHeldURI = 512
)

// cache is the held answers' cache, made on first use.
func (h *heldAnswers) cache() *answercache.Cache[heldKey, heldAnswer] {
	h.once.Do(func() {
		h.c = answercache.New[heldKey, heldAnswer](maxHeld, maxAnswerBytes, func(e heldAnswer) int { return len(e.body) })
	})
	return h.c
}

// get is the answer held for k while the store's answers are still at
// its version and no automatic move of its view has fallen due.
func (h *heldAnswers) get(k heldKey, s *store) ([]byte, bool) {
	e, ok := h.cache().Get(k, s.answers.Version())
	if !ok || e.queue.DueOn(s.clock) {
		return nil, false
	}
	return e.body, true
}

// put holds body for k, read at at (answersAt, before the request
// authenticated). A request with no URI (made in process, not read from a
// connection) is not held: all such requests would share one entry.
func (h *heldAnswers) put(k heldKey, body []byte, at heldAnswer) {
	if at.queue == nil || k.uri == "" || len(k.uri) > maxHeldURI {
		return
	}
	at.body = body
	h.cache().Put(k, at.version, at)
}

// forget drops every held answer.
func (h *heldAnswers) forget() { h.cache().Reset() }

// answersAt is the answer cache's version and the view's lifecycle queue,
// read together under viewMu: what an answer made after it is held with.
func (s *store) answersAt() heldAnswer {
	s.viewMu.RLock()
	defer s.viewMu.RUnlock()
	if s.v == nil {
		return heldAnswer{} // no view yet: nothing is held (put)
	}
	return heldAnswer{version: s.answers.Version(), queue: s.v.queue}
}
