package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/servertest"
)

// TestJournal_timeIsTheServerClocks: a journal entry's time is the
// server clock's at the end of the request (serve reads the real time
// once and gives the entry clock.At of it), never the real time: a frozen
// clock's exact reading, moved while frozen, on the root and in a world,
// each with its own clock; a running clock set in the past reads that
// past. It fails when the entry takes the request's real end time.
func TestJournal_timeIsTheServerClocks(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{})
	w := newWorld(t, m, "")
	clock := func(prefix, body string) {
		t.Helper()
		if r := m.Do(t, http.MethodPost, prefix+"/__admin/clock", strings.NewReader(body)); r.Status != http.StatusOK {
			t.Fatalf("clock %s: %d %s", body, r.Status, r.Body)
		}
	}
	// lastTime asks prefix's carreta profile and gives the time of that
	// request's journal entry.
	lastTime := func(prefix string) string {
		t.Helper()
		if r := m.Do(t, http.MethodGet, prefix+"/v1/profile/?api_key=demo-key", nil); r.Status != http.StatusOK {
			t.Fatalf("profile: %d %s", r.Status, r.Body)
		}
		var list struct {
			Requests []struct {
				ID   uint64
				Time string
			}
		}
		r := m.Do(t, http.MethodGet, prefix+"/__admin/requests?path=/v1/profile/", nil)
		if err := json.Unmarshal(r.Body, &list); err != nil || len(list.Requests) == 0 {
			t.Fatalf("journal: %v: %s", err, r.Body)
		}
		last := list.Requests[0]
		for _, e := range list.Requests {
			if e.ID > last.ID {
				last = e
			}
		}
		return last.Time
	}
	clock("", `{"set": "2017-01-15 22:02:43", "freeze": true}`)
	clock(w.Prefix, `{"set": "2019-06-01 08:00:00", "freeze": true}`)
	for _, tc := range []struct{ prefix, want string }{
		{"", "2017-01-15T22:02:43+03:00"},
		{w.Prefix, "2019-06-01T08:00:00+03:00"},
	} {
		if got := lastTime(tc.prefix); got != tc.want {
			t.Errorf("%q, frozen: the entry's time is %s, want %s", tc.prefix, got, tc.want)
		}
	}
	clock("", `{"advance": "2h"}`)
	if got, want := lastTime(""), "2017-01-16T00:02:43+03:00"; got != want {
		t.Errorf("frozen, then advanced: %s, want %s", got, want)
	}
	clock(w.Prefix, `{"set": "2019-06-01 08:00:00", "freeze": false}`)
	if got := lastTime(w.Prefix); !strings.HasPrefix(got, "2019-06-01T") || !strings.HasSuffix(got, "+03:00") {
		t.Errorf("a running clock set in the past: the entry's time is %s", got)
	}
}
