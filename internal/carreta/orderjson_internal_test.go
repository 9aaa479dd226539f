package carreta

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/lifecycle"
	"github.com/mockserver/mockserver/internal/money"
)

// hardStrings are the strings an encoder can get wrong: escapes of JSON,
// of HTML (json.Marshal's), control characters, DEL, Cyrillic, a line
// separator, an emoji (a surrogate pair), bytes that are not UTF-8.
var hardStrings = []string{
	"", "plain", "Заказ №1", `quote " and back \ slash`, "\b\f\n\r\t\x01\x1f", "\x7f",
	"<a href='x'>&amp;</a>", "\u2028\u2029", "😀 emoji", "\xff stray", "cut \xe2\x82", "a/b",
}

// TestDecodeOrder: decodeOrder gives what json.Unmarshal gives for every
// order json.Marshal stores, on its own path (not the fallback).
func TestDecodeOrder(t *testing.T) {
	msk := time.FixedZone("MSK", 3*3600)
	base := orderRecord{ID: 189333, AccountID: 1, Number: "A111342-1", Status: 2, StatusVersion: 1,
		Comment: "Под заказ", ClientComment: "Заказ №7", Created: time.Date(2025, 6, 1, 10, 20, 30, 123456789, time.UTC),
		Code: "OC 47", Maker: "KNECHT", Name: "Фильтр масляный", Price: money.Amount(-15050), Qty: "5", MinQty: 2,
		PeriodMin: 1, PeriodMax: 3, OrderQty: 4, Total: money.Max}
	cases := []orderRecord{{}, base}
	auto := base
	auto.Auto = &lifecycle.Progress{Done: 2, Next: time.Date(2025, 6, 2, 0, 0, 0, 0, msk)}
	cases = append(cases, auto)
	moscow := base
	moscow.Created = time.Date(2024, 1, 1, 0, 0, 0, 0, msk)
	cases = append(cases, moscow)
	for _, s := range hardStrings {
		o := base
		o.ClientComment, o.Name = s, s
		cases = append(cases, o)
	}
	for i, o := range cases {
		data, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		var want, got orderRecord
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatal(err)
		}
		if err := decodeOrder(data, &got); err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		sameOrder(t, i, got, want)
		if !decodeOrderFast(data, new(orderRecord)) {
			t.Errorf("case %d %s: not read by the fast path", i, data)
		}
	}
}

// TestDecodeOrderMalformed: what json.Marshal never writes is read, or
// refused, as json.Unmarshal reads or refuses it.
func TestDecodeOrderMalformed(t *testing.T) {
	for _, in := range []string{
		`{"id":1.5}`, `{"id":"x"}`, `{"id":1} x`, `{ "id": 1 }`, `{"id":1`, `null`, `{}`, `{"foo":1,"id":2}`,
		`{"id":-1}`, `{"status":99999999999999999999}`, `{"price":"1.005"}`, `{"price":150}`, `{"total":null}`, `{"total":"-0.5"}`, `{"created":""}`, `{"created":null}`, `{"auto":null,"id":3}`,
		`{"auto":{"done":1,"next":"2025-01-01T00:00:00Z"},"id":4}`, `{"auto":{"done":"x"}}`, `{"name":"a\u0062"}`, `{"name":"\ud83d\ude00 \ud800 x\u00"}`, `{"name":"\ud83d\ude00 \ud800 x\u003c"}`, `{"name":"\q"}`, "{\"name\":\"tab\there\"}",
		`{"id":1,"id":2}`, `{"price":1e3}`, `{"qty":5}`, ``, `{"name":"x`,
	} {
		var want, got orderRecord
		werr := json.Unmarshal([]byte(in), &want)
		gerr := decodeOrder([]byte(in), &got)
		if (werr == nil) != (gerr == nil) {
			t.Errorf("%s: error %v, json.Unmarshal's %v", in, gerr, werr)
			continue
		}
		if werr == nil {
			sameOrder(t, 0, got, want)
		}
	}
}

// sameOrder compares two orders, their times by instant and offset (the
// two decoders make equal but distinct zones).
func sameOrder(t *testing.T, i int, got, want orderRecord) {
	t.Helper()
	sameTime := func(a, b time.Time) bool {
		_, oa := a.Zone()
		_, ob := b.Zone()
		return a.Equal(b) && oa == ob
	}
	if !sameTime(got.Created, want.Created) {
		t.Errorf("case %d: created %v, want %v", i, got.Created, want.Created)
	}
	if (got.Auto == nil) != (want.Auto == nil) || got.Auto != nil && (got.Auto.Done != want.Auto.Done || !sameTime(got.Auto.Next, want.Auto.Next)) {
		t.Errorf("case %d: auto %+v, want %+v", i, got.Auto, want.Auto)
	}
	got.Created, want.Created, got.Auto, want.Auto = time.Time{}, time.Time{}, nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("case %d:\n got %+v\nwant %+v", i, got, want)
	}
}

// TestAppendOrderPage: the list's encoder writes pyjson.Marshal's bytes
// of objectsWire[orderWire], for the empty page and for every hard string
// in every string field.
func TestAppendOrderPage(t *testing.T) {
	statuses := NewStatuses(VendorStatuses)
	want := func(list []orderRecord) string {
		out := objectsWire[orderWire]{Objects: make([]orderWire, len(list))}
		for i := range list {
			out.Objects[i] = toOrderWire(&list[i], statuses)
		}
		return string(mustMarshal(out))
	}
	if got, w := string(appendOrderPage(nil, nil, statuses)), want(nil); got != w {
		t.Fatalf("empty page %s, want %s", got, w)
	}
	var list []orderRecord
	for i, s := range hardStrings {
		list = append(list, orderRecord{ID: uint64(i + 1), Number: s, Status: Status(i % 4), Comment: s, ClientComment: s,
			Created: time.Date(2025, 6, 1, 10, 20, 30, i*1000, time.UTC), Code: s, Maker: s, Name: s,
			Price: money.Amount(i * 1234), PeriodMin: i, PeriodMax: -i, OrderQty: 1 << i, Total: money.Amount(-i)})
	}
	if got, w := string(appendOrderPage(nil, list, statuses)), want(list); got != w {
		t.Fatalf("page\n got %s\nwant %s", got, w)
	}
	for _, a := range []money.Amount{0, 1, 9, 10, 99, 100, 15050, -1, -99, -15050, money.Max, -money.Max, math.MaxInt64} { // MinInt64: Fixed2 prints "--92233720368547758.-8"; no amount comes near it
		o := orderRecord{Price: a, Total: -a, Created: time.Date(1999, 12, 31, 21, 0, 0, 999, time.UTC)}
		if got, w := string(appendOrder(nil, &o, statuses)), want([]orderRecord{o}); `{"objects": [`+got+`]}` != w {
			t.Errorf("amount %d:\n got %s\nwant %s", a, got, w)
		}
	}
	for _, s := range hardStrings { // the status names, which the scenario sets
		w := orderWire{StatusDisplay: s}
		if got, want := string(appendOrderWire(nil, &w)), string(mustMarshal(w)); got != want {
			t.Errorf("status_display %q: %s, want %s", s, got, want)
		}
	}
}

// appendOrderPage appends {"objects": [...]} of list with appendOrder:
// what appendOrderList writes when every record takes decodeOrder's path,
// and what pyjson.Marshal writes for objectsWire[orderWire] (json.dumps
// with sort_keys: the fields in key order, Python's separators and
// escapes).
func appendOrderPage(dst []byte, list []orderRecord, t *Statuses) []byte {
	dst = append(dst, `{"objects": [`...)
	for i := range list {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = appendOrder(dst, &list[i], t)
	}
	return append(dst, "]}"...)
}
