package e2e_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/servertest"
)

// TestFaults_Action drives each action end to end over a real socket.
func TestFaults_Action(t *testing.T) {
	t.Parallel()
	t.Run("status_body_and_headers_replace_the_response", func(t *testing.T) {
		t.Parallel()
		m := servertest.Start(t, servertest.Options{Scenario: withFaults(`
  - id: amapi-down
    api: amapi
    method: GET
    path: /api/test
    action:
      status: 503
      body: '{"message":"Service Unavailable"}'
      headers: {Retry-After: "5", X-Mock-Fault: amapi-down}
`)})
		r := m.Do(t, "GET", "/api/test", nil, "Accept", "application/json")
		if r.Status != 503 || string(r.Body) != `{"message":"Service Unavailable"}` {
			t.Fatalf("got %d %s", r.Status, r.Body)
		}
		if r.Header.Get("Retry-After") != "5" || r.Header.Get("X-Mock-Fault") != "amapi-down" || r.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("headers %v", r.Header)
		}
		if e := last(t, m); e.Fault != "amapi-down" || e.Status != 503 || e.Path != "/api/test" || e.API != "amapi" {
			t.Fatalf("journal entry %+v", e)
		}
	})

	t.Run("a_body_that_is_not_json_is_text", func(t *testing.T) {
		t.Parallel()
		m := servertest.Start(t, servertest.Options{})
		arm(t, m, `{"id": "html", "api": "saplab", "path": "/panel/manager", "action": {"status": 502, "body": "<html>502 Bad Gateway</html>"}}`)
		r := m.Do(t, "GET", "/panel/manager", nil, "Authorization", saplabOwner)
		if r.Status != 502 || string(r.Body) != "<html>502 Bad Gateway</html>" || r.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
			t.Fatalf("got %d %q %v", r.Status, r.Body, r.Header)
		}
	})

	t.Run("status_alone_answers_in_the_APIs_error_shape", func(t *testing.T) {
		t.Parallel()
		m := servertest.Start(t, servertest.Options{})
		arm(t, m, `{"id": "down", "api": "any", "path": "/**", "method": "GET", "action": {"status": 503}}`)
		for _, c := range []struct {
			path string
			keys []string // the API's error envelope
		}{
			{"/api/test", []string{"message"}},
			{"/v1/profile/?api_key=" + carretaKey, []string{"error"}},
			{"/panel/manager", []string{"status", "text"}},
		} {
			r := m.Do(t, "GET", c.path, nil, "Authorization", saplabOwner)
			var env map[string]string
			if err := json.Unmarshal(r.Body, &env); err != nil || r.Status != 503 {
				t.Fatalf("%s: %d %s (%v)", c.path, r.Status, r.Body, err)
			}
			var keys []string
			for k, v := range env {
				if v == "" {
					t.Errorf("%s: empty %s in %s", c.path, k, r.Body)
				}
				keys = append(keys, k)
			}
			sort.Strings(keys)
			if !reflect.DeepEqual(keys, c.keys) {
				t.Errorf("%s: envelope %s, want the keys %v", c.path, r.Body, c.keys)
			}
		}
	})

	t.Run("headers_in_phase_after_amend_the_real_response", func(t *testing.T) {
		t.Parallel()
		m := servertest.Start(t, servertest.Options{})
		want := m.Do(t, "GET", "/v1/profile/?api_key="+carretaKey, nil)
		arm(t, m, `{"id": "h", "api": "carreta", "path": "/v1/profile/", "phase": "after", "action": {"headers": {"X-RateLimit-Remaining": "0"}}}`)
		r := m.Do(t, "GET", "/v1/profile/?api_key="+carretaKey, nil)
		if r.Status != want.Status || !bytes.Equal(r.Body, want.Body) || r.Header.Get("X-RateLimit-Remaining") != "0" {
			t.Fatalf("got %d %s %v, want %d %s plus the header", r.Status, r.Body, r.Header, want.Status, want.Body)
		}
	})

	t.Run("fixed_delay_then_the_real_response_without_holding_the_state", func(t *testing.T) {
		t.Parallel()
		m := servertest.Start(t, servertest.Options{})
		want := m.Do(t, "GET", "/api/test", nil)
		delays := holdDelays(m)
		arm(t, m, `{"id": "slow", "api": "amapi", "path": "/api/test", "action": {"delay": "1500ms"}}`)
		done := sendAsync(m, "GET", "/api/test", nil)
		p := <-delays
		if p.d != 1500*time.Millisecond {
			t.Fatalf("the request waits %s, want the rule's 1.5s", p.d)
		}
		// A reset needs every vendor request out of the state gate: were the
		// delay holding it, the reset would only return after the delayed
		// answer, which is held until the test ends the delay below. Order,
		// not a stopwatch, decides.
		if r := m.Do(t, "POST", "/__admin/reset", nil); r.Status != 200 {
			t.Fatalf("reset: %d %s", r.Status, r.Body)
		}
		select {
		case <-done:
			t.Fatal("the request was answered before its delay ended")
		default:
		}
		close(p.end)
		r := (<-done).response(t)
		if r.Status != want.Status || !bytes.Equal(r.Body, want.Body) {
			t.Fatalf("after the delay got %d %s, want the real %d %s", r.Status, r.Body, want.Status, want.Body)
		}
	})

	t.Run("ranged_delay", func(t *testing.T) {
		t.Parallel()
		m := servertest.Start(t, servertest.Options{})
		delays := holdDelays(m)
		arm(t, m, `{"id": "range", "api": "carreta", "path": "/v1/search/", "action": {"delay": {"min": "150ms", "max": "300ms"}}}`)
		for range 3 {
			done := sendAsync(m, "GET", "/v1/search/?q=oc47&api_key="+carretaKey, nil)
			p := <-delays
			if p.d < 150*time.Millisecond || p.d > 300*time.Millisecond {
				t.Fatalf("the request waits %s, want 150ms..300ms", p.d)
			}
			close(p.end)
			if r := (<-done).response(t); r.Status != http.StatusOK {
				t.Fatalf("after the delay: %d %s", r.Status, r.Body)
			}
		}
	})

	t.Run("drop_closes_the_connection_without_a_byte", func(t *testing.T) {
		t.Parallel()
		m := servertest.Start(t, servertest.Options{})
		arm(t, m, `{"id": "drop", "api": "carreta", "method": "GET", "path": "/v1/profile/", "action": {"drop": true}}`)
		if got := raw(t, m, "GET", "/v1/profile/?api_key="+carretaKey, ""); len(got) != 0 {
			t.Fatalf("a dropped request got %q", got)
		}
		if e := last(t, m); e.Fault != "drop" || e.Status != 0 {
			t.Fatalf("journal entry fault=%q status=%d, want drop and 0 (nothing sent)", e.Fault, e.Status)
		}
		// An ordinary client sees a connection closed without a response.
		resp, err := http.Get(m.URL + "/v1/profile/?api_key=" + carretaKey)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("a dropped request got a response: %d", resp.StatusCode)
		}
	})

	t.Run("truncate_sends_half_the_body_under_the_full_length", func(t *testing.T) {
		t.Parallel()
		m := servertest.Start(t, servertest.Options{})
		const full = `{"orders": [{"id": 1}, {"id": 2}, {"id": 3}]}`
		arm(t, m, `{"id": "cut", "api": "carreta", "path": "/v1/order/", "action": {"status": 200, "body": `+strconv.Quote(full)+`, "truncate": true}}`)
		resp, body, short := parse(t, raw(t, m, "GET", "/v1/order/?api_key="+carretaKey, ""))
		if resp.StatusCode != 200 || resp.ContentLength != int64(len(full)) {
			t.Fatalf("status %d, Content-Length %d; want 200 and %d", resp.StatusCode, resp.ContentLength, len(full))
		}
		if !short || string(body) != full[:len(full)/2] {
			t.Fatalf("body %q (short=%v), want the first half %q", body, short, full[:len(full)/2])
		}
		if e := last(t, m); e.Fault != "cut" || e.Status != 200 {
			t.Fatalf("journal entry fault=%q status=%d", e.Fault, e.Status)
		}
	})

	t.Run("truncate_in_phase_after_cuts_the_real_response", func(t *testing.T) {
		t.Parallel()
		m := servertest.Start(t, servertest.Options{})
		want := m.Do(t, "GET", "/panel/manager", nil, "Authorization", saplabOwner)
		arm(t, m, `{"id": "cut", "api": "saplab", "path": "/panel/manager", "phase": "after", "action": {"truncate": true}}`)
		resp, body, short := parse(t, raw(t, m, "GET", "/panel/manager", "", "Authorization", saplabOwner))
		if resp.StatusCode != want.Status || resp.ContentLength != int64(len(want.Body)) || !short || !bytes.Equal(body, want.Body[:len(want.Body)/2]) {
			t.Fatalf("got %d, length %d, body %q; want %d, %d, %q", resp.StatusCode, resp.ContentLength, body, want.Status, len(want.Body), want.Body[:len(want.Body)/2])
		}
	})

	t.Run("a_client_that_leaves_during_the_delay_runs_nothing", func(t *testing.T) {
		t.Parallel()
		m := servertest.Start(t, servertest.Options{})
		delays := holdDelays(m)
		arm(t, m, `{"id": "slow", "api": "amapi", "path": "/api/test", "action": {"delay": "5s"}}`)
		gave := leaveDuringDelay(m, "/api/test", delays)
		if err := <-gave; err == nil {
			t.Fatal("the client got an answer before the delay")
		}
		r := m.Do(t, "GET", "/__admin/requests/wait?fault=slow&timeout=3s", nil)
		if r.Status != 200 {
			t.Fatalf("the request that was given up is not journaled: %d %s", r.Status, r.Body)
		}
		if e := last(t, m); e.Status != 0 {
			t.Fatalf("journal status %d, want 0 (nothing sent)", e.Status)
		}
	})
}

// TestFaults_afterPhaseClientLeavesDuringTheDelay checks that a client
// that gives up while a phase-after delay holds the handler's answer is
// journaled with status 0 (it received nothing), not with the status the
// handler or the action would have sent. The client leaves once the
// request has reached the delay, so the departure falls in the delay,
// never before the fault.
func TestFaults_afterPhaseClientLeavesDuringTheDelay(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{})
	delays := holdDelays(m)
	arm(t, m, `{"id":"slowafter","api":"amapi","path":"/api/test","phase":"after","action":{"delay":"5m","status":500}}`)
	if err := <-leaveDuringDelay(m, "/api/test", delays); err == nil {
		t.Fatal("the client got an answer before the 5-minute delay")
	}
	if r := m.Do(t, "GET", "/__admin/requests/wait?fault=slowafter&timeout=10s", nil); r.Status != 200 {
		t.Fatalf("the request that was given up is not journaled: %d %s", r.Status, r.Body)
	}
	if e := last(t, m); e.Fault != "slowafter" || e.Status != 0 {
		t.Fatalf("journal entry fault=%q status=%d, want slowafter and 0 (nothing sent)", e.Fault, e.Status)
	}
}

// TestFaults_When checks each when form on real endpoints: X marks a request
// the fault hit.
func TestFaults_When(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, when, want string
	}{
		{"no_when_hits_every_request", `{}`, "XXXXXXXX"},
		{"nth", `{"nth": 3}`, "..X....."},
		{"every", `{"every": 3}`, "..X..X.."},
		{"after", `{"after": 5}`, ".....XXX"},
		{"times_caps_every", `{"every": 2, "times": 2}`, ".X.X...."},
		{"times_alone", `{"times": 3}`, "XXX....."},
		{"probability_0", `{"probability": 0}`, "........"},
		{"probability_1_with_times", `{"probability": 1, "times": 1}`, "X......."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m := servertest.Start(t, servertest.Options{})
			arm(t, m, `{"id": "w", "api": "saplab", "method": "GET", "path": "/panel/manager", "when": `+c.when+`, "action": {"status": 599}}`)
			got := hitPattern(statuses(t, m, 8, "GET", "/panel/manager", "Authorization", saplabOwner), 599)
			if got != c.want {
				t.Fatalf("hits %s, want %s", got, c.want)
			}
			if n := len(entries(t, m, "fault=w")); n != strings.Count(c.want, "X") {
				t.Fatalf("the journal names the fault on %d requests, want %d", n, strings.Count(c.want, "X"))
			}
		})
	}

	// decisions/faults.md: a rule's draws depend only on the requests it
	// matched. A2 has a delay range as well, which once shared A2's
	// generator and was drawn only on a hit, so B taking request 1 shifted
	// every later probability draw of A2.
	t.Run("probability_hits_do_not_shift_when_another_rule_takes_a_request", func(t *testing.T) {
		t.Parallel()
		const a2 = `{"id":"A2","api":"amapi","method":"GET","path":"/api/test","when":{"probability":0.5},"action":{"delay":{"min":"1ms","max":"3ms"},"status":599}}`
		const b = `{"id":"B","api":"amapi","method":"GET","path":"/api/test","when":{"nth":1},"action":{"status":598}}`
		m := servertest.Start(t, servertest.Options{})
		arm(t, m, a2)
		alone := hitPattern(statuses(t, m, 24, "GET", "/api/test"), 599)
		if alone[0] != 'X' {
			t.Fatalf("A2 alone must hit request 1, which B takes next, or this test proves nothing: %s", alone)
		}
		if r := m.Do(t, "DELETE", "/__admin/faults", nil); r.Status != 200 {
			t.Fatalf("clearing the rules: %d %s", r.Status, r.Body)
		}
		arm(t, m, "["+b+","+a2+"]")
		got := statuses(t, m, 24, "GET", "/api/test")
		if got[0] != 598 {
			t.Fatalf("B did not take request 1: %d", got[0])
		}
		if behind := hitPattern(got, 599); behind[1:] != alone[1:] {
			t.Fatalf("A2's hits on requests 2..24 changed when B took request 1:\nalone  %s\nbehind %s", alone[1:], behind[1:])
		}
	})

	t.Run("probability_is_reproducible_from_the_scenario_seed", func(t *testing.T) {
		t.Parallel()
		rule := `
  - {id: p, api: amapi, path: /api/test, when: {probability: 0.5}, action: {status: 599}}
`
		m := servertest.Start(t, servertest.Options{Scenario: withFaults(rule)})
		first := hitPattern(statuses(t, m, 40, "GET", "/api/test"), 599)
		if n := strings.Count(first, "X"); n < 8 || n > 32 {
			t.Fatalf("probability 0.5 hit %d of 40: %s", n, first)
		}
		m.Do(t, "POST", "/__admin/reset", nil)
		if again := hitPattern(statuses(t, m, 40, "GET", "/api/test"), 599); again != first {
			t.Fatalf("after a reset the same requests met other faults:\n%s\n%s", first, again)
		}
		other := servertest.Start(t, servertest.Options{Scenario: strings.Replace(withFaults(rule), "seed: 42", "seed: 43", 1)})
		if third := hitPattern(statuses(t, other, 40, "GET", "/api/test"), 599); third == first {
			t.Fatalf("seeds 42 and 43 drew the same hits: %s", first)
		}
		// Another server with the same scenario draws the same: a run is
		// reproducible, not just a reset.
		same := servertest.Start(t, servertest.Options{Scenario: withFaults(rule)})
		if again := hitPattern(statuses(t, same, 40, "GET", "/api/test"), 599); again != first {
			t.Fatalf("a second server with the same seed drew other hits:\n%s\n%s", first, again)
		}
	})
}

// TestFaults_Match checks what a rule selects.
func TestFaults_Match(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{})
	arm(t, m, `[
		{"id": "pay", "api": "saplab", "method": "GET", "path": "/panel/order/pay/*", "action": {"status": 591}},
		{"id": "carreta-all", "api": "carreta", "path": "/v1/**", "action": {"status": 592}},
		{"id": "post-login", "api": "amapi", "method": "POST", "path": "/api/login", "action": {"status": 593}},
		{"id": "anything", "api": "any", "path": "/**", "method": "DELETE", "action": {"status": 594}}
	]`)
	cases := []struct {
		method, path string
		want         int // the fault's status; 0: no fault
	}{
		{"GET", "/panel/order/pay/20", 591},
		{"GET", "/panel/order/pay/20,21", 591},
		{"POST", "/panel/order/pay/20", 0}, // method
		{"GET", "/panel/order/pay", 0},     // * needs a segment
		{"GET", "/panel/order/pay/20/x", 0},
		{"GET", "/v1/profile/?api_key=" + carretaKey, 592},
		{"POST", "/v1/order/7/history/", 592},
		{"POST", "/api/login", 593},
		{"GET", "/api/login", 0},
		{"DELETE", "/api/test", 594},
		{"DELETE", "/panel/client/1", 594},
	}
	for _, c := range cases {
		got := m.Do(t, c.method, c.path, nil).Status
		if (c.want == 0 && got >= 591 && got <= 594) || (c.want != 0 && got != c.want) {
			t.Errorf("%s %s: got %d, want %d (0: not the fault's)", c.method, c.path, got, c.want)
		}
	}
	// Faults never touch the control API, nor paths no API owns.
	if r := m.Do(t, "DELETE", "/__admin/requests", nil); r.Status != 200 {
		t.Fatalf("the control API was faulted: %d %s", r.Status, r.Body)
	}
	if r := m.Do(t, "DELETE", "/nowhere", nil); r.Status == 594 {
		t.Fatal("a path no API owns was faulted")
	}
}

// TestFaults_Control checks the control API's fault routes.
func TestFaults_Control(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{Scenario: withFaults(`
  - {id: from-scenario, api: carreta, method: POST, path: /v1/order/, when: {nth: 3}, action: {status: 503, delay: 10ms}}
`)})

	t.Run("lists_rules_with_source_and_counters", func(t *testing.T) {
		r := m.Do(t, "GET", "/__admin/faults", nil)
		want := `{"faults":[{"id":"from-scenario","api":"carreta","method":"POST","path":"/v1/order/","when":{"nth":3},"phase":"before","action":{"status":503,"delay":"10ms"},"source":"scenario","matched":0,"fired":0}]}` + "\n"
		if r.Status != 200 || string(r.Body) != want {
			t.Fatalf("got %d %s\nwant %s", r.Status, r.Body, want)
		}
	})

	t.Run("arms_a_list_and_shows_it", func(t *testing.T) {
		r := m.Do(t, "POST", "/__admin/faults", strings.NewReader(`[
			{"id": "a", "api": "amapi", "path": "/api/test", "when": {"every": 2}, "action": {"delay": {"min": "1ms", "max": "2ms"}}},
			{"id": "b", "api": "any", "path": "/panel/order/pay/*", "when": {"probability": 0.25, "times": 2}, "phase": "after", "action": {"drop": true}}
		]`))
		want := `{"faults":[{"id":"a","api":"amapi","path":"/api/test","when":{"every":2},"phase":"before","action":{"delay":{"min":"1ms","max":"2ms"}},"source":"runtime","matched":0,"fired":0},` +
			`{"id":"b","api":"any","path":"/panel/order/pay/*","when":{"probability":0.25,"times":2},"phase":"after","action":{"drop":true},"source":"runtime","matched":0,"fired":0}]}` + "\n"
		if r.Status != http.StatusCreated || string(r.Body) != want {
			t.Fatalf("got %d %s\nwant %s", r.Status, r.Body, want)
		}
		m.Do(t, "GET", "/api/test", nil)
		m.Do(t, "GET", "/api/test", nil)
		r = m.Do(t, "GET", "/__admin/faults/a", nil)
		if !bytes.Contains(r.Body, []byte(`"matched":2,"fired":1}`)) {
			t.Fatalf("counters after two requests: %s", r.Body)
		}
	})

	t.Run("rejects_a_bad_rule_with_what_is_wrong", func(t *testing.T) {
		r := m.Do(t, "POST", "/__admin/faults", strings.NewReader(`{"id": "bad", "api": "carreta", "method": "post", "path": "/api/login", "when": {"nth": 2, "every": 2}, "phase": "later", "action": {"drop": true, "status": 503}}`))
		want := `{"error":"the fault rules have problems; none was armed","problems":[` +
			`"method: method must be upper case, like POST",` +
			`"path: path /api/login is not under carreta's prefix /v1, so the rule could never fire",` +
			`"when: when takes one of nth, every, after, probability (plus times)",` +
			`"phase: phase must be before or after, got \"later\"",` +
			`"action: drop sends nothing, so status, body and headers have no effect with it"]}` + "\n"
		if r.Status != 400 || string(r.Body) != want {
			t.Fatalf("got %d %s\nwant %s", r.Status, r.Body, want)
		}
		for _, body := range []string{``, `{"id": "x", "colour": "red"}`, `{"id": "x", "when": {"nth": -1}}`, `{"id": "from-scenario", "api": "any", "path": "/**", "action": {"status": 500}}`, "[1, 2", `{"id": "x", "api": "any", "path": "/**", "action": {"status": 1e99}}`} {
			if r := m.Do(t, "POST", "/__admin/faults", strings.NewReader(body)); r.Status != 400 || !bytes.Contains(r.Body, []byte(`"problems":["`)) {
				t.Errorf("POST %s: got %d %s, want 400 with problems", body, r.Status, r.Body)
			}
		}
		if _, ok := m.Srv.Faults().Get("x"); ok {
			t.Fatal("a rejected rule was armed")
		}
	})

	t.Run("an_id_repeated_in_one_request_is_named_as_such", func(t *testing.T) {
		r := m.Do(t, "POST", "/__admin/faults", strings.NewReader(`[{"id":"ok1","api":"amapi","path":"/api/test","action":{"status":503}},{"id":"ok1","api":"amapi","path":"/api/test","action":{"status":504}}]`))
		want := `{"error":"the fault rules have problems; none was armed","problems":["[1] id: id \"ok1\" is repeated in this request (rule [0] has it too); ids must be unique"]}` + "\n"
		if r.Status != 400 || string(r.Body) != want {
			t.Fatalf("got %d %s\nwant %s", r.Status, r.Body, want)
		}
		if _, ok := m.Srv.Faults().Get("ok1"); ok {
			t.Fatal("a rejected rule was armed")
		}
	})

	t.Run("deletes_one_and_all", func(t *testing.T) {
		if r := m.Do(t, "DELETE", "/__admin/faults/a", nil); r.Status != 200 || string(r.Body) != `{"status":"ok"}`+"\n" {
			t.Fatalf("delete: %d %s", r.Status, r.Body)
		}
		if r := m.Do(t, "DELETE", "/__admin/faults/a", nil); r.Status != 404 || string(r.Body) != `{"error":"no fault rule with id \"a\" (GET /__admin/faults lists them)"}`+"\n" {
			t.Fatalf("delete again: %d %s", r.Status, r.Body)
		}
		if r := m.Do(t, "DELETE", "/__admin/faults", nil); r.Status != 200 || string(r.Body) != `{"deleted":2}`+"\n" {
			t.Fatalf("delete all: %d %s", r.Status, r.Body)
		}
		if r := m.Do(t, "GET", "/__admin/faults", nil); string(r.Body) != `{"faults":[]}`+"\n" {
			t.Fatalf("after delete all: %s", r.Body)
		}
	})

	t.Run("reset_rearms_the_scenario_rules_and_drops_runtime_ones", func(t *testing.T) {
		arm(t, m, `{"id": "runtime", "api": "any", "path": "/**", "action": {"status": 500}}`)
		if r := m.Do(t, "POST", "/__admin/reset", nil); r.Status != 200 {
			t.Fatalf("reset: %d", r.Status)
		}
		r := m.Do(t, "GET", "/__admin/faults", nil)
		if !bytes.Contains(r.Body, []byte(`"id":"from-scenario"`)) || bytes.Contains(r.Body, []byte(`"id":"runtime"`)) || !bytes.Contains(r.Body, []byte(`"matched":0,"fired":0`)) {
			t.Fatalf("after reset: %s", r.Body)
		}
	})

	t.Run("loading_a_scenario_arms_its_rules", func(t *testing.T) {
		if r := m.Do(t, "POST", "/__admin/scenario?name=flaky", nil); r.Status != 200 {
			t.Fatalf("load flaky: %d %s", r.Status, r.Body)
		}
		r := m.Do(t, "GET", "/__admin/faults", nil)
		if bytes.Contains(r.Body, []byte("from-scenario")) || !bytes.Contains(r.Body, []byte(`"source":"scenario"`)) {
			t.Fatalf("after loading flaky: %s", r.Body)
		}
	})

	t.Run("a_bad_rule_in_a_scenario_body_is_reported_with_its_line", func(t *testing.T) {
		src := withFaults("  - id: x\n    api: carreta\n    path: /v1/[oops\n    action: {status: 503}\n")
		r := m.Do(t, "POST", "/__admin/scenario", strings.NewReader(src))
		want := `"problems":["(request body):7: path \"/v1/[oops\" is not a valid glob`
		if r.Status != 400 || !bytes.Contains(r.Body, []byte(want)) {
			t.Fatalf("got %d %s, want a problem like %s", r.Status, r.Body, want)
		}
	})
}
