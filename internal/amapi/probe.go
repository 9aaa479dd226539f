package amapi

import "github.com/mockserver/mockserver/internal/answercache"

// The probe cache (store.probes, an answercache.Cache) keeps what GET
// api/test answered, the service flags and whether a bearer signed
// someone in, between amapi's writes, keyed by the bearer ("" for none):
// clients poll the probe, and each poll otherwise opened a read
// transaction and decoded the flags, the token and its user from JSON
// (issue 16: the probe ran at 0.57x of a server replaying its bytes).
//
// Its version counts amapi's writes: every use case that writes bumps it
// once its transaction has returned (store.batch, store.update), and Load
// bumps it after a reset or a scenario load. A probe reads the version
// before its read transaction and keeps its answer under it. Nothing else
// writes amapi's buckets.

// probe is one kept answer of GET api/test.
type probe struct {
	flags serviceFlags
	auth  bool // the bearer signs someone in
}

// maxProbes bounds the bearers kept; past it the cache starts over.
const maxProbes = 1024

func newProbeCache() *answercache.Cache[string, probe] {
	return answercache.New[string, probe](maxProbes, 0, nil)
}
