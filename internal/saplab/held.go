package saplab

import (
	"sync"

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

// heldAnswer is a kept answer and the answer cache's version and the
// lifecycle queue of the view it was read in.
type heldAnswer struct {
	body    []byte
	version uint64
	queue   *lifecycle.Queue
}

// heldAnswers is the held answers of one API, locked on its own (a leaf).
type heldAnswers struct {
	mu sync.RWMutex
	m  map[heldKey]heldAnswer
}

// maxHeld bounds the held answers (past it they start over) and
// maxHeldURI the URIs held: a client cannot grow the memo without bound
// by asking for new pages or filters.
const (
	maxHeld    = 1024
	maxHeldURI = 512
)

// get is the answer held for k while the store's answers are still at
// its version and no automatic move of its view has fallen due.
func (h *heldAnswers) get(k heldKey, s *store) ([]byte, bool) {
	h.mu.RLock()
	e, ok := h.m[k]
	h.mu.RUnlock()
	if !ok || e.version != s.answers.Version() || !e.queue.Idle() && e.queue.Due(s.clock.Now()) {
		return nil, false
	}
	return e.body, true
}

// put holds body for k, read at at (answersAt, before the request
// authenticated).
func (h *heldAnswers) put(k heldKey, body []byte, at heldAnswer) {
	if at.queue == nil || len(k.uri) > maxHeldURI {
		return
	}
	at.body = body
	h.mu.Lock()
	if h.m == nil || len(h.m) >= maxHeld {
		h.m = make(map[heldKey]heldAnswer)
	}
	h.m[k] = at
	h.mu.Unlock()
}

// forget drops every held answer.
func (h *heldAnswers) forget() {
	h.mu.Lock()
	h.m = nil
	h.mu.Unlock()
}

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
