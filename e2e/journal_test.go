package e2e_test

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"

	"github.com/mockserver/mockserver/internal/journal"
	"github.com/mockserver/mockserver/internal/server"
	"github.com/mockserver/mockserver/internal/servertest"
)

// TestJournal_staysBoundedThroughTheServer sends 5k requests through the
// whole handler (in-process: routing, faults, journal) and checks that the
// journal keeps exactly its bound, the newest entries, and that memory does
// not grow with the number of requests. 5k requests pass the 250-entry
// ring 20 times over, and an unbounded journal would hold the 4.5k
// measured ones (some 2.3 MB, at the 4.6 MB that 9k entries measured with
// a bound of 20k; over 400 KiB even in a ring allocated up front: all
// over the 256 KiB allowed); 100k, then 30k, then 10k, as this test once
// sent, took up to a second of the suite (ten under the race detector)
// and showed nothing more.
func TestJournal_staysBoundedThroughTheServer(t *testing.T) {
	const size, warm, total = 250, 500, 5_000
	m := servertest.Start(t, servertest.Options{Config: server.Config{JournalSize: size}, Scenario: withFaults(`
  - {id: half, api: carreta, path: /v1/profile/, when: {every: 2}, action: {status: 503, body: '{"error": "down"}'}}
`)})
	h := m.Srv.Handler()
	send := func(n int) {
		for range n {
			req := httptest.NewRequest(http.MethodGet, "/v1/profile/?api_key="+carretaKey, nil)
			h.ServeHTTP(httptest.NewRecorder(), req)
		}
	}
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	send(warm)
	before := heap()
	send(total - warm)
	after := heap()

	j := m.Srv.Journal()
	if j.Len() != size {
		t.Fatalf("the journal holds %d entries after %d requests, want its bound %d", j.Len(), total, size)
	}
	list := j.List(journal.Filter{})
	if list[0].ID != total-size+1 || list[size-1].ID != total {
		t.Fatalf("kept ids %d..%d, want the newest %d..%d", list[0].ID, list[size-1].ID, total-size+1, total)
	}
	if n := j.Count(journal.Filter{Fault: "half"}); n != size/2 {
		t.Fatalf("%d of the kept entries name the fault, want every other one: %d", n, size/2)
	}
	v, _ := m.Srv.Faults().Get("half")
	if v.Matched != total || v.Fired != total/2 {
		t.Fatalf("rule counters matched=%d fired=%d, want %d and %d", v.Matched, v.Fired, total, total/2)
	}
	// 4.5k more requests may not cost more than 256 KiB of heap (a bounded
	// journal grows by a few KiB); an unbounded one would hold 4.5k more
	// entries: over 400 KiB even in a ring allocated up front, over 2 MiB
	// in one that grows.
	if after > before+256<<10 {
		t.Fatalf("heap grew from %d to %d bytes over %d requests", before, after, total-warm)
	}
}
