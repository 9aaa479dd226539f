package e2e_test

import (
	"testing"

	"github.com/mockserver/mockserver/internal/scenario"
	"github.com/mockserver/mockserver/internal/servertest"
)

// TestFlakyScenario checks that the shipped flaky scenario shows every
// action and every when form, on real endpoints of each API.
func TestFlakyScenario(t *testing.T) {
	t.Parallel()
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
