package fault_test

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"

	"github.com/mockserver/mockserver/internal/journal"
	"github.com/mockserver/mockserver/internal/scenario"
	"github.com/mockserver/mockserver/internal/server"
	"github.com/mockserver/mockserver/internal/servertest"
)

// TestJournal_staysBoundedThroughTheServer sends 100k requests through the
// whole handler (in-process: routing, faults, journal) and checks that the
// journal keeps exactly its bound, the newest entries, and that memory does
// not grow with the number of requests.
func TestJournal_staysBoundedThroughTheServer(t *testing.T) {
	const size, total = 500, 100_000
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
	send(10_000)
	before := heap()
	send(total - 10_000)
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
	// 90k more requests may not cost more than a few hundred KiB of heap;
	// an unbounded journal would hold ~90k entries (tens of MiB).
	if after > before+2<<20 {
		t.Fatalf("heap grew from %d to %d bytes over 90k requests", before, after)
	}
}

// TestFlakyScenario checks that the shipped flaky scenario shows every
// action and every when form, on real endpoints of each API.
func TestFlakyScenario(t *testing.T) {
	sc, err := scenario.LoadNamed("", "flaky")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]map[string]bool{"amapi": {}, "carreta": {}, "saplab": {}}
	all, whens := map[string]bool{}, map[string]bool{}
	for _, f := range sc.Faults {
		a, w := f.Action, f.When
		for name, set := range map[string]bool{
			"status": a.Status != 0, "body": a.Body != nil, "headers": len(a.Headers) > 0,
			"delay": a.Delay != nil && a.Delay.Min == a.Delay.Max, "delay range": a.Delay != nil && a.Delay.Min != a.Delay.Max,
			"drop": a.Drop, "truncate": a.Truncate, "phase after": f.Phase == "after", "phase before": f.Phase != "after",
		} {
			if set {
				seen[f.API][name] = true
				all[name] = true
			}
		}
		for name, set := range map[string]bool{"nth": w.Nth > 0, "every": w.Every > 0, "after": w.After > 0, "probability": w.Probability != nil, "times": w.Times > 0} {
			whens[name] = whens[name] || set
		}
	}
	for _, api := range []string{"amapi", "carreta", "saplab"} {
		for _, need := range []string{"status", "body", "headers", "phase before", "phase after"} {
			if !seen[api][need] {
				t.Errorf("flaky has no %s fault on %s", need, api)
			}
		}
		if !seen[api]["delay"] && !seen[api]["delay range"] {
			t.Errorf("flaky slows no %s request down", api)
		}
		if !seen[api]["drop"] && !seen[api]["truncate"] {
			t.Errorf("flaky breaks no %s connection", api)
		}
	}
	for _, need := range []string{"status", "body", "headers", "delay", "delay range", "drop", "truncate", "phase after", "phase before"} {
		if !all[need] {
			t.Errorf("flaky shows no %s", need)
		}
	}
	for _, need := range []string{"nth", "every", "after", "probability", "times"} {
		if !whens[need] {
			t.Errorf("flaky uses no when %s", need)
		}
	}
	m := servertest.Start(t, servertest.Options{Scenario: "flaky"})
	if n := len(m.Srv.Faults().List()); n != len(sc.Faults) {
		t.Fatalf("serving flaky armed %d rules, want %d", n, len(sc.Faults))
	}
	// carreta's body fault, on the wire: every sixth order list is a 429
	// whose body is byte for byte the rule's.
	got := statuses(t, m, 5, "GET", "/v1/order/?api_key="+carretaKey)
	if hitPattern(got, 429) != "....." {
		t.Fatalf("order lists 1..5 got %v, want no 429", got)
	}
	r := m.Do(t, "GET", "/v1/order/?api_key="+carretaKey, nil)
	const want = `{"error": "\u0421\u043b\u0438\u0448\u043a\u043e\u043c \u043c\u043d\u043e\u0433\u043e \u0437\u0430\u043f\u0440\u043e\u0441\u043e\u0432. \u041f\u043e\u0432\u0442\u043e\u0440\u0438\u0442\u0435 \u0447\u0435\u0440\u0435\u0437 \u043c\u0438\u043d\u0443\u0442\u0443."}`
	if r.Status != 429 || string(r.Body) != want || r.Header.Get("Retry-After") != "60" || r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("the sixth order list: %d %s %v", r.Status, r.Body, r.Header)
	}
	if e := last(t, m); e.Fault != "carreta-orders-throttled" || e.Status != 429 {
		t.Fatalf("journal entry fault=%q status=%d", e.Fault, e.Status)
	}
}
