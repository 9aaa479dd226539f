package saplab

import (
	mathbits "math/bits"
	"slices"
)

// The view's indexes: what a PostgreSQL behind the real panel would keep as
// B-tree indexes on the filtered columns, so that a page of a filtered list
// costs what the page costs, not what the table holds. Each index maps a
// column value to its postings: the rows holding it, in row (that is id)
// order, and how many of them are not archived, so that the page count of a
// one-filter list is read, not counted. docs/saplab.md lists which index
// serves which filter.

// postings are the rows holding one value of an indexed column.
type postings struct {
	rows []int32 // ascending
	live int     // rows not archived
	// bits are the rows again as a bitmap, kept for postings that hold a
	// large share of the rows (bitmaps.go): nil for the others.
	bits []uint64
}

// index maps a column value to its postings. A column whose values are
// 0, 1, 2, ... (the dictionary ids of the texts, the flags) keeps them in
// a list indexed by value (dense): the invoice index of 100k/500k has
// 250,000 values, and a map of them cost 9 MB and most of a restart's
// time in maps. Other columns (ids, phone hashes) keep a map. A value
// without rows has no postings (get is nil), in either form.
type index struct {
	dense bool
	list  []postings // dense: postings by value; rows empty for none
	m     map[int64]*postings
}

// newIndex is an empty index, dense or keyed by a map.
func newIndex(dense bool) index {
	if dense {
		return index{dense: true}
	}
	return index{m: map[int64]*postings{}}
}

// get is key's postings, nil when no row holds key.
func (x *index) get(key int64) *postings {
	if !x.dense {
		return x.m[key]
	}
	if key < 0 || key >= int64(len(x.list)) || len(x.list[key].rows) == 0 {
		return nil
	}
	return &x.list[key]
}

// slot is key's postings, made empty when there are none.
func (x *index) slot(key int64) *postings {
	if !x.dense {
		p := x.m[key]
		if p == nil {
			p = &postings{}
			x.m[key] = p
		}
		return p
	}
	if key < 0 {
		panic("saplab index: a dense index's values are not negative")
	}
	for int64(len(x.list)) <= key {
		x.list = append(x.list, postings{})
	}
	return &x.list[key]
}

// keys are the values that have rows, ascending.
func (x *index) keys() []int64 {
	keys := make([]int64, 0, max(len(x.m), len(x.list)))
	if x.dense {
		for k := range x.list {
			if len(x.list[k].rows) > 0 {
				keys = append(keys, int64(k))
			}
		}
		return keys
	}
	for k := range x.m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// add puts row under key; live says the row is not archived. Rows are
// added in row order when a view is built, so add is an append but for a
// row that moves to another key.
func (x *index) add(key int64, row int32, live bool) {
	p := x.slot(key)
	if n := len(p.rows); n == 0 || p.rows[n-1] < row {
		p.rows = append(p.rows, row)
	} else if j, found := slices.BinarySearch(p.rows, row); !found {
		p.rows = slices.Insert(p.rows, j, row)
	}
	if live {
		p.live++
	}
	p.addBit(row)
}

// remove takes row from under key.
func (x *index) remove(key int64, row int32, live bool) {
	p := x.get(key)
	if p == nil {
		return
	}
	if j, found := slices.BinarySearch(p.rows, row); found {
		p.rows = slices.Delete(p.rows, j, j+1)
		if live {
			p.live--
		}
		p.clearBit(row)
	}
	if len(p.rows) == 0 {
		if x.dense {
			*p = postings{}
		} else {
			delete(x.m, key)
		}
	}
}

// relive moves row's count under key when it is archived (live false) or
// brought back.
func (x *index) relive(key int64, live bool) {
	if p := x.get(key); p != nil {
		if live {
			p.live++
		} else {
			p.live--
		}
	}
}

// buildIndex is the index of rows 0..n-1 under key(row): one map look-up
// per row (none for keys below n, the dense ones: dictionary ids, statuses,
// groups), and every postings list cut from one allocation of the exact
// size, where appending row by row left up to half of each list unused.
// A list that grows later is copied out of it by append.
func buildIndex(n int, dense bool, key func(int32) int64, live func(int32) bool) index {
	var (
		slots = make([]int32, n) // slot+1 of keys 0..n-1
		other = map[int64]int32{}
		slot  = make([]int32, n) // each row's slot
		keys  []int64
		count []int32
	)
	for i := range int32(n) {
		k := key(i)
		var s int32
		if k >= 0 && k < int64(n) {
			if slots[k] == 0 {
				keys, count = append(keys, k), append(count, 0)
				slots[k] = int32(len(keys))
			}
			s = slots[k] - 1
		} else if got, ok := other[k]; ok {
			s = got
		} else {
			s = int32(len(keys))
			keys, count = append(keys, k), append(count, 0)
			other[k] = s
		}
		slot[i] = s
		count[s]++
	}
	all := make([]int32, n)
	lists := make([]postings, len(keys))
	off := 0
	for s := range lists {
		lists[s].rows = all[off : off : off+int(count[s])]
		off += int(count[s])
	}
	for i := range int32(n) {
		p := &lists[slot[i]]
		p.rows = append(p.rows, i)
		if live(i) {
			p.live++
		}
	}
	x := newIndex(dense)
	for s := range lists {
		lists[s].keepBits()
		if dense {
			*x.slot(keys[s]) = lists[s]
		} else {
			x.m[keys[s]] = &lists[s]
		}
	}
	return x
}

// insertSorted adds row to a sorted list of rows.
func insertSorted(rows []int32, row int32) []int32 {
	if n := len(rows); n == 0 || rows[n-1] < row {
		return append(rows, row)
	}
	if j, found := slices.BinarySearch(rows, row); !found {
		return slices.Insert(rows, j, row)
	}
	return rows
}

// removeSorted takes row from a sorted list of rows.
func removeSorted(rows []int32, row int32) []int32 {
	if j, found := slices.BinarySearch(rows, row); found {
		return slices.Delete(rows, j, j+1)
	}
	return rows
}

// descending walks the union of sorted row lists from the highest row
// down, each row once, until visit returns false: a k-way merge on a small
// heap of the lists' current tails.
func descending(lists [][]int32, visit func(int32) bool) {
	type head struct {
		row  int32
		list int
		at   int // index of row in its list
	}
	h := make([]head, 0, len(lists))
	less := func(a, b int) bool { return h[a].row > h[b].row }
	down := func(i int) {
		for {
			l, r, m := 2*i+1, 2*i+2, i
			if l < len(h) && less(l, m) {
				m = l
			}
			if r < len(h) && less(r, m) {
				m = r
			}
			if m == i {
				return
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	for k, l := range lists {
		if len(l) > 0 {
			h = append(h, head{row: l[len(l)-1], list: k, at: len(l) - 1})
		}
	}
	for i := len(h)/2 - 1; i >= 0; i-- {
		down(i)
	}
	last := int32(-1)
	for len(h) > 0 {
		top := h[0]
		if top.row != last {
			if !visit(top.row) {
				return
			}
			last = top.row
		}
		if top.at == 0 {
			h[0] = h[len(h)-1]
			h = h[:len(h)-1]
		} else {
			h[0] = head{row: lists[top.list][top.at-1], list: top.list, at: top.at - 1}
		}
		down(0)
	}
}

// byTime is rows in order of creation (then of row): a date range is a run
// of it, found by two binary searches. While a view is built (bulk), rows
// are appended and sorted once at the end (settle): inserting rows created
// out of id order one by one moved half the list each time.
type byTime struct {
	rows []int32
	bulk bool
}

// settle sorts the rows appended in bulk and ends bulk mode.
func (b *byTime) settle(created []int64) {
	slices.SortFunc(b.rows, func(x, y int32) int {
		if c := cmpInt64(created[x], created[y]); c != 0 {
			return c
		}
		return cmpInt64(int64(x), int64(y))
	})
	b.bulk = false
}

// pos is where row, created at t, is or would be.
func (b *byTime) pos(created []int64, row int32, t int64) (int, bool) {
	return slices.BinarySearchFunc(b.rows, row, func(r, _ int32) int {
		if c := cmpInt64(created[r], t); c != 0 {
			return c
		}
		return cmpInt64(int64(r), int64(row))
	})
}

// add places row, whose creation time is created[row].
func (b *byTime) add(created []int64, row int32) {
	if b.bulk {
		b.rows = append(b.rows, row)
		return
	}
	if j, found := b.pos(created, row, created[row]); !found {
		b.rows = slices.Insert(b.rows, j, row)
	}
}

// remove takes row out; created[row] must still be the time it was
// placed at.
func (b *byTime) remove(created []int64, row int32) {
	if j, found := b.pos(created, row, created[row]); found {
		b.rows = slices.Delete(b.rows, j, j+1)
	}
}

// span is the rows created in [from, to) (an open bound when has is
// false).
func (b *byTime) span(created []int64, from, to int64, hasFrom, hasTo bool) []int32 {
	lo, hi := 0, len(b.rows)
	if hasFrom {
		lo, _ = slices.BinarySearchFunc(b.rows, from, func(r int32, t int64) int { return cmpInt64(created[r], t) })
	}
	if hasTo {
		hi, _ = slices.BinarySearchFunc(b.rows, to, func(r int32, t int64) int { return cmpInt64(created[r], t) })
	}
	return b.rows[lo:max(lo, hi)]
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// rowBits is the set of rows as a bitmap over n rows: walking it from the
// top gives them in descending order at a cost of n/64 words, however
// they were ordered.
func rowBits(n int, rows []int32) []uint64 {
	bits := make([]uint64, (n+63)/64)
	for _, r := range rows {
		bits[r>>6] |= 1 << (r & 63)
	}
	return bits
}

// descendingBits walks the rows of a bitmap from the highest down, until
// visit returns false.
func descendingBits(bits []uint64, visit func(int32) bool) {
	for w := len(bits) - 1; w >= 0; w-- {
		for x := bits[w]; x != 0; {
			b := 63 - mathbits.LeadingZeros64(x)
			if !visit(int32(w<<6 | b)) {
				return
			}
			x &^= 1 << b
		}
	}
}
