package saplab_test

import (
	"maps"
	"slices"
	"strings"
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

// The column records and the ledger index the seeding writes itself (its
// own keys, no look-up before a put) are those the upgrade of a file
// without them writes from the rows, key for key.
func TestSeed_columnsAreThoseOfTheRows(t *testing.T) {
	m := start(t, scaleScenario(t, 300, 1500))
	seeded := saplabFile(t, m)
	if err := saplab.RewriteColumns(m.Srv.Store().Part("saplab")); err != nil {
		t.Fatal(err)
	}
	rewritten := saplabFile(t, m)
	n := 0
	for k := range seeded {
		if strings.HasPrefix(k, "saplab.index/") {
			n++
		}
	}
	if n < 3000 || !maps.Equal(seeded, rewritten) {
		for k, v := range seeded {
			if rewritten[k] != v {
				t.Fatalf("%d index keys seeded; first difference at %q:\nseeded    %q\nrewritten %q", n, k, v, rewritten[k])
			}
		}
		t.Fatalf("%d keys seeded, %d rewritten (%d index keys)", len(seeded), len(rewritten), n)
	}
}

// A generated state seeded with the writer on a goroutine of its own is
// the state the seeder writes itself, key for key (seedwriter.go).
func TestSeed_writerGoroutineIsTheSameState(t *testing.T) {
	m := start(t, scaleScenario(t, 300, 1500)) // 1,800 generated rows: the writer's goroutine
	async := saplabFile(t, m)
	saplab.SetAsyncSeedRows(t, 1<<30)
	saplab.SetSeedChunk(t, 4096) // and commits between the puts
	if r := m.call("POST", "/__admin/reset", "", ""); r.Status != 200 {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
	saplab.SetAsyncSeedRows(t, 0)
	again := saplabFile(t, m)
	if r := m.call("POST", "/__admin/reset", "", ""); r.Status != 200 {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
	chunkedAsync := saplabFile(t, m)
	if len(async) < 3000 || !maps.Equal(async, again) || !maps.Equal(async, chunkedAsync) {
		t.Fatalf("%d keys seeded by the writer's goroutine, %d by the seeder, %d by the goroutine in chunks", len(async), len(again), len(chunkedAsync))
	}
}
