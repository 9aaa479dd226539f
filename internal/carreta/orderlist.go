package carreta

import (
	"bytes"
	"encoding/binary"
	"sync"

	"github.com/mockserver/mockserver/internal/state"
)

// AppendOrderPage appends the answer of page (1-based) of the account's
// orders, newest first, keeping only those whose client_comment contains
// filter (lower-cased; empty keeps all): {"objects": [...]} as the list
// shows it, statuses named by t. The unfiltered list is a seek in the list
// index; a filter scans the account's comment column in cols (index.go).
// The orders are written out inside the read transaction, from the stored
// bytes in place or from oc (nil: none) when it holds the very record
// (appendOrderList).
func (s store) AppendOrderPage(dst []byte, accountID uint64, page int, filter string, cols *columns, t *Statuses, oc *orderCache) ([]byte, error) {
	err := s.db.View(func(tx *state.Tx) (err error) {
		var ids []uint64
		if filter == "" {
			ids = pagePlaces(tx, accountID, page)
		} else {
			ids = cols.match(tx, accountID, filter, page)
		}
		dst, err = appendOrderList(tx, dst, ids, t, oc)
		return err
	})
	return dst, err
}

// listScratch is a page's room for its orders' cache entries, pooled.
type listScratch struct {
	hits  []cachedOrder
	fresh []freshOrder
}

var listScratches = sync.Pool{New: func() any { return new(listScratch) }}

// appendOrderList appends {"objects": [...]} of the orders ids as the list
// shows them: each order as oc kept it when its record is the one it was
// made from, else written from the record (appendListedOrder) and then
// kept. One cursor walks the orders: a page's ids mostly go down one by
// one (an account's orders are its places), so the next is most often the
// previous key, a step instead of a seek from the root.
func appendOrderList(tx *state.Tx, dst []byte, ids []uint64, t *Statuses, oc *orderCache) ([]byte, error) {
	sc := listScratches.Get().(*listScratch)
	defer func() {
		clear(sc.hits) // the pool holds no entry alive
		clear(sc.fresh)
		listScratches.Put(sc)
	}()
	sc.hits = append(sc.hits[:0], make([]cachedOrder, len(ids))...)
	sc.fresh = sc.fresh[:0]
	oc = oc.forTable(t)
	oc.lookup(ids, sc.hits)
	c := tx.Bucket(bucketOrders).Cursor()
	var key [8]byte
	var k, v []byte
	dst = append(dst, `{"objects": [`...)
	for i, id := range ids {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		binary.BigEndian.PutUint64(key[:], id) // state.Key, without allocating
		if i > 0 && id+1 == ids[i-1] {
			k, v = c.Prev()
		}
		if !bytes.Equal(k, key[:]) {
			if k, v = c.Seek(key[:]); !bytes.Equal(k, key[:]) {
				return dst, state.ErrNotFound
			}
		}
		if h := sc.hits[i]; h.matches(v) {
			dst = append(dst, h.listed()...)
			continue
		}
		start := len(dst)
		var err error
		if dst, err = appendListedOrder(dst, v, t); err != nil {
			return dst, err
		}
		if oc != nil {
			sc.fresh = append(sc.fresh, freshOrder{id, newCachedOrder(v, dst[start:])})
		}
	}
	oc.add(sc.fresh)
	return append(dst, "]}"...), nil
}
