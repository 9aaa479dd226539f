package carreta

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/mockserver/mockserver/internal/state"
)

// The order list and the lifecycle read two indexes kept in the state file
// beside the orders, each written in the transaction that writes the order,
// so that neither a page nor a start-up costs more as the history grows:
//
//   - bucketOrderIndex: key account id (8 bytes) + the order's place among
//     the account's orders (8 bytes: 1, 2, ...), value the order id (8
//     bytes) + its client_comment lower-cased. Orders are never deleted
//     but by a reset, which empties the index with them, so an account's
//     places run 1..N without gaps, in id order: page p of the list
//     (newest first) is places N-100(p-1) down to N-100p+1, one seek.
//   - bucketDue: key order id, value the time its next automatic move falls
//     due (8 bytes, Unix nanoseconds; 0 for an order of the retired status
//     table, due at once). Start-up queues these instead of reading every
//     order.
//
// The client_comment filter is a substring match, which no ordered key can
// serve: it scans a compact column (commentColumn) built from the index on
// the account's first filtered list and extended as orders arrive.
const (
	bucketOrderIndex = "carreta.order_index"
	bucketDue        = "carreta.due"
)

// indexKey is the key of an account's place in bucketOrderIndex.
func indexKey(accountID, place uint64) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k, accountID)
	binary.BigEndian.PutUint64(k[8:], place)
	return k
}

// lastPlace is the place of the account's newest order, 0 when it has none.
func lastPlace(tx *state.Tx, accountID uint64) uint64 {
	c := tx.Bucket(bucketOrderIndex).Cursor()
	k, _ := c.Seek(indexKey(accountID+1, 0))
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	if len(k) != 16 || binary.BigEndian.Uint64(k) != accountID {
		return 0
	}
	return binary.BigEndian.Uint64(k[8:])
}

// indexOrder puts order id, the account's newest, in the list index.
func indexOrder(tx *state.Tx, accountID, id uint64, clientComment string) error {
	v := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(clientComment)), id)
	v = append(v, strings.ToLower(clientComment)...)
	return appending(tx, bucketOrderIndex).Put(indexKey(accountID, lastPlace(tx, accountID)+1), v)
}

// setDue records when order id's next automatic move falls due; the zero
// time is "at once".
func setDue(tx *state.Tx, id uint64, at time.Time) error {
	var ns int64
	if !at.IsZero() {
		ns = at.UnixNano()
	}
	return tx.Bucket(bucketDue).Put(state.Key(id), binary.BigEndian.AppendUint64(nil, uint64(ns)))
}

// dropDue forgets order id's automatic moves: it has none left.
func dropDue(tx *state.Tx, id uint64) error {
	return tx.Bucket(bucketDue).Delete(state.Key(id))
}

// forEachDue calls fn with every order that has an automatic move to make.
func forEachDue(tx *state.Tx, fn func(id uint64, at time.Time)) {
	_ = tx.ForEach(bucketDue, func(k, v []byte) error {
		id, ok := state.ID(k)
		if !ok || len(v) != 8 {
			return nil
		}
		var at time.Time
		if ns := int64(binary.BigEndian.Uint64(v)); ns != 0 {
			at = time.Unix(0, ns)
		}
		fn(id, at)
		return nil
	})
}

// pagePlaces returns the order ids of page (1-based) of the account's
// orders, newest first, unfiltered: a seek and at most PageSize steps.
func pagePlaces(tx *state.Tx, accountID uint64, page int) []uint64 {
	n := lastPlace(tx, accountID)
	skip := uint64(page-1) * PageSize
	if page < 1 || skip >= n {
		return nil
	}
	c := tx.Bucket(bucketOrderIndex).Cursor()
	ids := make([]uint64, 0, min(PageSize, n-skip))
	for k, v := c.Seek(indexKey(accountID, n-skip)); k != nil && len(ids) < PageSize; k, v = c.Prev() {
		if len(k) != 16 || binary.BigEndian.Uint64(k) != accountID || len(v) < 8 {
			break
		}
		ids = append(ids, binary.BigEndian.Uint64(v))
	}
	return ids
}

// indexFresh reports whether the indexes match the orders: the newest
// order is its account's newest in the list index. A file written before
// the indexes existed, or by such a version since, fails it (its index
// lacks the newest order) and is reindexed at start (Reindex).
func indexFresh(tx *state.Tx) (bool, error) {
	k, raw := tx.Bucket(bucketOrders).Cursor().Last()
	if k == nil {
		k, _ := tx.Bucket(bucketOrderIndex).Cursor().First()
		return k == nil, nil
	}
	id, _ := state.ID(k)
	var o orderScan
	if err := json.Unmarshal(raw, &o); err != nil {
		return false, fmt.Errorf("carreta order %d: %w", id, err)
	}
	n := lastPlace(tx, o.AccountID)
	if n == 0 {
		return false, nil
	}
	v := tx.Bucket(bucketOrderIndex).Get(indexKey(o.AccountID, n))
	return len(v) >= 8 && binary.BigEndian.Uint64(v) == id, nil
}

// reindex rebuilds both indexes from every stored order.
func reindex(tx *state.Tx) error {
	for _, name := range []string{bucketOrderIndex, bucketDue} {
		if err := tx.ClearBucket(name); err != nil {
			return err
		}
	}
	return forEachOrder(tx, func(o *orderScan) error {
		if err := indexOrder(tx, o.AccountID, o.ID, o.ClientComment); err != nil {
			return err
		}
		switch {
		case o.StatusVersion < statusVersion:
			return setDue(tx, o.ID, time.Time{})
		case o.Auto != nil:
			return setDue(tx, o.ID, o.Auto.Next)
		}
		return nil
	})
}

// commentColumn is one account's client_comments, lower-cased, end to end
// in one byte slice, in place order: the client_comment filter runs
// bytes.LastIndex over it instead of decoding orders. ends[i] is where the
// comment of place i+1 ends; ids[i] is that order's id.
type commentColumn struct {
	text []byte
	ends []int
	ids  []uint64
}

// columns holds the comment columns of the accounts that have used the
// filter since the view was built.
type columns struct {
	// mu guards m and every column in it: a filtered list reads its
	// column under the read lock and, when the column is behind its own
	// transaction, extends it from the index under the write lock first.
	// Taken inside the list's read transaction; nothing is taken under it.
	mu sync.RWMutex
	m  map[uint64]*commentColumn
}

// match returns page (1-based) of the ids of the account's orders whose
// comment contains filter (lower-cased), newest first, as of tx: the
// column is brought up to tx's last place, and places beyond it (another
// reader's later transaction extended the column) are left out.
func (cs *columns) match(tx *state.Tx, accountID uint64, filter string, page int) []uint64 {
	n := int(lastPlace(tx, accountID))
	cs.mu.RLock()
	col := cs.m[accountID]
	if col == nil || len(col.ids) < n {
		cs.mu.RUnlock()
		cs.extend(tx, accountID, n)
		cs.mu.RLock()
		col = cs.m[accountID]
	}
	defer cs.mu.RUnlock()
	return col.page(n, []byte(filter), page)
}

// extend reads the places the account's column lacks, up to n, from the
// index.
func (cs *columns) extend(tx *state.Tx, accountID uint64, n int) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.m == nil {
		cs.m = map[uint64]*commentColumn{}
	}
	col := cs.m[accountID]
	if col == nil {
		col = &commentColumn{}
		cs.m[accountID] = col
	}
	c := tx.Bucket(bucketOrderIndex).Cursor()
	for k, v := c.Seek(indexKey(accountID, uint64(len(col.ids))+1)); k != nil && len(col.ids) < n; k, v = c.Next() {
		if len(k) != 16 || binary.BigEndian.Uint64(k) != accountID || len(v) < 8 {
			break
		}
		col.text = append(col.text, v[8:]...)
		col.ends = append(col.ends, len(col.text))
		col.ids = append(col.ids, binary.BigEndian.Uint64(v))
	}
}

// page is match on the column's first n places. Walking back from the
// end, each bytes.LastIndex finds the last occurrence before the limit;
// the place it falls in is found by stepping back over ends (amortised
// O(1): the walk only goes backwards), and a hit that runs past its
// comment's end (it spans two comments) only moves the limit.
func (col *commentColumn) page(n int, filter []byte, page int) []uint64 {
	skip := (page - 1) * PageSize
	var ids []uint64
	limit := 0
	if n > 0 {
		limit = col.ends[n-1]
	}
	i := n - 1 // the place whose comment holds limit-1
	for i >= 0 && len(ids) < PageSize {
		at := bytes.LastIndex(col.text[:limit], filter)
		if at < 0 {
			break
		}
		for i > 0 && col.ends[i-1] > at {
			i--
		}
		if at+len(filter) > col.ends[i] {
			limit = col.ends[i] // spans into the next comment
			continue
		}
		if skip > 0 {
			skip--
		} else {
			ids = append(ids, col.ids[i])
		}
		if i == 0 {
			break
		}
		limit, i = col.ends[i-1], i-1
	}
	return ids
}
