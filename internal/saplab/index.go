package saplab

import "slices"

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
}

// index maps a column value to its postings.
type index map[int64]*postings

// add puts row under key; live says the row is not archived. Rows are
// added in row order when a view is built, so add is an append but for a
// row that moves to another key.
func (x index) add(key int64, row int32, live bool) {
	p := x[key]
	if p == nil {
		p = &postings{}
		x[key] = p
	}
	if n := len(p.rows); n == 0 || p.rows[n-1] < row {
		p.rows = append(p.rows, row)
	} else if j, found := slices.BinarySearch(p.rows, row); !found {
		p.rows = slices.Insert(p.rows, j, row)
	}
	if live {
		p.live++
	}
}

// remove takes row from under key.
func (x index) remove(key int64, row int32, live bool) {
	p := x[key]
	if p == nil {
		return
	}
	if j, found := slices.BinarySearch(p.rows, row); found {
		p.rows = slices.Delete(p.rows, j, j+1)
		if live {
			p.live--
		}
	}
	if len(p.rows) == 0 {
		delete(x, key)
	}
}

// relive moves row's count under key when it is archived (live false) or
// brought back.
func (x index) relive(key int64, live bool) {
	if p := x[key]; p != nil {
		if live {
			p.live++
		} else {
			p.live--
		}
	}
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

// zoneRows is how many rows share a zone of zoneMap.
const zoneRows = 1024

// zoneMap keeps the lowest and highest creation time of each run of
// zoneRows rows (PostgreSQL's BRIN): rows are added in id order and ids
// grow with time, so a date filter skips every zone outside its range
// without looking at the rows. A changed time only widens its zone, so a
// zone's bounds always hold its rows.
type zoneMap struct {
	lo, hi []int64
}

// set records that row was created at t.
func (z *zoneMap) set(row int32, t int64) {
	k := int(row / zoneRows)
	for len(z.lo) <= k {
		z.lo = append(z.lo, t)
		z.hi = append(z.hi, t)
	}
	z.lo[k] = min(z.lo[k], t)
	z.hi[k] = max(z.hi[k], t)
}

// outside reports whether no row of the zone holding row can lie in
// [from, to) (zero bounds are open).
func (z *zoneMap) outside(row int32, from, to int64, hasFrom, hasTo bool) bool {
	k := int(row / zoneRows)
	if k >= len(z.lo) {
		return false
	}
	return (hasFrom && z.hi[k] < from) || (hasTo && z.lo[k] >= to)
}
