package saplab_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/mockserver/mockserver/internal/saplab"
	"github.com/mockserver/mockserver/internal/state/statetest"
)

// saplabFile is every key and value of saplab's buckets (statetest.Dump).
func saplabFile(t *testing.T, m *mock) map[string]string {
	return statetest.Dump(t, m.Srv.Store(), slices.Concat(saplab.Buckets, saplab.IndexBuckets))
}

// A generated state seeded in many commits (a few kilobytes each, where
// the 100k scale's are 32 MB) is the state one commit seeds, key for key,
// and its lists answer the same.
func TestSeed_inChunksIsTheSameState(t *testing.T) {
	m := start(t, scaleScenario(t, 300, 1500))
	whole := saplabFile(t, m)
	page := m.call("GET", "/panel/order/filter/client_group/1/per_page/50", "", owner)
	saplab.SetSeedChunk(t, 4096)
	if r := m.call("POST", "/__admin/reset", "", ""); r.Status != 200 {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
	chunked := saplabFile(t, m)
	if len(whole) < 3000 || !maps.Equal(whole, chunked) {
		for k, v := range whole {
			if chunked[k] != v {
				t.Fatalf("%d keys seeded whole, %d in chunks; first difference at %q:\n%s\nin chunks:\n%s", len(whole), len(chunked), k, v, chunked[k])
			}
		}
		t.Fatalf("%d keys seeded whole, %d in chunks", len(whole), len(chunked))
	}
	if again := m.call("GET", "/panel/order/filter/client_group/1/per_page/50", "", owner); again.Status != 200 || string(again.Body) != string(page.Body) {
		t.Fatalf("the list after the chunked seed:\n%s\nwant\n%s", again.Body, page.Body)
	}
}
