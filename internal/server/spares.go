package server

import (
	"sync"

	"github.com/mockserver/mockserver/internal/scenario"
	"github.com/mockserver/mockserver/internal/state"
)

// templates keeps the state files seeded from the scenarios worlds were
// last created from, so that a world of a scenario already seeded in this
// process starts from a copy of that file (and only rebuilds its views):
// seeding itself, bcrypt of every seeded password and a commit of every
// row, was most of the time a creation took. A copy is the same state a
// seeding would give, but for the times stamped at seeding on rows whose
// scenario gives none (docs/decisions.md) and the bcrypt salts, which are
// the template's.
type templates struct {
	// mu guards files and order. It is a leaf, held only to look up, add
	// or drop a template, never while one is written or read.
	mu    sync.Mutex
	files map[[32]byte]state.Template // by SHA-256 of the scenario as stored (scenario.Stored)
	order [][32]byte                  // oldest first, to drop past maxTemplates
}

// maxTemplates bounds the templates kept (each is a state file's bytes,
// about half a megabyte for the default scenario).
const maxTemplates = 8

// get returns the template of the scenario key names, or nil. Templates
// are never changed once put, so the caller may read it unlocked.
func (t *templates) get(key [32]byte) state.Template {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.files[key]
}

// put keeps file as the template of key, dropping the oldest past
// maxTemplates.
func (t *templates) put(key [32]byte, file state.Template) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.files == nil {
		t.files = map[[32]byte]state.Template{}
	}
	if _, ok := t.files[key]; ok {
		return
	}
	t.files[key] = file
	t.order = append(t.order, key)
	if len(t.order) > maxTemplates {
		delete(t.files, t.order[0])
		t.order = t.order[1:]
	}
}

// spare is a world made ahead of its creation, from the template of the
// scenario last created, so that the next creation of that scenario only
// takes it: the views a world rebuilds from its file (most of all saplab's)
// and its routes cost some 8 ms, which a test suite creating a world per
// test then pays while it runs its tests, not while it waits.
type spare struct {
	key   [32]byte      // the scenario's, as templates keys it
	ready chan struct{} // closed once h or err is set
	h     *hosted
	err   error
}

// takeSpare returns the spare of the scenario key names, waiting for it if
// it is being made, or nil when there is none (or making it failed). The
// spare is the caller's from then on.
func (g *registry) takeSpare(key [32]byte) *hosted {
	g.mu.Lock()
	sp := g.spare
	if sp == nil || sp.key != key {
		g.mu.Unlock()
		return nil
	}
	g.spare = nil
	g.mu.Unlock()
	<-sp.ready
	if sp.err != nil {
		if sp.h != nil {
			_ = sp.h.close()
		}
		return nil
	}
	return sp.h
}

// refill starts making a spare of sc in the background, unless there is
// one of sc already or the server is shutting down. A spare of another
// scenario is dropped: the spare follows the scenario last created.
func (g *registry) refill(sc *scenario.Scenario, key [32]byte) {
	g.mu.Lock()
	old := g.spare
	if g.closed || old != nil && old.key == key {
		g.mu.Unlock()
		return
	}
	sp := &spare{key: key, ready: make(chan struct{})}
	g.spare = sp
	g.mu.Unlock()
	go dropSpare(old)
	go func() {
		sp.h, sp.err = g.build(sc, key)
		close(sp.ready)
	}()
}

// dropSpare closes a spare no one will take, once it is made.
func dropSpare(sp *spare) {
	if sp == nil {
		return
	}
	<-sp.ready
	if sp.h != nil {
		_ = sp.h.close()
	}
}
