package amapi

import (
	"github.com/mockserver/mockserver/internal/answercache"
	"github.com/mockserver/mockserver/internal/seal"
)

// The probe cache (store.probes, an answercache.Cache) keeps what GET
// api/test answered, the service flags and whether a bearer signed
// someone in, between amapi's writes, keyed by the bearer's SHA-256
// (probeKey; the zero key for none):
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

func newProbeCache() *answercache.Cache[[32]byte, probe] {
	return answercache.New[[32]byte, probe](maxProbes, 0, nil)
}

// probeKey is the probe cache's key of a bearer: its SHA-256, the zero key
// for none. The cache was keyed by the bearer itself, so a token a client
// sent (one that signs no one in included: another system's, sent in
// error) stayed in process memory until a write or 1,024 other bearers,
// where issue 14 wants no credential to outlive its request; its hash is
// what the state stores of a token anyway. The hash costs a probe with a
// token about a tenth of a microsecond; one without costs nothing more.
func probeKey(bearer string) [32]byte {
	if bearer == "" {
		return [32]byte{}
	}
	return seal.Sum(bearer)
}
