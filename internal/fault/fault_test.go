package fault_test

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/fault"
	"github.com/mockserver/mockserver/internal/scenario"
)

func prob(p float64) *float64 { return &p }

func TestFires(t *testing.T) {
	cases := []struct {
		name string
		when scenario.FaultWhen
		draw float64
		hits []int // which of requests 1..8 are hit
	}{
		{"no_when_hits_every_request", scenario.FaultWhen{}, 0, []int{1, 2, 3, 4, 5, 6, 7, 8}},
		{"nth_hits_only_the_nth", scenario.FaultWhen{Nth: 3}, 0, []int{3}},
		{"every_hits_each_multiple", scenario.FaultWhen{Every: 3}, 0, []int{3, 6}},
		{"every_1_hits_all", scenario.FaultWhen{Every: 1}, 0, []int{1, 2, 3, 4, 5, 6, 7, 8}},
		{"after_lets_the_first_through", scenario.FaultWhen{After: 5}, 0, []int{6, 7, 8}},
		{"probability_hits_when_the_draw_is_below", scenario.FaultWhen{Probability: prob(0.3)}, 0.29, []int{1, 2, 3, 4, 5, 6, 7, 8}},
		{"probability_misses_when_the_draw_is_not_below", scenario.FaultWhen{Probability: prob(0.3)}, 0.3, nil},
		{"probability_0_never_hits", scenario.FaultWhen{Probability: prob(0)}, 0, nil},
		{"times_is_left_to_the_caller", scenario.FaultWhen{Every: 2, Times: 1}, 0, []int{2, 4, 6, 8}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []int
			for n := 1; n <= 8; n++ {
				if fault.Fires(c.when, n, c.draw) {
					got = append(got, n)
				}
			}
			if !reflect.DeepEqual(got, c.hits) {
				t.Fatalf("hits %v, want %v", got, c.hits)
			}
		})
	}
}

func TestMatches(t *testing.T) {
	rule := func(api, method, path string) *scenario.Fault {
		return &scenario.Fault{API: api, Method: method, Path: path}
	}
	cases := []struct {
		name              string
		rule              *scenario.Fault
		api, method, path string
		want              bool
	}{
		{"exact_path", rule("carreta", "", "/v1/order/"), "carreta", "POST", "/v1/order/", true},
		{"exact_path_keeps_the_slash", rule("carreta", "", "/v1/order/"), "carreta", "POST", "/v1/order", false},
		{"other_api", rule("amapi", "", "/v1/order/"), "carreta", "POST", "/v1/order/", false},
		{"any_api", rule("any", "", "/v1/order/"), "carreta", "POST", "/v1/order/", true},
		{"method_must_agree", rule("carreta", "GET", "/v1/order/"), "carreta", "POST", "/v1/order/", false},
		{"method_agrees", rule("carreta", "POST", "/v1/order/"), "carreta", "POST", "/v1/order/", true},
		{"star_is_one_segment", rule("saplab", "", "/panel/order/pay/*"), "saplab", "GET", "/panel/order/pay/20", true},
		{"star_is_not_two_segments", rule("saplab", "", "/panel/order/*"), "saplab", "GET", "/panel/order/pay/20", false},
		{"double_star_is_any_depth", rule("saplab", "", "/panel/**"), "saplab", "GET", "/panel/order/pay/20", true},
		{"double_star_in_the_middle", rule("carreta", "", "/v1/**/history/"), "carreta", "GET", "/v1/order/7/history/", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := fault.Matches(c.rule, c.api, c.method, c.path); got != c.want {
				t.Fatalf("Matches = %v, want %v", got, c.want)
			}
		})
	}
}

func status(id string, when scenario.FaultWhen) scenario.Fault {
	return scenario.Fault{ID: id, API: "carreta", Path: "/v1/order/", When: when, Action: scenario.FaultAction{Status: 503}}
}

// hits sends n requests to POST /v1/order/ and lists which rule hit each
// ("" for none).
func hits(in *fault.Injector, n int) []string {
	out := make([]string, n)
	for i := range out {
		if h := in.Match("carreta", "POST", "/v1/order/"); h != nil {
			out[i] = h.ID
		}
	}
	return out
}

func TestInjector_Match(t *testing.T) {
	t.Run("times_caps_the_hits", func(t *testing.T) {
		in := fault.New()
		in.Load(&scenario.Scenario{Faults: []scenario.Fault{status("a", scenario.FaultWhen{Every: 2, Times: 2})}})
		want := []string{"", "a", "", "a", "", "", "", ""}
		if got := hits(in, 8); !reflect.DeepEqual(got, want) {
			t.Fatalf("hits %q, want %q", got, want)
		}
		if v := in.List()[0]; v.Matched != 8 || v.Fired != 2 {
			t.Fatalf("counters matched=%d fired=%d, want 8 and 2", v.Matched, v.Fired)
		}
	})
	t.Run("first_firing_rule_wins_and_every_matching_rule_counts", func(t *testing.T) {
		in := fault.New()
		in.Load(&scenario.Scenario{Faults: []scenario.Fault{
			status("every2", scenario.FaultWhen{Every: 2}),
			status("nth3", scenario.FaultWhen{Nth: 3}),
			status("nth4", scenario.FaultWhen{Nth: 4}), // shadowed by every2 on request 4
		}})
		want := []string{"", "every2", "nth3", "every2", "", "every2"}
		if got := hits(in, 6); !reflect.DeepEqual(got, want) {
			t.Fatalf("hits %q, want %q", got, want)
		}
		for _, v := range in.List() {
			if v.Matched != 6 {
				t.Fatalf("%s matched %d requests, want 6", v.ID, v.Matched)
			}
		}
	})
	t.Run("other_requests_do_not_count", func(t *testing.T) {
		in := fault.New()
		in.Load(&scenario.Scenario{Faults: []scenario.Fault{status("a", scenario.FaultWhen{Nth: 2})}})
		in.Match("carreta", "GET", "/v1/profile/")
		in.Match("amapi", "POST", "/v1/order/")
		if got := hits(in, 2); got[0] != "" || got[1] != "a" {
			t.Fatalf("hits %q: requests to other paths or APIs were counted", got)
		}
	})
	t.Run("probability_is_reproducible_from_the_seed", func(t *testing.T) {
		run := func(seed int64) []string {
			in := fault.New()
			in.Load(&scenario.Scenario{Seed: seed, Faults: []scenario.Fault{status("p", scenario.FaultWhen{Probability: prob(0.3)})}})
			return hits(in, 200)
		}
		a, b, c := run(7), run(7), run(8)
		if !reflect.DeepEqual(a, b) {
			t.Fatal("the same seed drew different hits")
		}
		if reflect.DeepEqual(a, c) {
			t.Fatal("seeds 7 and 8 drew the same 200 hits")
		}
		n := 0
		for _, h := range a {
			if h != "" {
				n++
			}
		}
		if n < 40 || n > 80 { // 60 expected; 40..80 is more than 4 standard deviations
			t.Fatalf("probability 0.3 hit %d of 200", n)
		}
	})
	t.Run("load_restarts_counters_and_draws", func(t *testing.T) {
		in := fault.New()
		sc := &scenario.Scenario{Seed: 3, Faults: []scenario.Fault{status("p", scenario.FaultWhen{Probability: prob(0.5)})}}
		in.Load(sc)
		first := hits(in, 50)
		if err := in.Add([]scenario.Fault{status("runtime", scenario.FaultWhen{})}); err != nil {
			t.Fatal(err)
		}
		in.Load(sc)
		if got := hits(in, 50); !reflect.DeepEqual(got, first) {
			t.Fatalf("after Load the hits differ:\n%q\n%q", got, first)
		}
		if len(in.List()) != 1 {
			t.Fatal("Load kept the runtime rule")
		}
	})
	t.Run("draws_do_not_shift_when_another_rule_takes_a_request", func(t *testing.T) {
		a := status("A2", scenario.FaultWhen{Probability: prob(0.5)})
		a.Action.Delay = &scenario.Delay{Min: time.Millisecond, Max: 3 * time.Millisecond}
		b := status("B", scenario.FaultWhen{Nth: 1})
		// run lists, per request, A's delay when A hit it and -1 otherwise.
		run := func(rules ...scenario.Fault) []time.Duration {
			in := fault.New()
			in.Load(&scenario.Scenario{Seed: 42, Faults: rules})
			out := make([]time.Duration, 24)
			for i := range out {
				out[i] = -1
				if h := in.Match("carreta", "POST", "/v1/order/"); h != nil && h.ID == "A2" {
					out[i] = h.Delay
				}
			}
			return out
		}
		alone, behind := run(a), run(b, a)
		if alone[0] < 0 {
			t.Fatal("A2 alone must hit the first request, which B takes in the second run, or this test proves nothing")
		}
		if behind[0] != -1 {
			t.Fatal("B did not take the first request")
		}
		if !reflect.DeepEqual(alone[1:], behind[1:]) {
			t.Fatalf("A2's hits and delays on requests 2..24 changed when B took request 1:\nalone  %v\nbehind %v", alone[1:], behind[1:])
		}
	})
	t.Run("delay_range_is_drawn_within_bounds_reproducibly", func(t *testing.T) {
		draw := func() []time.Duration {
			in := fault.New()
			f := status("d", scenario.FaultWhen{})
			f.Action = scenario.FaultAction{Delay: &scenario.Delay{Min: 100 * time.Millisecond, Max: 2 * time.Second}}
			in.Load(&scenario.Scenario{Seed: 1, Faults: []scenario.Fault{f}})
			var out []time.Duration
			for range 100 {
				out = append(out, in.Match("carreta", "POST", "/v1/order/").Delay)
			}
			return out
		}
		a := draw()
		if !reflect.DeepEqual(a, draw()) {
			t.Fatal("the same seed drew different delays")
		}
		lo, hi := a[0], a[0]
		for _, d := range a {
			if d < 100*time.Millisecond || d > 2*time.Second {
				t.Fatalf("delay %s outside [100ms, 2s]", d)
			}
			lo, hi = min(lo, d), max(hi, d)
		}
		if hi-lo < time.Second {
			t.Fatalf("100 draws spread only over %s..%s", lo, hi)
		}
	})
}

func TestInjector_Add(t *testing.T) {
	t.Run("rejects_bad_rules_and_arms_none", func(t *testing.T) {
		in := fault.New()
		good := status("good", scenario.FaultWhen{})
		bad := scenario.Fault{ID: "bad", API: "carreta", Path: "v1/order/", When: scenario.FaultWhen{Nth: 1, Every: 2}, Action: scenario.FaultAction{Status: 503}}
		err := in.Add([]scenario.Fault{good, bad})
		var re *fault.RuleError
		if !errors.As(err, &re) {
			t.Fatalf("got %v, want a RuleError", err)
		}
		want := []string{
			"[1] path: path must start with / (exact, or a glob with * and **)",
			"[1] when: when takes one of nth, every, after, probability (plus times)",
		}
		if !reflect.DeepEqual(re.Problems, want) {
			t.Fatalf("problems %q, want %q", re.Problems, want)
		}
		if len(in.List()) != 0 {
			t.Fatal("a rule was armed although the batch had a bad one")
		}
	})
	t.Run("rejects_an_id_already_armed", func(t *testing.T) {
		in := fault.New()
		in.Load(&scenario.Scenario{Faults: []scenario.Fault{status("a", scenario.FaultWhen{})}})
		err := in.Add([]scenario.Fault{status("a", scenario.FaultWhen{})})
		if err == nil || !strings.Contains(err.Error(), `id: a rule with id "a" is already armed`) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("rejects_an_id_repeated_in_one_request", func(t *testing.T) {
		in := fault.New()
		in.Load(&scenario.Scenario{Faults: []scenario.Fault{status("a", scenario.FaultWhen{})}})
		cases := []struct {
			name string
			ids  []string
			want []string
		}{
			{"twice", []string{"ok1", "ok1"}, []string{`[1] id: id "ok1" is repeated in this request (rule [0] has it too); ids must be unique`}},
			{"three_times", []string{"x", "y", "x", "x"}, []string{
				`[2] id: id "x" is repeated in this request (rule [0] has it too); ids must be unique`,
				`[3] id: id "x" is repeated in this request (rule [0] has it too); ids must be unique`}},
			{"armed_and_repeated_is_said_once", []string{"a", "a"}, []string{`[0] id: a rule with id "a" is already armed (DELETE /__admin/faults/a first)`}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var fs []scenario.Fault
				for _, id := range c.ids {
					fs = append(fs, status(id, scenario.FaultWhen{}))
				}
				var re *fault.RuleError
				if err := in.Add(fs); !errors.As(err, &re) || !reflect.DeepEqual(re.Problems, c.want) {
					t.Fatalf("got %v, want the problems %q", err, c.want)
				}
				if n := len(in.List()); n != 1 {
					t.Fatalf("%d rules armed, want only the scenario's", n)
				}
			})
		}
	})
	t.Run("arms_after_the_scenario_rules", func(t *testing.T) {
		in := fault.New()
		in.Load(&scenario.Scenario{Faults: []scenario.Fault{status("s", scenario.FaultWhen{Nth: 1})}})
		if err := in.Add([]scenario.Fault{status("r", scenario.FaultWhen{})}); err != nil {
			t.Fatal(err)
		}
		if got := hits(in, 2); got[0] != "s" || got[1] != "r" {
			t.Fatalf("hits %q", got)
		}
		l := in.List()
		if l[0].Source != fault.SourceScenario || l[1].Source != fault.SourceRuntime || l[1].Phase != "before" {
			t.Fatalf("list %+v", l)
		}
	})
	t.Run("rejects_an_id_unusable_in_a_url", func(t *testing.T) {
		err := fault.New().Add([]scenario.Fault{status("a/b", scenario.FaultWhen{})})
		if err == nil || !strings.Contains(err.Error(), "id: id must be at most 100 characters without / or control characters") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("caps_the_number_of_rules", func(t *testing.T) {
		in := fault.New()
		batch := make([]scenario.Fault, fault.MaxRules)
		for i := range batch {
			batch[i] = status("r"+strconv.Itoa(i), scenario.FaultWhen{})
		}
		if err := in.Add(batch); err != nil {
			t.Fatal(err)
		}
		err := in.Add([]scenario.Fault{status("one-more", scenario.FaultWhen{})})
		if err == nil || !strings.Contains(err.Error(), "at most 1000 rules may be armed at once; 1000 are") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("delete_and_clear", func(t *testing.T) {
		in := fault.New()
		in.Load(&scenario.Scenario{Faults: []scenario.Fault{status("a", scenario.FaultWhen{}), status("b", scenario.FaultWhen{})}})
		if !in.Delete("a") || in.Delete("a") {
			t.Fatal("Delete must report whether the rule was there")
		}
		if got := hits(in, 1); got[0] != "b" {
			t.Fatalf("hits %q after deleting a", got)
		}
		if n := in.Clear(); n != 1 || len(in.List()) != 0 {
			t.Fatalf("Clear removed %d, left %d", n, len(in.List()))
		}
		if got := hits(in, 1); got[0] != "" {
			t.Fatal("a cleared rule still hit")
		}
	})
}

func TestParseRules(t *testing.T) {
	cases := []struct {
		name, body string
		ids        []string
		problem    string
	}{
		{"one_object", `{"id": "a", "api": "any", "path": "/**", "action": {"status": 503}}`, []string{"a"}, ""},
		{"a_list", `[{"id": "a"}, {"id": "b"}]`, []string{"a", "b"}, ""},
		{"ranged_delay", `{"id": "a", "action": {"delay": {"min": "10ms", "max": "1s"}}}`, []string{"a"}, ""},
		{"empty_body", "  ", nil, "send a rule as a JSON object"},
		{"not_json", "id: a", nil, "not valid JSON at byte 1"},
		{"unknown_key", `{"id": "a", "pahse": "after"}`, nil, `unknown key "pahse"`},
		{"wrong_type", `{"id": "a", "when": {"nth": "3"}}`, nil, `when.nth: got string where an integer belongs`},
		{"huge_number", `{"id": "a", "when": {"nth": 1e30}}`, nil, `when.nth: got number 1e30 where an integer belongs`},
		{"negative_status_is_for_the_checks", `{"id": "a", "action": {"status": -1}}`, []string{"a"}, ""},
		{"bad_delay", `{"id": "a", "action": {"delay": "soon"}}`, nil, `delay "soon" is not a duration like 1500ms`},
		{"delay_with_a_stray_key", `{"id": "a", "action": {"delay": {"min": "1s", "max": "2s", "avg": "1s"}}}`, nil, `unknown key "avg" in delay`},
		{"a_scalar", `42`, nil, "a rule is a JSON object (or a list of them), got number"},
		{"trailing_data", `{"id": "a"} {"id": "b"}`, nil, "unexpected data after the JSON value"},
		{"invalid_utf8", "{\"id\": \"\xff\"}", nil, "not valid UTF-8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rules, err := fault.ParseRules([]byte(c.body))
			if c.problem != "" {
				var re *fault.RuleError
				if !errors.As(err, &re) || !strings.Contains(re.Error(), c.problem) {
					t.Fatalf("got %v, want a problem containing %q", err, c.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range rules {
				ids = append(ids, r.ID)
			}
			if !reflect.DeepEqual(ids, c.ids) {
				t.Fatalf("ids %q, want %q", ids, c.ids)
			}
		})
	}
}

// FuzzParseRules feeds arbitrary bodies through the control API's path:
// parse, then arm. Neither may panic, and whatever is armed must be valid.
func FuzzParseRules(f *testing.F) {
	f.Add([]byte(`{"id": "a", "api": "carreta", "method": "POST", "path": "/v1/order/", "when": {"nth": 3}, "phase": "after", "action": {"drop": true}}`))
	f.Add([]byte(`[{"id": "a", "api": "any", "path": "/**", "when": {"probability": 0.5, "times": 2}, "action": {"delay": {"min": "1ms", "max": "2ms"}, "headers": {"Retry-After": "5"}, "status": 503}}]`))
	f.Add([]byte(`{"id": "a", "api": "saplab", "path": "/panel/order/pay/*", "action": {"truncate": true, "body": "{}"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		rules, err := fault.ParseRules(body)
		if err != nil {
			var re *fault.RuleError
			if !errors.As(err, &re) || len(re.Problems) == 0 {
				t.Fatalf("error without problems: %v", err)
			}
			return
		}
		in := fault.New()
		if err := in.Add(rules); err != nil {
			return
		}
		for _, r := range rules {
			if ps := scenario.CheckFault(&r); len(ps) > 0 {
				t.Fatalf("armed an invalid rule: %v", ps)
			}
		}
		in.Match("carreta", "POST", "/v1/order/")
	})
}

// TestInjector_longMatchHoldsNoOneUp holds a request with a 20,000-segment
// path in the middle of Match (the hook) and shows that, meanwhile, another
// request is matched and counted and the control API arms, lists and
// deletes rules: matching holds no lock. Under the old injector, whose
// mutex Match held throughout, the second Match would wait for the first.
func TestInjector_longMatchHoldsNoOneUp(t *testing.T) {
	in := fault.New()
	deep := scenario.Fault{ID: "deep", API: "any", Path: "/**/a/**/b", Action: scenario.FaultAction{Status: 500}}
	in.Load(&scenario.Scenario{Faults: []scenario.Fault{deep, status("order", scenario.FaultWhen{})}})
	long := "/v1" + strings.Repeat("/x", 20_000)
	entered, release := make(chan struct{}), make(chan struct{})
	in.SetMatchHook(func(p string) {
		if p == long {
			close(entered)
			<-release
		}
	})
	done := make(chan *fault.Hit)
	go func() { done <- in.Match("carreta", "GET", long) }()
	<-entered
	if h := in.Match("carreta", "POST", "/v1/order/"); h == nil || h.ID != "order" {
		t.Fatalf("the short request got %+v, want the order rule's hit", h)
	}
	if err := in.Add([]scenario.Fault{status("late", scenario.FaultWhen{})}); err != nil {
		t.Fatal(err)
	}
	if v := in.List(); len(v) != 3 || v[1].Matched != 1 || v[1].Fired != 1 {
		t.Fatalf("rules while the long request matches: %+v", v)
	}
	if !in.Delete("late") {
		t.Fatal("the late rule could not be deleted")
	}
	close(release)
	if h := <-done; h != nil {
		t.Fatalf("the long path hit %+v; it matches no rule", h)
	}
	if v, _ := in.Get("deep"); v.Matched != 0 {
		t.Fatalf("deep matched %d requests, want 0", v.Matched)
	}
}
