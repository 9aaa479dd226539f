package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/servertest"
)

// previewBody is what GET /__admin/clock/preview?advance=72h answers after
// two orders at 10:00 on a frozen clock: each order's moves of the default
// lifecycle in the 72 hours, earliest first, the ids and times drawn from
// the scenario's seed.
const previewBody = `{"now":"2026-01-02T10:00:00+03:00","to":"2026-01-05T10:00:00+03:00","moves":[` +
	`{"api":"carreta","id":189334,"number":"A111346-1","from":2,"from_name":"Получен в заказ","to":3,"to_name":"В работе","at":"2026-01-02T10:45:46.884879+03:00"},` +
	`{"api":"carreta","id":189335,"number":"A111346-2","from":2,"from_name":"Получен в заказ","to":3,"to_name":"В работе","at":"2026-01-02T10:53:34.037668+03:00"},` +
	`{"api":"carreta","id":189334,"number":"A111346-1","from":3,"from_name":"В работе","to":11,"to_name":"Принят поставщиком","at":"2026-01-02T16:30:38.495008+03:00"},` +
	`{"api":"carreta","id":189335,"number":"A111346-2","from":3,"from_name":"В работе","to":11,"to_name":"Принят поставщиком","at":"2026-01-02T17:44:09.984933+03:00"},` +
	`{"api":"carreta","id":189335,"number":"A111346-2","from":11,"from_name":"Принят поставщиком","to":4,"to_name":"В пути от поставщика","at":"2026-01-03T02:32:34.037105+03:00"},` +
	`{"api":"carreta","id":189334,"number":"A111346-1","from":11,"from_name":"Принят поставщиком","to":4,"to_name":"В пути от поставщика","at":"2026-01-03T03:44:11.630378+03:00"}` +
	`],"total":6}` + "\n"

// A preview lists the moves a clock move would make and changes nothing;
// the move then makes exactly those, each in the order's history at the
// instant the preview gave.
func TestClockPreview_listsWhatTheMoveApplies(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{})
	m.Do(t, http.MethodPost, "/__admin/clock", strings.NewReader(`{"set": "2026-01-02T10:00:00+03:00", "freeze": true}`))
	m.PlaceCarretaOrder(t)
	m.PlaceCarretaOrder(t)
	for range 2 { // twice: the first preview changed nothing the second sees
		servertest.Expect(t, m.Do(t, http.MethodGet, "/__admin/clock/preview?advance=72h", nil), http.StatusOK, previewBody)
	}
	servertest.Expect(t, m.Do(t, http.MethodGet, "/__admin/clock/preview?set=2026-01-02T10:50:00%2B03:00", nil), http.StatusOK,
		`{"now":"2026-01-02T10:00:00+03:00","to":"2026-01-02T10:50:00+03:00","moves":[`+
			`{"api":"carreta","id":189334,"number":"A111346-1","from":2,"from_name":"Получен в заказ","to":3,"to_name":"В работе","at":"2026-01-02T10:45:46.884879+03:00"}`+
			`],"total":1}`+"\n")
	servertest.Expect(t, m.Do(t, http.MethodGet, "/__admin/clock", nil), http.StatusOK, `{"now":"2026-01-02T10:00:00+03:00","frozen":true}`+"\n")
	if r := m.Do(t, http.MethodGet, "/__admin/state/carreta/orders/189334", nil); !strings.Contains(string(r.Body), `"status":2,`) {
		t.Fatalf("the preview moved the order: %s", r.Body)
	}

	var preview struct {
		Moves []struct {
			ID   uint64
			From string `json:"from_name"`
			To   string `json:"to_name"`
			At   string
		}
	}
	if err := json.Unmarshal([]byte(previewBody), &preview); err != nil {
		t.Fatal(err)
	}
	m.Do(t, http.MethodPost, "/__admin/clock", strings.NewReader(`{"advance": "72h"}`))
	for _, id := range []string{"189334", "189335"} {
		var history []struct{ Comment, Created string }
		r := m.Do(t, http.MethodGet, "/__admin/state/carreta/history/"+id, nil)
		if err := json.Unmarshal(r.Body, &history); err != nil || len(history) == 0 {
			t.Fatalf("history of %s: %v %s", id, err, r.Body)
		}
		var want []string
		for _, mv := range preview.Moves {
			if fmt.Sprint(mv.ID) == id {
				want = append(want, `Статус изменен с "`+mv.From+`" на "`+mv.To+`" at `+mv.At)
			}
		}
		var got []string
		for _, h := range history[1:] { // after the creation
			got = append(got, h.Comment+" at "+h.Created)
		}
		if !slices.Equal(got, want) {
			t.Errorf("order %s moved\n%q\nthe preview said\n%q", id, got, want)
		}
	}
	servertest.Expect(t, m.Do(t, http.MethodGet, "/__admin/clock/preview?advance=0s", nil), http.StatusOK,
		`{"now":"2026-01-05T10:00:00+03:00","to":"2026-01-05T10:00:00+03:00","moves":[],"total":0}`+"\n")
}

// The preview is strict as the rest of the control API: an unknown
// parameter, a second value, a bad value or no move at all is a 400 naming
// it, and a move out of the clock's range is refused as POST refuses it.
func TestClockPreview_refusesBadParameters(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{})
	for _, c := range []struct{ query, want string }{
		{"", `give set (a time) or advance (a duration such as 72h): the move to preview`},
		{"?advance=72h&frozen=1", `unknown parameter \"frozen\"; this route takes set, advance`},
		{"?advance=1h&advance=2h", `advance is given 2 times; it takes one value`},
		{"?advance=3days", `advance: \"3days\" is not a duration like 2h or -30m`},
		{"?set=tomorrow", `set: \"tomorrow\" is neither RFC 3339 nor a time like 2017-01-15 22:02:43`},
		{"?set=9999-12-31T23:00:00Z&advance=2h", `the clock can only show times from 0001-01-01 00:00:00 to 9999-12-31 23:59:59 Moscow time`},
	} {
		r := m.Do(t, http.MethodGet, "/__admin/clock/preview"+c.query, nil)
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), c.want) {
			t.Errorf("%s: %d %s, want 400 with %q", c.query, r.Status, r.Body, c.want)
		}
	}
}
