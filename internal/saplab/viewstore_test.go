package saplab

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/saplab/filter"
	"github.com/mockserver/mockserver/internal/state"
	bolt "go.etcd.io/bbolt"
)

// changedShop is a random shop built row by row and then changed (as a
// running server's view is), with positions queued for automatic moves.
func changedShop(seed uint64) *view {
	r := rand.New(rand.NewPCG(seed, 7))
	v := randomShop(r, 40, 1500, false)
	for range 300 {
		id := 1 + r.Int64N(int64(len(v.orders.id)))
		v.setOrder(randomOrder(r, id, v.clients.id[v.orders.client[id-1]]))
	}
	for range 10 {
		v.setClient(randomClient(r, 1+r.Int64N(int64(len(v.clients.id)))))
	}
	for id := uint64(1); id < 300; id += 7 {
		v.queue.Set(id, testStart.Add(time.Duration(id)*time.Minute))
	}
	return v
}

// decoded is v through the stored layout: encoded, then read into a new
// view.
func decoded(t *testing.T, v *view) *view {
	t.Helper()
	got := newView()
	if err := decodeView(newViewDec(encodeView(v), len(v.clients.id), len(v.orders.id)), got, len(v.clients.id), len(v.orders.id)); err != nil {
		t.Fatal(err)
	}
	return got
}

// indexRows is an index without its bitmaps (a view built row by row
// keeps them by a rule of its history; the stored one as a bulk build).
func indexRows(x *index) map[int64]postings {
	m := map[int64]postings{}
	for _, k := range x.keys() {
		p := x.get(k)
		m[k] = postings{rows: p.rows, live: p.live}
	}
	return m
}

// A view read back from its stored layout is the view: every column, text,
// dictionary, index and derived list, the lifecycle queue, and so every
// answer of the position and client lists.
func TestStoredView_roundTripIsTheView(t *testing.T) {
	t.Parallel()
	v := changedShop(3)
	got := decoded(t, v)
	oc, goc, cc, gcc := &v.orders, &got.orders, &v.clients, &got.clients
	for name, pair := range map[string][2]any{
		"client ids": {cc.id, gcc.id}, "search": {cc.search, gcc.search}, "phone": {cc.phone, gcc.phone},
		"email": {cc.email, gcc.email}, "group": {cc.group, gcc.group}, "manager": {cc.manager, gcc.manager},
		"point": {cc.point, gcc.point}, "wholesale": {cc.wholesale, gcc.wholesale}, "client created": {cc.created, gcc.created},
		"client orders": {cc.orders, gcc.orders}, "client live": {cc.live, gcc.live}, "client byTime": {cc.byTime.rows, gcc.byTime.rows},
		"order ids": {oc.id, goc.id}, "client": {oc.client, goc.client}, "status": {oc.status, goc.status},
		"shipping": {oc.shipping, goc.shipping}, "distributor": {oc.distributor, goc.distributor}, "flags": {oc.flags, goc.flags},
		"created": {oc.created, goc.created}, "total": {oc.total, goc.total}, "name": {oc.name, goc.name},
		"brand": {oc.brand, goc.brand}, "article": {oc.article, goc.article}, "invoice": {oc.invoice, goc.invoice},
		"names": {oc.names.strs, goc.names.strs}, "brand dict": {oc.brands.table(), goc.brands.table()}, "live": {oc.live, goc.live},
		"liveBits": {oc.liveBits, goc.liveBits}, "byTime": {oc.byTime.rows, goc.byTime.rows},
		"queue": {v.queue.Upto(time.UnixMicro(math.MaxInt64)), got.queue.Upto(time.UnixMicro(math.MaxInt64))},
	} {
		if !reflect.DeepEqual(pair[0], pair[1]) {
			t.Errorf("%s differs:\n got %v\nwant %v", name, pair[1], pair[0])
		}
	}
	for k := range oc.ix {
		if !reflect.DeepEqual(indexRows(&oc.ix[k]), indexRows(&goc.ix[k])) {
			t.Errorf("position index %d differs", k)
		}
	}
	for k := range cc.ix {
		if !reflect.DeepEqual(indexRows(&cc.ix[k]), indexRows(&gcc.ix[k])) {
			t.Errorf("client index %d differs", k)
		}
	}
	sameAnswers(t, v, got)
}

// sameAnswers compares every test query's page of both lists.
func sameAnswers(t *testing.T, want, got *view) {
	t.Helper()
	for _, list := range []struct {
		paths []string
		kind  filter.Spec
		find  func(*view, *filter.Query) page
	}{{testQueries, filter.Orders, (*view).findOrders}, {testClientQueries, filter.Clients, (*view).findClients}} {
		for _, path := range list.paths {
			q, err := filter.Parse(path, list.kind)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			w, g := list.find(want, q), list.find(got, q)
			if w.total != g.total || !slices.Equal(w.rows, g.rows) {
				t.Fatalf("%s: got %d %v, want %d %v", path, g.total, g.rows, w.total, w.rows)
			}
		}
	}
}

// A stored layout cut short or changed anywhere is refused or read
// without a panic; one cut short is always refused (each value's length
// is checked against the row counts and the others), and so are changes
// the checks are for: a row under another key, the creation order broken,
// a dictionary id out of range, a position of no client.
func TestStoredView_damagedLayoutIsRefused(t *testing.T) {
	t.Parallel()
	v := changedShop(4)
	vals := encodeView(v)
	n, m := len(v.clients.id), len(v.orders.id)
	try := func(vals [][]byte) (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("panic: %v", r)
				t.Error(err)
			}
		}()
		return decodeView(newViewDec(vals, n, m), newView(), n, m)
	}
	for i := range vals {
		cut := slices.Clone(vals)
		if len(cut[i]) > 0 {
			cut[i] = cut[i][:len(cut[i])-1]
			if try(cut) == nil {
				t.Errorf("value %d one byte short was read", i)
			}
		}
		for _, at := range []int{0, len(vals[i]) / 2, len(vals[i]) - 1} {
			if at < 0 || at >= len(vals[i]) {
				continue
			}
			flipped := slices.Clone(vals)
			flipped[i] = slices.Clone(vals[i])
			flipped[i][at] ^= 0x5a
			_ = try(flipped) // a changed value may still be a valid view; it must not panic
		}
	}
	if try(vals[:len(vals)-1]) == nil || try(append(slices.Clone(vals), nil)) == nil {
		t.Error("a value missing or one too many was read")
	}
	if err := try(vals); err != nil {
		t.Fatalf("the layout itself: %v", err)
	}
}

// storedShop is a shop of 40 generated clients and 400 positions, enough
// for its view to be stored with storeRows lowered.
func storedShop() *Section {
	sec := upgradeShop()
	sec.Generate = Generate{Clients: 40, Orders: 400}
	return sec
}

// seedAndSave seeds sec into a new file at path, takes its answers to
// every list query and stores its view (of any size), as a seeding of a
// large state followed by a graceful stop does.
func seedAndSave(t *testing.T, path string, sec *Section) (*API, *state.Store, string) {
	t.Helper()
	a, st := openTestAPI(t, path, sec, true)
	a.store.storeRows = 1
	want := answers(t, a)
	if err := a.SaveView(); err != nil {
		t.Fatal(err)
	}
	return a, st, want
}

// reopen opens the file at path again, as a restart does, with views of
// any size stored.
func reopen(t *testing.T, path string, sec *Section) (*API, *state.Store) {
	t.Helper()
	a, st := openTestAPI(t, path, sec, false)
	a.store.storeRows = 1
	return a, st
}

// A restart reads the view stored at the last stop and answers as the
// view built from the rows; a write after the view was stored (and a
// process killed before it could store it again) makes the next start
// build it from the rows, with the write; a reseed drops it.
func TestStoredView_isUsedOnlyForItsState(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "s.db")
	sec := storedShop()
	a, st, want := seedAndSave(t, path, sec)
	_ = st.Close()

	b, st := reopen(t, path, sec)
	if !b.store.v.stored {
		t.Fatal("the stored view was not read")
	}
	if got := answers(t, b); got != want {
		t.Fatalf("from the stored view:\n%s\nwant\n%s", got, want)
	}
	sameAnswers(t, a.store.v, b.store.v)
	// A write, then the process ends without storing the view (kill -9).
	if err := b.store.BookTransaction(1, 777, "пополнение"); err != nil {
		t.Fatal(err)
	}
	want = answers(t, b)
	_ = st.Close()

	c, st := reopen(t, path, sec)
	if c.store.v.stored {
		t.Fatal("a view stored before a write was read after it")
	}
	if got := answers(t, c); got != want {
		t.Fatalf("after the write:\n%s\nwant\n%s", got, want)
	}
	// Stored again at this stop; a reseed of the file drops it.
	if err := c.SaveView(); err != nil {
		t.Fatal(err)
	}
	if err := st.Reset(nil, func(tx *state.Tx) error { return c.Seed(tx, sec, 1) }); err != nil {
		t.Fatal(err)
	}
	if err := st.View(func(tx *state.Tx) error {
		if tx.Aside(bView) != nil {
			t.Error("a reseed kept the stored view")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// A stored view damaged in the file (a byte changed, a value cut short or
// lost, the header changed) is not read: the start builds the view from
// the rows and answers as before.
func TestStoredView_damagedInTheFileIsRebuilt(t *testing.T) {
	t.Parallel()
	for name, damage := range map[string]func(b *bolt.Bucket) error{
		"a byte changed": func(b *bolt.Bucket) error {
			val := slices.Clone(b.Get(state.Key(3)))
			val[len(val)/2] ^= 1
			return b.Put(state.Key(3), val)
		},
		"a value cut short": func(b *bolt.Bucket) error {
			val := b.Get(state.Key(0))
			return b.Put(state.Key(0), slices.Clone(val[:len(val)-8]))
		},
		"a value lost": func(b *bolt.Bucket) error { return b.Delete(state.Key(5)) },
		"a header cut": func(b *bolt.Bucket) error { return b.Put(keyViewHeader, slices.Clone(b.Get(keyViewHeader)[:20])) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "s.db")
			sec := storedShop()
			_, st, want := seedAndSave(t, path, sec)
			if err := st.Update(func(tx *state.Tx) error { return damage(tx.Aside(bView)) }); err != nil {
				t.Fatal(err)
			}
			_ = st.Close()
			b, _ := reopen(t, path, sec)
			if b.store.v.stored {
				t.Fatal("a damaged stored view was read")
			}
			if got := answers(t, b); got != want {
				t.Fatalf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}
