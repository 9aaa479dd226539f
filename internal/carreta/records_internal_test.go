package carreta

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/lifecycle"
	"github.com/mockserver/mockserver/internal/money"
)

// awkward are strings json.Marshal escapes in every way it can.
var awkward = []string{"", "Фильтр <масляный> & \"№1\" \\ /", "tab\tnl\n\x01\u2028\xff", "OC47"}

func TestAppendOrderTail_likeMarshal(t *testing.T) {
	at := time.Date(2026, 12, 1, 19, 4, 5, 120000000, time.FixedZone("MSK", 3*3600))
	for i, s := range awkward {
		for _, o := range []orderRecord{
			{AccountID: 3, Status: 1, StatusVersion: statusVersion, Comment: s, ClientComment: s, Created: at,
				Code: s, Maker: s, Name: s, Price: 17511, Qty: s, MinQty: i, PeriodMin: 7, PeriodMax: 9,
				OrderQty: 10, Total: money.Amount(-175110 * i)},
			{Created: at.UTC(), Price: money.Amount(i)},
		} {
			want, err := json.Marshal(&o)
			if err != nil {
				t.Fatal(err)
			}
			head := `{"id":0,"account_id":` + strconv.FormatUint(o.AccountID, 10) + `,"number":"",`
			if got, ok := appendOrderTail([]byte(head), &o); !ok || string(got) != string(want) {
				t.Errorf("appendOrderTail %v:\n %s\n json.Marshal\n %s", ok, got, want)
			}
		}
		h := []historyEntry{{Comment: s, Created: at}, {Comment: CreatedComment(175110), Created: at.UTC()}}
		for _, h := range [][]historyEntry{nil, {}, h[:1], h} {
			want, _ := json.Marshal(h)
			if got, err := encodeHistory(h); err != nil || string(got) != string(want) {
				t.Errorf("encodeHistory = %s, %v; json.Marshal %s", got, err, want)
			}
		}
		p := &lifecycle.Progress{Done: i, Next: at}
		want, _ := json.Marshal(p)
		if got, err := appendProgress(nil, p); err != nil || string(got) != string(want) {
			t.Errorf("appendProgress = %s, %v; json.Marshal %s", got, err, want)
		}
	}
}

func TestRecords_badTime(t *testing.T) {
	bad := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, ok := appendOrderTail(nil, &orderRecord{Created: bad}); ok {
		t.Error("appendOrderTail took a year json.Marshal refuses")
	}
	if err := marshalFailure(&orderRecord{Created: bad}); err == nil {
		t.Error("marshalFailure: no error")
	}
	_, want := json.Marshal([]historyEntry{{Created: bad}})
	if _, err := encodeHistory([]historyEntry{{Created: bad}}); err == nil || err.Error() != want.Error() {
		t.Errorf("encodeHistory error %v, json.Marshal's %v", err, want)
	}
	_, want = json.Marshal(&lifecycle.Progress{Next: bad})
	if _, err := appendProgress(nil, &lifecycle.Progress{Next: bad}); err == nil || err.Error() != want.Error() {
		t.Errorf("appendProgress error %v, json.Marshal's %v", err, want)
	}
}

// BenchmarkOrderRows: an order's row tail and history, as prepareOrder
// encodes them, by json.Marshal (as it did) and by hand.
//
//	go test ./internal/carreta/ -run '^$' -bench OrderRows -benchmem
func BenchmarkOrderRows(b *testing.B) {
	at := time.Date(2026, 12, 1, 19, 4, 5, 120000000, time.FixedZone("MSK", 3*3600))
	o := orderRecord{AccountID: 3, Status: 1, StatusVersion: statusVersion, Created: at, Code: "OC47",
		Maker: "KNECHT/MAHLE", Name: "Фильтр масляный", Price: 17511, Qty: "300", MinQty: 1, PeriodMin: 7,
		PeriodMax: 7, OrderQty: 10, Total: 175110}
	h := []historyEntry{{Comment: CreatedComment(o.Total), Created: at}}
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			_, _ = json.Marshal(&o)
			_, _ = json.Marshal(h)
		}
	})
	b.Run("by hand", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			_, _ = appendOrderTail(make([]byte, 0, 384), &o)
			_, _ = encodeHistory(h)
		}
	})
}
