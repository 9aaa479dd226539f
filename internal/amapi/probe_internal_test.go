package amapi

import (
	"crypto/sha256"
	"testing"
)

// TestProbeKey: the probe cache holds a bearer's SHA-256, never the bearer
// (issue 14): a token sent to GET /api/test, one that signs no one in
// included, does not outlive its request in the cache's keys; no bearer is
// the zero key, and two bearers are two keys.
func TestProbeKey(t *testing.T) {
	// not parallel: AllocsPerRun
	const token = "1|NotATokenOfThisServerNotATokenOfThisServ"
	if got, want := probeKey(token), sha256.Sum256([]byte(token)); got != want {
		t.Errorf("probeKey(%q) = %x, want its SHA-256 %x", token, got, want)
	}
	if probeKey("") != ([32]byte{}) {
		t.Errorf("no bearer is not the zero key")
	}
	if probeKey(token) == probeKey(token+"x") {
		t.Errorf("two bearers share a key")
	}
	if n := testing.AllocsPerRun(100, func() { probeKey(token) }); n != 0 {
		t.Errorf("probeKey allocates %v times", n)
	}
}
