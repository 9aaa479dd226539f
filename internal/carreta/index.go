package carreta

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
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
//   - bucketDueBlocks: when each order on an automatic path makes its
//     next move (due.go; bucketDue is its layout before blocks). Start-up
//     queues these instead of reading every order.
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
	for _, name := range []string{bucketOrderIndex, bucketDueBlocks, bucketDue} {
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
	// grams index the comments (commentgrams.go).
	grams *commentGrams
	// found keeps the places (ascending) whose comment holds a filter
	// that the scan serves, for its deep pages (foundPlaces). Its mutex is
	// a leaf, taken under columns.mu's read lock.
	foundMu sync.Mutex
	found   map[string]*foundPlaces
}

// foundPlaces are the places among the first upTo whose comment holds
// one filter, ascending.
type foundPlaces struct {
	places []int32
	upTo   int
}

// maxFound is how many filters a column keeps found places for; past it
// they are dropped and found again. At 100k orders a filter that every
// comment holds keeps 400 KB.
const maxFound = 8

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
	return col.find(n, []byte(filter), page)
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
	from := len(col.ids)
	defer col.index(from)
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

// page is match on the column's first n places. It walks back from the
// newest place in windows of about columnWindow bytes that start and end on
// comment boundaries (a hit never spans two comments, so none is lost at a
// window's edge), finds every hit of a window with forward bytes.Index,
// which is vectorised where bytes.LastIndex is not, and takes them newest
// first. After a hit the scan moves to the next comment, so a filter every
// comment matches costs a step per comment, not a search per occurrence.
func (col *commentColumn) page(n int, filter []byte, page int) []uint64 {
	skip := (page - 1) * PageSize
	var ids []uint64
	var hits []int
	for hi := n; hi > 0 && len(ids) < PageSize; {
		lo := col.windowStart(hi)
		hits = col.hits(lo, hi, filter, hits[:0])
		for i := len(hits) - 1; i >= 0 && len(ids) < PageSize; i-- {
			if skip > 0 {
				skip--
				continue
			}
			ids = append(ids, col.ids[hits[i]])
		}
		hi = lo
	}
	return ids
}

// foundIn is the places among the first n whose comment holds filter,
// ascending: those kept from the last time (a filter's deep pages come in
// turn), extended by a scan of the places added since. The scan from the
// newest costs a step per match above the page, so page 1,000 of a
// filter that every comment holds passed 100,000 comments (2 ms of CPU at
// 100k orders, 0.42x of the same place at 1k); kept, it is a slice.
func (col *commentColumn) foundIn(n int, filter []byte) []int32 {
	col.foundMu.Lock()
	defer col.foundMu.Unlock()
	f := col.found[string(filter)]
	if f == nil {
		if col.found == nil || len(col.found) >= maxFound {
			col.found = map[string]*foundPlaces{}
		}
		f = &foundPlaces{}
		col.found[string(filter)] = f
	}
	if n > f.upTo {
		for _, p := range col.hits(f.upTo, n, filter, nil) {
			f.places = append(f.places, int32(p))
		}
		f.upTo = n
	}
	i, _ := slices.BinarySearch(f.places, int32(n))
	return f.places[:i:i] // a reader at an older n sees only its places
}

// columnWindow is about how many bytes of comments page searches at once
// (a variable so that tests can make windows of a few comments).
var columnWindow = 64 << 10

// start is where the comment of place index p begins in text.
func (col *commentColumn) start(p int) int {
	if p == 0 {
		return 0
	}
	return col.ends[p-1]
}

// windowStart is the first place index of the window that ends before
// place index hi: at least one place, about columnWindow bytes.
func (col *commentColumn) windowStart(hi int) int {
	from := col.start(hi) - columnWindow
	lo := sort.Search(hi, func(p int) bool { return col.start(p) >= from })
	return min(lo, hi-1)
}

// hits appends the place indexes in [lo, hi) whose comment contains
// filter, ascending.
func (col *commentColumn) hits(lo, hi int, filter []byte, out []int) []int {
	end := col.ends[hi-1]
	p, at := lo, col.start(lo)
	for at < end {
		i := bytes.Index(col.text[at:end], filter)
		if i < 0 {
			break
		}
		at += i
		for col.ends[p] <= at {
			p++
		}
		if at+len(filter) > col.ends[p] {
			at++ // runs into the next comment: not a hit
			continue
		}
		out = append(out, p)
		at = col.ends[p]
		p++
	}
	return out
}
