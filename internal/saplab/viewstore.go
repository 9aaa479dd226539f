package saplab

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"slices"
	"time"
	"unsafe"

	"github.com/mockserver/mockserver/internal/money"
	"github.com/mockserver/mockserver/internal/state"
)

// The stored view (issue 16): the built view of a large state (its
// columns, dictionaries, indexes and lifecycle queue) written to a bucket
// of saplab's file beside the rows (bView, a state.Tx.Aside bucket), so
// that a restart reads a few dozen flat arrays instead of decoding 600,000
// column records and building every index from them.
//
// It is a cache of the rows, never the truth: it is tagged with the
// part's generation (a reseed) and the count of saplab writes (keyCommits,
// which every write bumps in its own transaction), and Load uses it only
// when both match the file it reads and every check below passes; else it
// builds the view from the column records as before (loadView). A kill -9
// after a write therefore costs a bulk build, never a wrong answer.
//
// It is written after a seeding and at a graceful shutdown (API.SaveView),
// when the view has storeRows rows or more, unless the stored one already
// has the current tag: the common restart (stop, start) finds it valid.
//
// Layout: the bucket holds a header under keyViewHeader and the arrays as
// values under state.Key(0), state.Key(1), ... in the order encode writes
// them, each a flat little-endian array (int64, int32, uint32 or bytes),
// strings as one value of their end offsets and one of their bytes. The
// header holds the magic, viewFormat, the tag, the row counts, the number
// of values and a CRC-32C of all of them in key order.

// bView is the Aside bucket of the stored view.
const bView = "saplab.view"

var (
	keyViewHeader = []byte("header")
	viewMagic     = [8]byte{'s', 'a', 'p', 'v', 'i', 'e', 'w', 0}
	crcTable      = crc32.MakeTable(crc32.Castagnoli)
	// errStoredView is a stored view that fails a check.
	errStoredView = errors.New("saplab: stored view does not match")
)

// viewFormat is the layout version; another is rebuilt from the rows.
const viewFormat = 1

// storeRows is the view size (clients and positions) from which the view
// is stored: below it the build from the column records is a few tens of
// milliseconds and a stored copy not worth its write.
const storeRows = 10_000

// viewTag says which state a view shows: the part's generation and the
// count of saplab writes.
type viewTag struct{ gen, commits uint64 }

// tagOf is the tag of the state tx reads (generation 0 in a file without
// one: a lone state.Store, as in tests; Seed drops the stored view all the
// same, so a reseed never finds an old one).
func tagOf(tx *state.Tx) viewTag {
	gen, _ := tx.Generation()
	return viewTag{gen: gen, commits: commits(tx)}
}

// viewHeader is the stored view's header.
type viewHeader struct {
	tag             viewTag
	clients, orders uint64
	values          uint64
	crc             uint32
}

// headerSize is the header's length: magic, format, five counts, CRC.
const headerSize = 8 + 4 + 8*5 + 4

func (h *viewHeader) encode() []byte {
	b := make([]byte, 0, headerSize)
	b = append(b, viewMagic[:]...)
	b = binary.LittleEndian.AppendUint32(b, viewFormat)
	for _, n := range []uint64{h.tag.gen, h.tag.commits, h.clients, h.orders, h.values} {
		b = binary.LittleEndian.AppendUint64(b, n)
	}
	return binary.LittleEndian.AppendUint32(b, h.crc)
}

// decodeHeader reads a header; a wrong size, magic or format is an error.
func decodeHeader(b []byte) (viewHeader, error) {
	var h viewHeader
	if len(b) != headerSize || [8]byte(b[:8]) != viewMagic || binary.LittleEndian.Uint32(b[8:]) != viewFormat {
		return h, errStoredView
	}
	n := func(i int) uint64 { return binary.LittleEndian.Uint64(b[12+8*i:]) }
	h.tag = viewTag{gen: n(0), commits: n(1)}
	h.clients, h.orders, h.values = n(2), n(3), n(4)
	h.crc = binary.LittleEndian.Uint32(b[headerSize-4:])
	return h, nil
}

// storedTag is the tag of the view stored in the file, if there is one.
func storedTag(tx *state.Tx) (viewTag, bool) {
	b := tx.Aside(bView)
	if b == nil {
		return viewTag{}, false
	}
	h, err := decodeHeader(b.Get(keyViewHeader))
	return h.tag, err == nil
}

// putView stores the values of a view of n clients and m positions
// (encodeView) in tx's file with tag, replacing what was stored.
func putView(tx *state.Tx, vals [][]byte, tag viewTag, n, m int) error {
	h := viewHeader{tag: tag, clients: uint64(n), orders: uint64(m), values: uint64(len(vals))}
	for _, val := range vals {
		h.crc = crc32.Update(h.crc, crcTable, val)
	}
	b, err := tx.NewAside(bView)
	if err != nil {
		return fmt.Errorf("saplab stored view: %w", err)
	}
	for i, val := range vals {
		if err := b.Put(state.Key(uint64(i)), val); err != nil {
			return fmt.Errorf("saplab stored view: %w", err)
		}
	}
	return b.Put(keyViewHeader, h.encode())
}

// loadStoredView reads the stored view into v (a new view holding the
// small tables) when its tag is want and it passes every check. The
// values are read from bbolt's mapping (valid for tx) into v's own arrays.
func loadStoredView(tx *state.Tx, v *view, want viewTag) error {
	b := tx.Aside(bView)
	if b == nil {
		return errStoredView
	}
	h, err := decodeHeader(b.Get(keyViewHeader))
	if err != nil || h.tag != want || h.clients > math.MaxInt32 || h.orders > math.MaxInt32 {
		return errStoredView
	}
	vals := make([][]byte, 0, h.values)
	crc := uint32(0)
	for i := range h.values {
		val := b.Get(state.Key(i))
		if val == nil {
			return errStoredView
		}
		populate(val)
		crc = crc32.Update(crc, crcTable, val)
		vals = append(vals, val)
	}
	if crc != h.crc || b.Get(state.Key(h.values)) != nil {
		return errStoredView
	}
	return decodeView(newViewDec(vals, int(h.clients), int(h.orders)), v, int(h.clients), int(h.orders))
}

// viewEnc collects the values of a stored view.
type viewEnc struct{ vals [][]byte }

func encInts[T ~int64](e *viewEnc, xs []T) {
	b := make([]byte, 8*len(xs))
	for i, x := range xs {
		binary.LittleEndian.PutUint64(b[8*i:], uint64(x))
	}
	e.vals = append(e.vals, b)
}

func encInt32s[T ~int32 | ~uint32](e *viewEnc, xs []T) {
	b := make([]byte, 4*len(xs))
	for i, x := range xs {
		binary.LittleEndian.PutUint32(b[4*i:], uint32(x))
	}
	e.vals = append(e.vals, b)
}

func (e *viewEnc) bytes(b []byte) { e.vals = append(e.vals, slices.Clone(b)) }

// strs stores strings as their end offsets and their bytes.
func (e *viewEnc) strs(xs []string) {
	ends, n := make([]uint32, len(xs)), 0
	for i, s := range xs {
		n += len(s)
		ends[i] = uint32(n)
	}
	text := make([]byte, 0, n)
	for _, s := range xs {
		text = append(text, s...)
	}
	encInt32s(e, ends)
	e.vals = append(e.vals, text)
}

// index stores x as its keys (ascending), each key's live count and row
// count, and the rows of every key one after another.
func (e *viewEnc) index(x *index) {
	keys := x.keys()
	live, count := make([]uint32, len(keys)), make([]uint32, len(keys))
	n := 0
	for _, k := range keys {
		n += len(x.get(k).rows)
	}
	rows := make([]int32, 0, n) // one allocation: an index of 500,000 rows grew through twenty
	for i, k := range keys {
		p := x.get(k)
		live[i], count[i] = uint32(p.live), uint32(len(p.rows))
		rows = append(rows, p.rows...)
	}
	encInts(e, keys)
	encInt32s(e, live)
	encInt32s(e, count)
	encInt32s(e, rows)
}

// encodeView is v's values in the stored layout. What a view derives from
// them in one pass (each client's positions and count of those not
// archived, the positions not archived, the bitmaps) is not stored, nor
// what is built on first use (the trigram indexes).
func encodeView(v *view) [][]byte {
	e := &viewEnc{}
	cc, oc := &v.clients, &v.orders
	encInts(e, cc.id)
	encInts(e, cc.group)
	encInts(e, cc.manager)
	encInts(e, cc.point)
	encInts(e, cc.created)
	w := make([]byte, len(cc.wholesale))
	for i, x := range cc.wholesale {
		if x {
			w[i] = 1
		}
	}
	e.vals = append(e.vals, w)
	e.strs(cc.search)
	e.strs(cc.phone)
	e.strs(cc.email)
	for k := range cc.ix {
		e.index(&cc.ix[k])
	}
	encInt32s(e, cc.byTime.rows)
	for _, col := range [][]int64{oc.id, oc.status, oc.shipping, oc.distributor, oc.created} {
		encInts(e, col)
	}
	encInts(e, oc.total)
	encInt32s(e, oc.client)
	e.bytes(oc.flags)
	for _, d := range []*dict{&oc.names, &oc.brands, &oc.articles, &oc.invoices} {
		e.strs(d.strs)
	}
	for _, col := range [][]uint32{oc.name, oc.brand, oc.article, oc.invoice} {
		encInt32s(e, col)
	}
	for k := range oc.ix {
		e.index(&oc.ix[k])
	}
	encInt32s(e, oc.byTime.rows)
	queued := v.queue.Upto(time.UnixMicro(math.MaxInt64))
	ids, at := make([]int64, len(queued)), make([]int64, len(queued))
	for i, q := range queued {
		ids[i], at[i] = int64(q.ID), q.At.UnixMicro()
	}
	encInts(e, ids)
	encInts(e, at)
	return e.vals
}

// viewDec reads the values of a stored view in order; the first problem
// sticks in err and every later read gives nothing. The large arrays of a
// known length are cut from one allocation per element type (i64, i32,
// u32), each advised to huge pages (adviseHuge).
type viewDec struct {
	vals     [][]byte
	err      error
	i64      arena[int64]
	i32      arena[int32]
	u32      arena[uint32]
	arenaMin int // arrays shorter than this are allocated on their own
}

// arena hands out slices of one allocation. Each gets an eighth more
// capacity than its length, so the rows a running server appends stay in
// place for a while (memory not written is not resident).
type arena[T any] struct{ buf []T }

// newArena is an arena of n elements advised to huge pages.
func newArena[T any](n int) arena[T] {
	buf := make([]T, n)
	if n > 0 {
		adviseHuge(unsafe.Pointer(&buf[0]), uintptr(n)*unsafe.Sizeof(buf[0]))
	}
	return arena[T]{buf: buf}
}

// take is a slice of length n, or nil when the arena has no room left.
func (a *arena[T]) take(n int) []T {
	c := n + n/8
	if c > len(a.buf) {
		return nil
	}
	s := a.buf[:n:c]
	a.buf = a.buf[c:]
	return s
}

// newViewDec is a decoder of vals for n clients and m positions.
func newViewDec(vals [][]byte, n, m int) *viewDec {
	slack := func(k int) int { return k + k/8 }
	return &viewDec{vals: vals, arenaMin: 4096,
		i64: newArena[int64](5*slack(n) + 5*slack(m)),
		i32: newArena[int32](4*slack(n) + slack(n) + 13*slack(m)),
		u32: newArena[uint32](4 * slack(m))}
}

// from is a slice of length k from a when k is large enough, else a new one.
func from[T any](d *viewDec, a *arena[T], k int) []T {
	if k >= d.arenaMin {
		if s := a.take(k); s != nil {
			return s
		}
	}
	return make([]T, k)
}

// next is the next value, of n elements of size bytes (n < 0: any number).
func (d *viewDec) next(size, n int) []byte {
	if d.err != nil || len(d.vals) == 0 {
		d.err = errStoredView
		return nil
	}
	b := d.vals[0]
	d.vals = d.vals[1:]
	if len(b)%size != 0 || (n >= 0 && len(b) != size*n) {
		d.err = errStoredView
		return nil
	}
	return b
}

// decInts reads n int64s (n < 0: any number); col says they are a column
// or rows of a known length, cut from the arena.
func decInts[T ~int64](d *viewDec, n int, col bool) []T {
	b := d.next(8, n)
	var xs []T
	if _, ok := any(xs).([]int64); ok && col {
		xs = any(from(d, &d.i64, len(b)/8)).([]T)
	} else {
		xs = make([]T, len(b)/8)
	}
	for i := range xs {
		xs[i] = T(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return xs
}

// decInt32s is decInts for 32-bit values.
func decInt32s[T ~int32 | ~uint32](d *viewDec, n int, col bool) []T {
	b := d.next(4, n)
	var xs []T
	switch any(xs).(type) {
	case []int32:
		if col {
			xs = any(from(d, &d.i32, len(b)/4)).([]T)
		}
	case []uint32:
		if col {
			xs = any(from(d, &d.u32, len(b)/4)).([]T)
		}
	}
	if xs == nil {
		xs = make([]T, len(b)/4)
	}
	for i := range xs {
		xs[i] = T(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return xs
}

// strs reads n strings (n < 0: any number), cut from one string of their
// bytes: one allocation, not one per row.
func (d *viewDec) strs(n int) []string {
	ends := decInt32s[uint32](d, n, false)
	text := string(d.next(1, -1))
	xs := make([]string, len(ends))
	start := uint32(0)
	for i, end := range ends {
		if end < start || int(end) > len(text) {
			d.err = errStoredView
			return nil
		}
		xs[i], start = text[start:end], end
	}
	if int(start) != len(text) {
		d.err = errStoredView
	}
	return xs
}

// index reads an index over n rows, checking that it is the one
// buildIndex makes of the columns: every row under its key (key(row)),
// once, ascending, and each key's live count right. A dense index's keys
// are below bound (the dictionary's size, or 2 for a flag); bound 0 is an
// index keyed by a map.
func (d *viewDec) index(n int, bound int64, key func(int32) int64, live func(int32) bool) index {
	keys := decInts[int64](d, -1, false)
	lives := decInt32s[uint32](d, len(keys), false)
	count := decInt32s[uint32](d, len(keys), false)
	all := decInt32s[int32](d, n, true)
	if d.err != nil || (bound > 0 && len(keys) > 0 && (keys[0] < 0 || keys[len(keys)-1] >= bound)) {
		d.err = errStoredView
		return index{}
	}
	x := newIndex(bound > 0)
	var lists []postings
	if bound > 0 && len(keys) > 0 {
		x.list = make([]postings, keys[len(keys)-1]+1)
		lists = x.list
	} else {
		lists = make([]postings, len(keys))
	}
	if len(lists) > 0 {
		adviseHuge(unsafe.Pointer(&lists[0]), uintptr(len(lists))*unsafe.Sizeof(lists[0]))
	}
	off := 0
	for s, k := range keys {
		c := int(count[s])
		if c == 0 || c > n-off || (s > 0 && keys[s-1] >= k) {
			d.err = errStoredView
			return index{}
		}
		p := &lists[s]
		if bound > 0 {
			if k < 0 || k >= int64(len(lists)) {
				d.err = errStoredView
				return index{}
			}
			p = &lists[k]
		}
		p.rows = all[off : off+c : off+c]
		off += c
		if !d.postings(p, n, k, key, live) || p.live != int(lives[s]) {
			d.err = errStoredView
			return index{}
		}
		if bound == 0 {
			x.m[k] = p
		}
	}
	if off != n {
		d.err = errStoredView
		return index{}
	}
	return x
}

// postings checks p's rows (in range, ascending, each under k) and sets
// its live count and bitmap.
func (d *viewDec) postings(p *postings, n int, k int64, key func(int32) int64, live func(int32) bool) bool {
	for j, r := range p.rows {
		if r < 0 || int(r) >= n || (j > 0 && p.rows[j-1] >= r) || key(r) != k {
			return false
		}
		if live(r) {
			p.live++
		}
	}
	p.keepBits()
	return true
}

// byTime reads the rows of n by creation, checking their order (created,
// then row; strictly ascending, so each row once).
func (d *viewDec) byTime(n int, created []int64) byTime {
	rows := decInt32s[int32](d, n, true)
	for j, r := range rows {
		if r < 0 || int(r) >= n {
			d.err = errStoredView
			return byTime{}
		}
		if j > 0 {
			p := rows[j-1]
			if c := cmpInt64(created[p], created[r]); c > 0 || (c == 0 && p >= r) {
				d.err = errStoredView
				return byTime{}
			}
		}
	}
	return byTime{rows: rows}
}

// decodeView reads the values into v, n clients and m positions, and
// derives what is not stored. Any problem leaves v half filled and is
// errStoredView: the caller builds a new view instead.
func decodeView(d *viewDec, v *view, n, m int) error {
	if err := decodeClients(d, v, n); err != nil {
		return err
	}
	if err := decodeOrders(d, v, n, m); err != nil {
		return err
	}
	ids, at := decInts[int64](d, -1, false), decInts[int64](d, -1, false)
	if d.err != nil || len(ids) != len(at) || len(d.vals) != 0 {
		return errStoredView
	}
	for i, id := range ids {
		v.queue.Set(uint64(id), time.UnixMicro(at[i]))
	}
	v.derive()
	return nil
}

// decodeClients reads the client columns and indexes.
func decodeClients(d *viewDec, v *view, n int) error {
	cc := &v.clients
	cc.id = decInts[int64](d, n, true)
	cc.group, cc.manager, cc.point = decInts[int64](d, n, true), decInts[int64](d, n, true), decInts[int64](d, n, true)
	cc.created = decInts[int64](d, n, true)
	w := d.next(1, n)
	cc.wholesale = make([]bool, len(w))
	for i, x := range w {
		cc.wholesale[i] = x == 1
	}
	cc.search, cc.phone, cc.email = d.strs(n), d.strs(n), d.strs(n)
	if d.err != nil || !ascending(cc.id) {
		return errStoredView
	}
	all := func(int32) bool { return true }
	for k := range cc.ix {
		bound := int64(0)
		if k == cixWholesale {
			bound = 2
		}
		cc.ix[k] = d.index(n, bound, func(i int32) int64 { return cc.clientKey(k, i) }, all)
	}
	cc.byTime = d.byTime(n, cc.created)
	return d.err
}

// decodeOrders reads the position columns, dictionaries and indexes.
func decodeOrders(d *viewDec, v *view, n, m int) error {
	oc := &v.orders
	oc.id, oc.status, oc.shipping = decInts[int64](d, m, true), decInts[int64](d, m, true), decInts[int64](d, m, true)
	oc.distributor, oc.created = decInts[int64](d, m, true), decInts[int64](d, m, true)
	oc.total = decInts[money.Amount](d, m, false)
	oc.client = decInt32s[int32](d, m, true)
	oc.flags = slices.Clone(d.next(1, m))
	dicts := []*dict{&oc.names, &oc.brands, &oc.articles, &oc.invoices}
	for _, dc := range dicts {
		// Its ids are made on first use (dict.table); the texts are
		// distinct as dict.id wrote them, and the CRC says they are those.
		dc.strs = d.strs(-1)
	}
	cols := []*[]uint32{&oc.name, &oc.brand, &oc.article, &oc.invoice}
	for c, col := range cols {
		*col = decInt32s[uint32](d, m, true)
		for _, id := range *col {
			if int(id) >= len(dicts[c].strs) {
				d.err = errStoredView
				break
			}
		}
	}
	if d.err != nil || !ascending(oc.id) || slices.ContainsFunc(oc.client, func(c int32) bool { return c < 0 || int(c) >= n }) {
		return errStoredView
	}
	notArchived := func(i int32) bool { return oc.flags[i]&fArchived == 0 }
	for k := range oc.ix {
		oc.ix[k] = d.index(m, orderBound(k, dicts), func(i int32) int64 { return v.orderKey(k, i) }, notArchived)
	}
	oc.byTime = d.byTime(m, oc.created)
	return d.err
}

// orderBound is the bound of dense position index k's keys (viewDec.index),
// 0 for one keyed by a map.
func orderBound(k int, dicts []*dict) int64 {
	switch {
	case k == ixPayed:
		return 2
	case k >= ixName:
		return max(int64(len(dicts[k-ixName].strs)), 1)
	}
	return 0
}

// ascending reports whether ids strictly grow (rowOf's binary search).
func ascending(ids []int64) bool {
	for i := 1; i < len(ids); i++ {
		if ids[i-1] >= ids[i] {
			return false
		}
	}
	return true
}

// derive makes what a view keeps beside its stored arrays, as the bulk
// build does: each client's positions (ascending) and count of those not
// archived, and the positions not archived, as a list and as a bitmap.
func (v *view) derive() {
	oc, cc := &v.orders, &v.clients
	count := make([]int32, len(cc.id))
	cc.live = make([]int32, len(cc.id))
	nlive := 0
	for i, c := range oc.client {
		count[c]++
		if oc.flags[i]&fArchived == 0 {
			cc.live[c]++
			nlive++
		}
	}
	cc.orders = make([][]int32, len(cc.id))
	all, off := make([]int32, len(oc.id)), 0
	for c := range cc.orders {
		cc.orders[c] = all[off : off : off+int(count[c])]
		off += int(count[c])
	}
	oc.live = make([]int32, 0, nlive)
	for i, c := range oc.client {
		cc.orders[c] = append(cc.orders[c], int32(i))
		if oc.flags[i]&fArchived == 0 {
			oc.live = append(oc.live, int32(i))
			oc.liveBits = setBit(oc.liveBits, int32(i))
		}
	}
}

// SaveView stores the view in saplab's file (viewstore.go) so that the
// next start reads it instead of building it: the server calls it after a
// seeding and at a graceful shutdown. It writes nothing when the view is
// small (storeRows), or when the file already holds the view of this
// state. It holds off saplab's writes while it runs (writeMu), so the view
// it writes is the file's.
func (a *API) SaveView() error { return a.store.saveView() }

// saveView is SaveView.
func (s *store) saveView() error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.viewMu.RLock()
	v := s.v
	if len(v.clients.id)+len(v.orders.id) < s.storeRows || v.upgrade != nil {
		s.viewMu.RUnlock()
		return nil
	}
	var tag viewTag
	current := false
	if err := s.db.View(func(tx *state.Tx) error {
		t := tagOf(tx)
		have, found := storedTag(tx)
		tag, current = t, t.commits != v.commits || (found && have == t)
		return nil
	}); err != nil || current {
		s.viewMu.RUnlock()
		return err
	}
	vals := encodeView(v)
	n, m := len(v.clients.id), len(v.orders.id)
	s.viewMu.RUnlock()
	return s.db.Update(func(tx *state.Tx) error {
		if tagOf(tx) != tag {
			return nil // cannot happen under writeMu; never store a view as another state's
		}
		return putView(tx, vals, tag, n, m)
	})
}
