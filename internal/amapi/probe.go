package amapi

import (
	"sync"
	"sync/atomic"
)

// probeCache keeps what GET api/test answered, the service flags and which
// bearers signed someone in, between amapi's writes: clients poll the
// probe, and each poll otherwise opened a read transaction and decoded the
// flags, the token and its user from JSON (issue 16: the probe ran at
// 0.57x of a server replaying its bytes).
//
// gen counts amapi's writes: every use case that writes bumps it once its
// transaction has returned (store.batch, store.update), and Load bumps it
// after a reset or a scenario load. A probe reads gen before its read
// transaction and keeps its answer under that gen, so an answer is only
// given while no write has returned since the transaction that made it
// began; an answer made from a commit whose bump has not happened yet is
// the newer one, which a reader may see. Nothing else writes amapi's
// buckets.
type probeCache struct {
	gen atomic.Uint64

	mu    sync.Mutex // guards the fields below; leaf
	at    uint64     // the gen the kept answers belong to
	known bool       // flags holds the flags of gen at
	flags serviceFlags
	auth  map[string]bool // bearer -> whether it signs someone in
}

// maxProbes bounds the bearers kept; past it the cache starts over.
const maxProbes = 1024

func newProbeCache() *probeCache { return &probeCache{auth: map[string]bool{}} }

// changed marks a write to amapi's state: every kept answer is stale.
func (p *probeCache) changed() { p.gen.Add(1) }

// get is the kept answer for bearer ("" for none) at gen g.
func (p *probeCache) get(g uint64, bearer string) (serviceFlags, bool, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.at != g || !p.known {
		return serviceFlags{}, false, false
	}
	if bearer == "" {
		return p.flags, false, true
	}
	auth, ok := p.auth[bearer]
	return p.flags, auth, ok
}

// put keeps an answer made by a transaction begun at gen g, unless a
// newer gen's answers are kept already.
func (p *probeCache) put(g uint64, bearer string, flags serviceFlags, auth bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case g < p.at:
		return
	case g > p.at || len(p.auth) >= maxProbes:
		p.at, p.auth = g, map[string]bool{}
	}
	p.flags, p.known = flags, true
	if bearer != "" {
		p.auth[bearer] = auth
	}
}
