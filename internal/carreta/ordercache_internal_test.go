package carreta

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/state"
)

// TestAppendOrderList_cache: a page written with a view's cache of
// written orders is the page written without one, byte for byte, cold,
// warm and with a cache too small to hold a page (every put rotates its
// generations); and once records change (a status move, a comment, another
// form of the record), the warm cache never answers the old bytes.
func TestAppendOrderList_cache(t *testing.T) {
	statuses := NewStatuses(VendorStatuses)
	st := scratchStore(t)
	cases := storedCases(t)
	records := map[uint64][]byte{}
	var ids []uint64
	for i, data := range cases {
		id := uint64(100 + len(cases) - 1 - i) // newest first: the cursor steps back
		records[id] = data
		ids = append(ids, id)
	}
	records[90] = []byte(notInPlace[4]) // decoded and encoded, and kept alike
	ids = append(ids, 90)
	put := func() {
		t.Helper()
		if err := putOrders(st, records); err != nil {
			t.Fatal(err)
		}
	}
	page := func(oc *orderCache) string {
		t.Helper()
		var out []byte
		err := st.View(func(tx *state.Tx) (err error) {
			out, err = appendOrderList(tx, []byte("x"), ids, statuses, oc)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	put()
	want := page(nil)
	warm := newOrderCache(statuses, orderCacheMax)
	tiny := newOrderCache(statuses, 3*(len(cases[0])*3+orderEntryCost)) // about one order a generation
	other := newOrderCache(NewStatuses(VendorStatuses), orderCacheMax)  // made for another status table
	for round := range 3 {
		for name, oc := range map[string]*orderCache{"warm": warm, "tiny": tiny, "other table": other} {
			if got := page(oc); got != want {
				t.Fatalf("round %d, %s cache:\n got %s\nwant %s", round, name, got, want)
			}
		}
	}
	if len(warm.cur) != len(ids) {
		t.Errorf("warm cache keeps %d orders, want %d", len(warm.cur), len(ids))
	}
	if n := len(other.cur) + len(other.old); n != 0 {
		t.Errorf("a cache made for another status table keeps %d orders", n)
	}
	// Every order changes: a status move, a comment, and the same order
	// re-marshalled in another member order (read in two steps).
	for id, data := range records {
		switch {
		case id == 90:
			records[id] = []byte(strings.Replace(string(data), `"status":1`, `"status":3`, 1))
		case id%2 == 0:
			records[id] = withMember(t, data, "status:14")
		default:
			records[id] = withMember(t, data, `comment:"Отгружено"`)
		}
		if bytes.Equal(records[id], data) {
			t.Fatalf("order %d: not changed", id)
		}
	}
	put()
	want2 := page(nil)
	if want2 == want {
		t.Fatal("the page did not change")
	}
	for name, oc := range map[string]*orderCache{"warm": warm, "tiny": tiny} {
		if got := page(oc); got != want2 {
			t.Errorf("%s cache after the moves:\n got %s\nwant %s", name, got, want2)
		}
	}
}

// TestOrderCache_bound: the cache never holds more than its bound, in
// either generation, however many orders pass through it; an order
// looked up in the older generation moves to the newer one.
func TestOrderCache_bound(t *testing.T) {
	statuses := NewStatuses(VendorStatuses)
	const max = 64 << 10
	oc := newOrderCache(statuses, max)
	record, listed := bytes.Repeat([]byte("r"), 400), bytes.Repeat([]byte("l"), 500)
	size := func(m map[uint64]cachedOrder) int {
		n := 0
		for _, e := range m {
			n += len(e.buf) + orderEntryCost
		}
		return n
	}
	for id := range uint64(1000) {
		oc.add([]freshOrder{{id, newCachedOrder(record, listed)}})
		if c, o := size(oc.cur), size(oc.old); c > max/2 || o > max/2 || c != oc.curBytes {
			t.Fatalf("after %d orders: newer %d bytes (counted %d), older %d, bound %d", id+1, c, oc.curBytes, o, max)
		}
	}
	var oldest uint64
	for id := range oc.old {
		oldest = id
		break
	}
	hits := make([]cachedOrder, 1)
	oc.lookup([]uint64{oldest}, hits)
	if !hits[0].matches(record) || string(hits[0].listed()) != string(listed) {
		t.Fatal("an order of the older generation not found")
	}
	if _, ok := oc.cur[oldest]; !ok {
		t.Error("an order found in the older generation did not move to the newer")
	}
	if _, ok := oc.old[oldest]; ok {
		t.Error("an order found in the older generation is still there")
	}
	oc.lookup([]uint64{5000}, hits)
	if hits[0].matches(record) || hits[0].buf != nil {
		t.Error("an order never kept was found")
	}
	big := newCachedOrder(bytes.Repeat([]byte("r"), max), listed)
	oc.add([]freshOrder{{7000, big}})
	if _, ok := oc.cur[7000]; ok {
		t.Error("an order larger than a generation was kept")
	}
}

// TestAppendOrderList_cacheConcurrent: readers sharing one cache while a
// writer flips every record between two versions, each flip in one
// transaction: every page read is one version's page, whole, never a mix
// of kept and stored orders (run with -race).
func TestAppendOrderList_cacheConcurrent(t *testing.T) {
	statuses := NewStatuses(VendorStatuses)
	st := scratchStore(t)
	cases := storedCases(t)
	var ids []uint64
	versions := [2]map[uint64][]byte{{}, {}}
	for i, data := range cases {
		id := uint64(100 + len(cases) - 1 - i)
		ids = append(ids, id)
		versions[0][id] = data
		versions[1][id] = withMember(t, data, "status:14")
	}
	write := func(v int) error { return putOrders(st, versions[v]) }
	page := func(oc *orderCache) (string, error) {
		var out []byte
		err := st.View(func(tx *state.Tx) (err error) {
			out, err = appendOrderList(tx, nil, ids, statuses, oc)
			return err
		})
		return string(out), err
	}
	var want [2]string
	for v := range want {
		if err := write(v); err != nil {
			t.Fatal(err)
		}
		var err error
		if want[v], err = page(nil); err != nil {
			t.Fatal(err)
		}
	}
	oc := newOrderCache(statuses, orderCacheMax)
	done := make(chan struct{})
	errs := make(chan error, 9)
	go func() {
		defer close(done)
		for i := range 200 {
			if err := write(i % 2); err != nil {
				errs <- err
				return
			}
		}
		errs <- nil
	}()
	for range 8 {
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				got, err := page(oc)
				if err == nil && got != want[0] && got != want[1] {
					err = fmt.Errorf("a page of neither version:\n%s", got)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for range 9 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
