package e2e_test

import (
	"bytes"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/servertest"
)

// TestVerification checks the journal queries a test uses instead of
// sleeping: count and wait, with the fault recorded per request.
func TestVerification(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{Scenario: withFaults(`
  - {id: every-other, api: carreta, path: /v1/profile/, when: {every: 2}, action: {status: 503}}
`)})

	t.Run("a_filter_that_could_match_nothing_is_400", func(t *testing.T) {
		for query, want := range map[string]string{
			"api=nope":                        `api must be one of`,
			"path=v1/profile/":                `path must be a path starting with /`,
			"path=/v1/profile/%3Fapi_key%3Dx": `path is matched without the query string`,
			"since=yesterday":                 `since must be an entry id or an RFC 3339 time`,
			"fualt=x":                         `unknown parameter \"fualt\"`,
			"api=carreta&API=amapi":           `unknown parameter \"API\"`,
			"api=carreta&api=amapi":           `api is given 2 times`,
			"method=G%40T":                    `method must be an HTTP method`,
			"method=POTS":                     `method must be an HTTP method`,
			"method=GET%20":                   `method must be an HTTP method`,
		} {
			for _, ep := range []string{"/__admin/requests?", "/__admin/requests/count?", "/__admin/requests/wait?timeout=1ms&"} {
				r := m.Do(t, "GET", ep+query, nil)
				if r.Status != 400 || !bytes.Contains(r.Body, []byte(want)) {
					t.Errorf("%s%s: %d %s, want 400 saying %q", ep, query, r.Status, r.Body, want)
				}
			}
		}
	})

	t.Run("count_answers_for_the_same_filters_as_the_list", func(t *testing.T) {
		m.Do(t, "DELETE", "/__admin/requests", nil)
		statuses(t, m, 4, "GET", "/v1/profile/?api_key="+carretaKey)
		m.Do(t, "GET", "/api/test", nil)
		m.Do(t, "POST", "/api/login", strings.NewReader(`{}`))
		for query, want := range map[string]int{
			"":                              6,
			"api=carreta":                   4,
			"api=amapi&method=post":         1,
			"path=/v1/**":                   4,
			"path=/api/*":                   2,
			"fault=every-other":             2,
			"api=carreta&fault=every-other": 2,
			"fault=nothing":                 0,
		} {
			r := m.Do(t, "GET", "/__admin/requests/count?"+query, nil)
			if r.Status != 200 || string(r.Body) != `{"count":`+strconv.Itoa(want)+"}\n" {
				t.Errorf("count?%s = %d %s, want {\"count\":%d}", query, r.Status, r.Body, want)
			}
			if n := len(entries(t, m, query)); n != want {
				t.Errorf("the list for %q has %d entries, the count %d", query, n, want)
			}
		}
	})

	// The wait is registered before the requests are sent, and a wait that
	// answered only at its timeout would be a 408: the 200 shows it answered
	// when the third request arrived, with no stopwatch.
	t.Run("wait_answers_as_soon_as_the_requests_arrive", func(t *testing.T) {
		m.Do(t, "DELETE", "/__admin/requests", nil)
		done := sendAsync(m, "GET", "/__admin/requests/wait?api=carreta&method=GET&path=/v1/profile/&count=3&timeout=60s", nil)
		for m.Srv.Journal().Waiting() == 0 {
			runtime.Gosched() // until the wait is registered
		}
		for range 3 {
			m.Do(t, "GET", "/v1/profile/?api_key="+carretaKey, nil)
		}
		if got := (<-done).response(t); got.Status != 200 || string(got.Body) != `{"count":3}`+"\n" {
			t.Fatalf("wait: %d %s", got.Status, got.Body)
		}
	})

	// decisions/faults.md: wait answers how many match, which may be more
	// than it was asked to wait for.
	t.Run("wait_answers_the_actual_count_when_more_have_arrived", func(t *testing.T) {
		m.Do(t, "DELETE", "/__admin/requests", nil)
		for range 3 {
			m.Do(t, "GET", "/v1/profile/?api_key="+carretaKey, nil)
		}
		if r := m.Do(t, "GET", "/__admin/requests/wait?api=carreta&count=2&timeout=1s", nil); r.Status != 200 || string(r.Body) != `{"count":3}`+"\n" {
			t.Fatalf("wait for 2 of 3: %d %s, want 200 {\"count\":3}", r.Status, r.Body)
		}
	})

	t.Run("wait_times_out_with_408_and_the_count_so_far", func(t *testing.T) {
		m.Do(t, "DELETE", "/__admin/requests", nil)
		m.Do(t, "GET", "/v1/profile/?api_key="+carretaKey, nil)
		r := m.Do(t, "GET", "/__admin/requests/wait?api=carreta&count=2&timeout=50ms", nil)
		want := `{"count":1,"error":"1 of 2 requests arrived within 50ms"}` + "\n"
		if r.Status != http.StatusRequestTimeout || string(r.Body) != want {
			t.Fatalf("got %d %s, want 408 %s", r.Status, r.Body, want)
		}
	})

	t.Run("a_dropped_request_is_on_record_before_the_client_sees_the_close", func(t *testing.T) {
		arm(t, m, `{"id": "gone", "api": "saplab", "path": "/panel/manager", "action": {"drop": true}}`)
		for range 20 {
			m.Do(t, "DELETE", "/__admin/requests", nil)
			raw(t, m, "GET", "/panel/manager", "", "Authorization", saplabOwner)
			if r := m.Do(t, "GET", "/__admin/requests/count?fault=gone", nil); string(r.Body) != `{"count":1}`+"\n" {
				t.Fatalf("right after the close: %s", r.Body)
			}
		}
	})

	t.Run("bad_filters_are_400", func(t *testing.T) {
		for _, q := range []string{"api=carretta", "path=v1/order/", "path=/v1/[", "since=yesterday"} {
			if r := m.Do(t, "GET", "/__admin/requests/wait?timeout=5s&"+q, nil); r.Status != 400 {
				t.Errorf("wait?%s: %d %s, want 400", q, r.Status, r.Body)
			}
			if r := m.Do(t, "GET", "/__admin/requests/count?"+q, nil); r.Status != 400 {
				t.Errorf("count?%s: %d %s, want 400", q, r.Status, r.Body)
			}
		}
		for _, q := range []string{"count=0", "count=x", "timeout=2", "timeout=2h"} {
			if r := m.Do(t, "GET", "/__admin/requests/wait?"+q, nil); r.Status != 400 {
				t.Errorf("wait?%s: %d %s, want 400", q, r.Status, r.Body)
			}
		}
	})
}

// A wait's count and timeout are checked, and only the wait takes them: on
// the list or the count they are unknown parameters, not ignored ones.
func TestVerification_badCountOrTimeoutIs400(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{Scenario: "empty"})
	for path, want := range map[string]string{
		"/__admin/requests/wait?count=0":           `count must be a positive integer, got \"0\"`,
		"/__admin/requests/wait?count=two":         `count must be a positive integer`,
		"/__admin/requests/wait?timeout=soon":      `timeout must be a duration up to 1m0s`,
		"/__admin/requests/wait?timeout=2m":        `timeout must be a duration up to 1m0s`,
		"/__admin/requests/wait?timeout=-1s":       `timeout must be a duration up to 1m0s`,
		"/__admin/requests?count=2":                `unknown parameter \"count\"; this route takes api, method, path, fault, since`,
		"/__admin/requests/count?timeout=1s":       `unknown parameter \"timeout\"`,
		"/__admin/requests/wait?timeout=1s&cont=2": `unknown parameter \"cont\"; this route takes api, method, path, fault, since, violations, count, timeout`,
	} {
		r := m.Do(t, "GET", path, nil)
		if r.Status != 400 || !bytes.Contains(r.Body, []byte(want)) {
			t.Errorf("%s: %d %s, want 400 saying %s", path, r.Status, r.Body, want)
		}
	}
	// Any case of a real method filters, as the journal compares them.
	if r := m.Do(t, "GET", "/__admin/requests/count?method=get", nil); r.Status != 200 {
		t.Errorf("method=get: %d %s", r.Status, r.Body)
	}
}
