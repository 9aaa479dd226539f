package carreta

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/lifecycle"
	"github.com/mockserver/mockserver/internal/money"
	"github.com/mockserver/mockserver/internal/state"
)

// twoSteps is what the list wrote for a stored order before
// appendStoredOrder, and still writes when it reports false: decodeOrder,
// then appendOrder.
func twoSteps(data []byte, t *Statuses) (string, error) {
	var o orderRecord
	if err := decodeOrder(data, &o); err != nil {
		return "", err
	}
	return string(appendOrder(nil, &o, t)), nil
}

// storedCases are stored orders as the store writes them (json.Marshal of
// orderRecord): every one is read in place.
func storedCases(t testing.TB) [][]byte {
	msk := time.FixedZone("MSK", 3*3600)
	base := orderRecord{ID: 189333, AccountID: 1, Number: "A111342-1", Status: 2, StatusVersion: 2,
		Comment: "Под заказ", ClientComment: "Заказ №7", Created: time.Date(2025, 6, 1, 10, 20, 30, 123456789, time.UTC),
		Code: "OC 47", Maker: "KNECHT", Name: "Фильтр масляный", Price: money.Amount(-15050), Qty: "<5", MinQty: 2,
		PeriodMin: 1, PeriodMax: 3, OrderQty: 4, Total: money.Max}
	cases := []orderRecord{base, {Created: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}}
	auto := base
	auto.Auto = &lifecycle.Progress{Done: 2, Next: time.Date(2025, 6, 2, 0, 0, 0, 0, msk)}
	cases = append(cases, auto)
	for _, at := range []time.Time{
		time.Date(2024, 1, 1, 0, 0, 0, 0, msk), time.Date(2014, 10, 23, 16, 18, 31, 315072000, msk),
		time.Date(2024, 12, 31, 21, 0, 0, 0, time.UTC), time.Date(2024, 12, 31, 20, 59, 59, 999999999, time.UTC),
		time.Date(2024, 2, 28, 22, 0, 0, 1000, time.UTC), time.Date(2023, 2, 28, 22, 0, 0, 999, time.UTC),
		time.Date(2100, 2, 28, 21, 30, 0, 0, time.UTC), time.Date(2000, 2, 28, 21, 30, 0, 0, time.UTC),
		time.Date(2024, 4, 30, 23, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 20, 59, 59, 0, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 3, 1, 1, 0, 0, 0, time.FixedZone("", 5*3600)),
		time.Date(2025, 3, 1, 1, 0, 0, 0, time.FixedZone("", -(9*3600+30*60))), time.Date(1, 1, 1, 3, 0, 0, 0, msk),
	} {
		o := base
		o.Created = at
		cases = append(cases, o)
	}
	for _, s := range hardStrings {
		o := base
		o.ClientComment, o.Name, o.Qty, o.Comment, o.Code, o.Maker, o.Number = s, s, s, s, s, s, s
		cases = append(cases, o)
	}
	for _, a := range []money.Amount{0, 1, 9, 10, 99, 100, 15050, -1, -99, -15050, money.Max, -money.Max} {
		o := base
		o.Price, o.Total = a, -a
		cases = append(cases, o)
	}
	for _, n := range []int{0, 1, -1, 10, -10, 1 << 40, -(1 << 40)} {
		o := base
		o.Status, o.PeriodMin, o.PeriodMax, o.OrderQty, o.MinQty = Status(n), n, -n, n, n
		cases = append(cases, o)
	}
	out := make([][]byte, len(cases))
	for i := range cases {
		var err error
		if out[i], err = json.Marshal(&cases[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestAppendStoredOrder: every order as the store writes it is read in
// place, into the bytes the two steps write.
func TestAppendStoredOrder(t *testing.T) {
	statuses := NewStatuses(VendorStatuses)
	for _, data := range storedCases(t) {
		want, err := twoSteps(data, statuses)
		if err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		got, ok := appendStoredOrder([]byte("x"), data, statuses)
		if !ok {
			t.Errorf("%s: not read in place", data)
			continue
		}
		if string(got) != "x"+want {
			t.Errorf("%s:\n got %s\nwant x%s", data, got, want)
		}
	}
}

// TestAppendStoredOrder_spliced: the records insert and spliceHead write
// (members spliced into json.Marshal's bytes) are read in place too.
func TestAppendStoredOrder_spliced(t *testing.T) {
	statuses := NewStatuses(VendorStatuses)
	data, err := json.Marshal(orderRecord{ID: 7, Number: "A1-1", Status: 2, StatusVersion: 2, ClientComment: "Заказ", Created: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), Price: 100, Total: 100})
	if err != nil {
		t.Fatal(err)
	}
	auto := &lifecycle.Progress{Done: 1, Next: time.Date(2025, 6, 3, 0, 0, 0, 5, clock.Moscow)}
	for _, s := range [][]byte{data, mustSplice(t, data, auto, 3), mustSplice(t, data, nil, 8)} {
		want, err := twoSteps(s, statuses)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := appendStoredOrder(nil, s, statuses); !ok || string(got) != want {
			t.Errorf("%s: %v\n got %s\nwant %s", s, ok, got, want)
		}
	}
}

func mustSplice(t *testing.T, raw []byte, auto *lifecycle.Progress, status Status) []byte {
	t.Helper()
	out, err := spliceHead(raw, auto, status)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// notInPlace are records in a form the store does not write: each is
// left to the two steps, which read it or refuse it as before.
var notInPlace = []string{
	`{}`, `null`, ``, `{"id":1}`,
	// members out of orderRecord's order, whitespace, an escaped key
	`{"account_id":1,"id":1,"number":"","status":1,"comment":"","client_comment":"","created":"2025-01-01T00:00:00Z","code":"","maker":"","name":"","price":"1.00","period_min":0,"period_max":0,"order_qty":0,"total":"1.00"}`,
	`{"id":1, "account_id":1,"number":"","status":1,"comment":"","client_comment":"","created":"2025-01-01T00:00:00Z","code":"","maker":"","name":"","price":"1.00","period_min":0,"period_max":0,"order_qty":0,"total":"1.00"}`,
	`{"\u0069d":1,"account_id":1,"number":"","status":1,"comment":"","client_comment":"","created":"2025-01-01T00:00:00Z","code":"","maker":"","name":"","price":"1.00","period_min":0,"period_max":0,"order_qty":0,"total":"1.00"}`,
	// a member missing, one more, one twice
	`{"id":1,"account_id":1,"number":"","status":1,"comment":"","client_comment":"","created":"2025-01-01T00:00:00Z","code":"","maker":"","name":"","price":"1.00","period_min":0,"period_max":0,"order_qty":0}`,
	`{"id":1,"account_id":1,"number":"","status":1,"comment":"","client_comment":"","created":"2025-01-01T00:00:00Z","code":"","maker":"","name":"","price":"1.00","period_min":0,"period_max":0,"order_qty":0,"total":"1.00","x":1}`,
	`{"id":1,"account_id":1,"number":"","status":1,"status":2,"comment":"","client_comment":"","created":"2025-01-01T00:00:00Z","code":"","maker":"","name":"","price":"1.00","period_min":0,"period_max":0,"order_qty":0,"total":"1.00"}`,
}

// malformedValues are values that json.Marshal does not write, each put
// in place of one member of a stored order (member: value).
var malformedValues = []string{
	`id:01`, `id:-1`, `id:1.0`, `id:1e3`, `id:"1"`, `id:1234567890123456789`, `id:99999999999999999999`, `account_id:-0`,
	`status:-0`, `status:007`, `status:1.5`, `status:null`, `status_version:"2"`, `period_min:-`, `order_qty:1E2`,
	`price:"152.2"`, `price:"152"`, `price:"-0.00"`, `price:"00.10"`, `price:".10"`, `price:152.02`, `price:"1000000000.01"`,
	`total:"1000000000000.00"`, `total:"9.99e2"`, `total:"+1.00"`, `total:null`,
	`created:"2025-01-01t00:00:00Z"`, `created:"2025-01-01T00:00:00"`, `created:"2025-01-01T00:00:00.Z"`,
	`created:"2025-01-01T00:00:00.1234567891Z"`, `created:"2025-02-29T00:00:00Z"`, `created:"2025-13-01T00:00:00Z"`,
	`created:"2025-01-01T24:00:00Z"`, `created:"2025-01-01T00:00:60Z"`, `created:"2025-01-01T00:00:00+24:00"`,
	`created:"2025-01-01T00:00:00+03:60"`, `created:"2025-01-01T00:00:00+0300"`, `created:"2025-01-01T00:00:00 +03:00"`,
	`created:"9999-12-31T22:00:00Z"`, `created:"0000-01-01T00:00:00Z"`, `created:"0000-01-01T02:00:00-01:00"`,
	`created:"\u0032025-01-01T00:00:00Z"`, `created:""`, `created:null`, `created:"2025-01-01T00:00:00,5Z"`,
	`name:"\u003c&\u003e"`, `name:"a\u0062"`, `name:"\ud83d\ude00 \ud800 x"`, `name:"\ud800\u0041"`, `name:"\q"`, `name:"\u00"`,
	"name:\"tab\there\"", "name:\"\x7f del\"", "name:\"\xff stray\"", "name:\"cut \xe2\x82\"", "name:\"\xed\xa0\x80 surrogate\"",
	"name:\"\xc0\x80 overlong\"", "name:\"\u2028 raw\"", `name:"a\"b"`, `name:"a\\"`, `name:null`, `name:1`,
	"qty:\"\x01\"", `qty:"\x"`, `qty:"\u12"`, `qty:"\u003c10"`, `qty:"\\\""`, "qty:\"\xff\"", `qty:5`,
	`min_qty:"1"`, `auto:null`, `auto:{"done":1,"next":"2025-06-02T00:00:00+03:00"}`, `auto:{"done":1}`,
	`auto:{"next":"2025-06-02T00:00:00Z","done":1}`, `auto:{"done":"x","next":"2025-06-02T00:00:00Z"}`, `auto:[]`,
	`auto:{"done":1,"next":"2025-06-02"}`, `code:"\u0000"`, `comment:"\/"`, `client_comment:"\b\f\n\r\t"`,
}

// withMember is the base record with member's value replaced (or, for
// auto, qty and min_qty, added where the store puts them).
func withMember(t testing.TB, base []byte, mv string) []byte {
	m, v, _ := strings.Cut(mv, ":")
	var out []byte
	switch {
	case bytes.Contains(base, []byte(`"`+m+`":`)):
		i := bytes.Index(base, []byte(`"`+m+`":`)) + len(m) + 3
		j := i
		for depth := 0; j < len(base); j++ { // the old value's end: a , or } outside strings and objects
			c := base[j]
			if c == '"' {
				for j++; base[j] != '"'; j++ {
					if base[j] == '\\' {
						j++
					}
				}
				continue
			}
			if c == '{' {
				depth++
			} else if depth > 0 && c == '}' {
				depth--
			} else if depth == 0 && (c == ',' || c == '}') {
				break
			}
		}
		out = append(append(append(out, base[:i]...), v...), base[j:]...)
	case m == "auto":
		out = bytes.Replace(base, []byte(`,"status":`), []byte(`,"auto":`+v+`,"status":`), 1)
	default:
		t.Fatalf("base has no member %s", m)
	}
	return out
}

// TestAppendListedOrder_malformed: a record in any other form answers as
// the two steps answer it (the same bytes, or an error where they fail),
// and appendStoredOrder leaves dst as it was when it does not read it.
func TestAppendListedOrder_malformed(t *testing.T) {
	statuses := NewStatuses(VendorStatuses)
	base, err := json.Marshal(orderRecord{ID: 5, AccountID: 1, Number: "A1-1", Status: 2, StatusVersion: 2, Qty: "5", MinQty: 1,
		Created: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), Name: "x", Price: 100, Total: 100})
	if err != nil {
		t.Fatal(err)
	}
	inputs := append([]string(nil), notInPlace...)
	for _, mv := range malformedValues {
		inputs = append(inputs, string(withMember(t, base, mv)))
	}
	for _, in := range inputs {
		want, werr := twoSteps([]byte(in), statuses)
		got, gerr := appendListedOrder([]byte("x"), []byte(in), statuses)
		if (werr == nil) != (gerr == nil) || werr == nil && string(got) != "x"+want {
			t.Errorf("%s:\n got %s (%v)\nwant x%s (%v)", in, got, gerr, want, werr)
		}
		if got, ok := appendStoredOrder([]byte("x"), []byte(in), statuses); !ok && string(got) != "x" {
			t.Errorf("%s: not read, yet dst is %q", in, got)
		}
	}
	for _, in := range notInPlace {
		if _, ok := appendStoredOrder(nil, []byte(in), statuses); ok {
			t.Errorf("%s: read in place", in)
		}
	}
}

// FuzzAppendStoredOrder: whatever the stored bytes, an order read in place
// is one the two steps read, into the same bytes, and one not read leaves
// dst alone.
func FuzzAppendStoredOrder(f *testing.F) {
	for _, data := range storedCases(f) {
		f.Add(data)
	}
	for _, in := range notInPlace {
		f.Add([]byte(in))
	}
	statuses := NewStatuses(VendorStatuses)
	f.Fuzz(func(t *testing.T, data []byte) {
		got, ok := appendStoredOrder([]byte("x"), data, statuses)
		if !ok {
			if string(got) != "x" {
				t.Fatalf("%q: not read, yet dst is %q", data, got)
			}
			return
		}
		want, err := twoSteps(data, statuses)
		if err != nil {
			t.Fatalf("%q: read in place, but the two steps fail: %v", data, err)
		}
		if string(got) != "x"+want {
			t.Fatalf("%q:\n got %s\nwant x%s", data, got, want)
		}
	})
}

// TestWallClockMoscow: the clock a stored time shows in Moscow is what
// FormatTime writes, across days, months, years and leap days, for the
// offsets the store writes (UTC, Moscow) and others.
func TestWallClockMoscow(t *testing.T) {
	zones := []*time.Location{time.UTC, clock.Moscow, time.FixedZone("", 5*3600+45*60), time.FixedZone("", -12*3600)}
	for _, day := range []time.Time{
		time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC), time.Date(2024, 2, 28, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), time.Date(2023, 2, 28, 0, 0, 0, 0, time.UTC),
		time.Date(1900, 2, 28, 0, 0, 0, 0, time.UTC), time.Date(2024, 6, 30, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 7, 31, 0, 0, 0, 0, time.UTC), time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		for h := 0; h < 48; h++ {
			for _, z := range zones {
				at := day.Add(time.Duration(h)*30*time.Minute + 1500*time.Nanosecond).In(z)
				w, off, ok := parseStoredTime([]byte(at.Format(time.RFC3339Nano)))
				if !ok {
					t.Fatalf("%s: not read", at.Format(time.RFC3339Nano))
				}
				m, ok := w.moscow(off)
				if !ok {
					t.Fatalf("%s: no Moscow clock", at.Format(time.RFC3339Nano))
				}
				if got, want := string(m.append(nil)), FormatTime(at); got != want {
					t.Errorf("%s: %s, want %s", at.Format(time.RFC3339Nano), got, want)
				}
			}
		}
	}
}

// scratchStore is an empty scratch state file with carreta's buckets,
// closed when the test ends.
func scratchStore(tb testing.TB) *state.Store {
	tb.Helper()
	st, err := state.OpenScratch(filepath.Join(tb.TempDir(), "s.db"), clock.New(nil), Buckets...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = st.Close() })
	return st
}

// putOrders stores records, order rows by id, in one transaction.
func putOrders(st *state.Store, records map[uint64][]byte) error {
	return st.Update(func(tx *state.Tx) error {
		for id, data := range records {
			if err := tx.Bucket(bucketOrders).Put(state.Key(id), data); err != nil {
				return err
			}
		}
		return nil
	})
}

// TestAppendOrderList: a page written from the state file is the two
// steps' page, whatever mix of forms its records are in, for a page of
// consecutive ids (the cursor steps back) and one of scattered ids (it
// seeks); an id that is not stored is state.ErrNotFound.
func TestAppendOrderList(t *testing.T) {
	statuses := NewStatuses(VendorStatuses)
	st := scratchStore(t)
	cases := storedCases(t)
	records := map[uint64][]byte{}
	for i, data := range cases {
		records[uint64(100+i)] = data
	}
	records[90] = []byte(notInPlace[4])           // another order of the members
	records[91] = withMember(t, cases[0], "id:1") // a record whose id is not its key's
	records[92] = []byte(`{"id":1,"x"}`)          // not JSON
	if err := putOrders(st, records); err != nil {
		t.Fatal(err)
	}
	page := func(ids []uint64) (string, error) {
		var out []byte
		err := st.View(func(tx *state.Tx) (err error) {
			out, err = appendOrderList(tx, []byte("x"), ids, statuses, nil)
			return err
		})
		return string(out), err
	}
	want := func(ids []uint64) string {
		parts := make([]string, len(ids))
		for i, id := range ids {
			var err error
			if parts[i], err = twoSteps(records[id], statuses); err != nil {
				t.Fatal(err)
			}
		}
		return `x{"objects": [` + strings.Join(parts, ", ") + "]}"
	}
	var down, scattered []uint64
	for id := uint64(100 + len(cases) - 1); id >= 100; id-- {
		down = append(down, id)
	}
	down = append(down, 91, 90)
	scattered = []uint64{100 + uint64(len(cases)) - 1, 105, 103, 90, 101, 91, 100}
	for _, ids := range [][]uint64{down, scattered, {90}, nil} {
		got, err := page(ids)
		if err != nil || got != want(ids) {
			t.Errorf("%v: %v\n got %s\nwant %s", ids, err, got, want(ids))
		}
	}
	if _, err := page([]uint64{101, 100, 99}); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("missing order: %v, want ErrNotFound", err)
	}
	if _, err := page([]uint64{92}); err == nil {
		t.Error("a record that is not JSON: no error")
	}
}
