package carreta

import (
	"bytes"
	"sync"
)

// A made page of the order list wrote each of its 100 orders from the
// stored record every time (storedorder.go): about half of a made page's
// CPU over HTTP, the same bytes for an order that did not change since the
// last page that showed it. orderCache keeps, per view (so per world),
// the list's encoding of the orders recently listed, each beside a copy
// of the stored record it was written from. A page walks its records as
// before and takes the kept encoding only when the record is the very
// bytes it was made from: an order that moved (a status change, an
// automatic move, a comment) or was written again in any way has other
// bytes and is written afresh, so nothing is ever shown stale and no write
// path needs to tell the cache (a reset or a seed builds a new view, with
// a new cache). The encoding depends on nothing else but the status table,
// which is the view's own.
//
// The cache is bounded: two generations of at most orderCacheMax/2 bytes
// each (the records, their encodings and orderEntryCost for the map). When
// the newer one is full it becomes the older one and the older is dropped;
// an order found in the older one moves to the newer. At the bound the
// orders least recently listed are written from their records again when
// next listed, which costs what every made page cost before.
type orderCache struct {
	t *Statuses // what the encodings were made with

	// mu guards the rest: a page takes it once to look its orders up and
	// once to keep those it wrote, both inside its read transaction.
	// Nothing is taken under it.
	mu       sync.Mutex
	cur, old map[uint64]cachedOrder
	curBytes int
	max      int
}

// cachedOrder is one listed order: buf is the stored record (its first n
// bytes) followed by the list's encoding of it. Never written once kept,
// so a page may copy from it after the lock is released.
type cachedOrder struct {
	buf []byte
	n   int
}

// matches reports whether record is the one c was made from.
func (c cachedOrder) matches(record []byte) bool {
	return c.buf != nil && bytes.Equal(c.buf[:c.n], record)
}

// listed is the order as the list shows it.
func (c cachedOrder) listed() []byte { return c.buf[c.n:] }

// orderCacheMax bounds a view's cache (some 4,000 generated orders, 40
// full pages); orderEntryCost is what an entry costs beside its bytes (its
// map slot and slice header, about).
const (
	orderCacheMax  = 4 << 20
	orderEntryCost = 64
)

// newOrderCache is an empty cache of at most max bytes for orders listed
// with the status table t.
func newOrderCache(t *Statuses, max int) *orderCache {
	return &orderCache{t: t, max: max, cur: map[uint64]cachedOrder{}, old: map[uint64]cachedOrder{}}
}

// forTable is oc when its encodings were made with the status table t,
// else nil (no cache).
func (oc *orderCache) forTable(t *Statuses) *orderCache {
	if oc == nil || oc.t != t {
		return nil
	}
	return oc
}

// lookup sets out[i] to the kept entry of ids[i], or the zero entry.
// An entry found in the older generation moves to the newer one. A nil
// cache finds nothing.
func (oc *orderCache) lookup(ids []uint64, out []cachedOrder) {
	if oc == nil {
		clear(out)
		return
	}
	oc.mu.Lock()
	defer oc.mu.Unlock()
	for i, id := range ids {
		e, ok := oc.cur[id]
		if !ok {
			if e, ok = oc.old[id]; ok {
				delete(oc.old, id)
				oc.keep(id, e)
			}
		}
		out[i] = e
	}
}

// freshOrder is an order a page wrote from its record, to be kept.
type freshOrder struct {
	id uint64
	e  cachedOrder
}

// add keeps the fresh entries.
func (oc *orderCache) add(fresh []freshOrder) {
	if oc == nil || len(fresh) == 0 {
		return
	}
	oc.mu.Lock()
	defer oc.mu.Unlock()
	for _, f := range fresh {
		delete(oc.old, f.id)
		oc.keep(f.id, f.e)
	}
}

// keep puts e in the newer generation under id, which becomes the older
// one first when e would take it past half the bound. Under mu.
func (oc *orderCache) keep(id uint64, e cachedOrder) {
	cost := len(e.buf) + orderEntryCost
	if cost > oc.max/2 {
		return
	}
	if prev, ok := oc.cur[id]; ok {
		oc.curBytes -= len(prev.buf) + orderEntryCost
	} else if oc.curBytes+cost > oc.max/2 {
		oc.old, oc.cur, oc.curBytes = oc.cur, map[uint64]cachedOrder{}, 0
	}
	oc.cur[id] = e
	oc.curBytes += cost
}

// newCachedOrder copies record and its encoding into one entry.
func newCachedOrder(record, listed []byte) cachedOrder {
	buf := make([]byte, 0, len(record)+len(listed))
	return cachedOrder{buf: append(append(buf, record...), listed...), n: len(record)}
}
