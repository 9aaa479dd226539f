package carreta

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/lifecycle"
)

// Internal tests of the hand-written encodings a catch-up uses instead of
// encoding/json, held to encoding/json's bytes.

// TestHistoryEncoder: the hand-written encoder of history entries writes
// exactly what json.Marshal writes, so an appended history reads the same
// whichever wrote it.
func TestHistoryEncoder(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 23, 12, 30, 15, 123456789, clock.Moscow)
	h := []historyEntry{
		{Comment: `Статус изменен с "Получен в заказ" на "В работе"`, Created: at},
		{Comment: "<b>&\u2028\\\n\t", Created: at.UTC().Add(time.Hour)},
		{Comment: "", Created: time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", 3*3600))},
		{Comment: `Статус изменен с "Получен в заказ" на "В работе"`, Created: at.Add(time.Microsecond)},
	}
	var enc historyEncoder
	for n := 1; n <= len(h); n++ {
		got, err := enc.encode(h[:n])
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(h[:n])
		if !bytes.Equal(got, want) {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	}
}

// TestSpliceHead: rewriting an order's auto and status in place gives the
// bytes json.Marshal gives the order with them changed, whether auto comes,
// stays or goes, and whatever the rest of the record holds.
func TestSpliceHead(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 23, 12, 30, 15, 123456000, clock.Moscow)
	next := &lifecycle.Progress{Done: 3, Next: at.Add(time.Hour)}
	base := orderRecord{ID: 189334, AccountID: 1, Number: "A111346-1", Status: 2, StatusVersion: statusVersion,
		ClientComment: `,"status":1,"auto":{},"status_version":7,`, Comment: "Статус", Created: at,
		Code: "OC47", Maker: "KNECHT/MAHLE", Name: "Фильтр", Price: 15202, PeriodMin: 3, PeriodMax: 5, OrderQty: 1, Total: 15202}
	for _, tc := range []struct {
		from, to *lifecycle.Progress
		status   Status
	}{{nil, next, 3}, {&lifecycle.Progress{Next: at}, next, 11}, {next, nil, 7}, {nil, nil, 14}} {
		in, want := base, base
		in.Auto, want.Auto, want.Status = tc.from, tc.to, tc.status
		raw, _ := json.Marshal(&in)
		wantRaw, _ := json.Marshal(&want)
		got, err := spliceHead(raw, tc.to, tc.status)
		if err != nil || !bytes.Equal(got, wantRaw) {
			t.Fatalf("%v\ngot  %s\nwant %s", err, got, wantRaw)
		}
	}
	if _, err := spliceHead([]byte(`{"id":1}`), nil, 2); err == nil {
		t.Fatal("a record without status members was spliced")
	}
}
