package saplab

import (
	mathbits "math/bits"
	"sync"

	"github.com/mockserver/mockserver/internal/saplab/filter"
)

// The drivers of the substring filters on clients (textindex.go gives their
// rows) and of client_name on positions. docs/saplab.md lists which index
// serves which filter.

// matchDriver is a client filter whose rows a textIndex found: one list,
// its count known, so a page of it alone stops at the end of the page.
func matchDriver(m *textMatch) driver {
	return driver{lists: [][]int32{m.rows}, size: len(m.rows), live: len(m.rows), exact: true, accept: m.has}
}

// clientNameDriver is client_name on positions: the positions of the
// clients whose name or organisation contains s. Its count is a sum over
// those clients (their positions, and those not archived), kept until a
// row changes (spanMemo), so a page of it alone reads no row outside the
// page. The rows are walked one of two
// ways, whichever visits fewer for what the walk needs: a merge of the
// clients' lists of positions (its cost grows with the clients), or all
// positions from the newest down with the client checked (its cost grows
// with how far down the page's last row lies: need rows out of the share
// of positions that match).
func (v *view) clientNameDriver(s string) driver {
	cc, oc := &v.clients, &v.orders
	m := cc.nameMatches(s)
	d := driver{exact: true, accept: func(i int32) bool { return m.has(oc.client[i]) }}
	d.size, d.live = v.spans.clientSums(m, func() (size, live int) {
		for _, c := range m.rows {
			size += len(cc.orders[c])
			live += int(cc.live[c])
		}
		return size, live
	})
	n, size := int64(len(oc.id)), int64(d.size)
	d.through = func(need int64, visit func(int32) bool) {
		if size == 0 {
			return
		}
		heap := int64(len(m.rows)) + int64(mathbits.Len(uint(len(m.rows))))*size
		scan := n
		if need >= 0 {
			heap = int64(len(m.rows)) + int64(mathbits.Len(uint(len(m.rows))))*min(need*2, size)
			scan = min(n, need*2*n/size+64)
		}
		if heap <= scan {
			lists := make([][]int32, len(m.rows))
			for k, c := range m.rows {
				lists[k] = cc.orders[c]
			}
			descending(lists, visit)
			return
		}
		for i := int32(n) - 1; i >= 0; i-- {
			if m.has(oc.client[i]) && !visit(i) {
				return
			}
		}
	}
	return d
}

// timeDriver is date_from and date_to through the rows ordered by creation
// (created, one per row) of list (0 clients, 1 positions): two binary
// searches give the rows in range, and one pass over them their count not
// archived (flags, nil for a list without archive) and the lowest and
// highest row among them; that summary is kept until a row changes
// (spanMemo), so paging through one range makes the pass once. Rows are
// created in about id order, so the rows between the lowest and highest
// are mostly in range: the walk goes down from the highest checking the
// date, and a page stops at its end. When the range's rows are spread thin
// between them (dates out of id order), a bitmap of the rows is walked
// instead.
func (v *view) timeDriver(q *filter.Query, list int, bt *byTime, created []int64, flags []uint8) (driver, bool) {
	hasFrom, hasTo := !q.From.IsZero(), !q.To.IsZero()
	if !hasFrom && !hasTo {
		return driver{}, false
	}
	from, to := q.From.UnixMicro(), q.To.UnixMicro()
	in := func(i int32) bool { return (!hasFrom || created[i] >= from) && (!hasTo || created[i] < to) }
	span := bt.span(created, from, to, hasFrom, hasTo)
	d := driver{size: len(span), live: len(span), exact: true, accept: in}
	if len(span) == 0 {
		d.through = func(int64, func(int32) bool) {}
		return d, true
	}
	k := spanKey{list: list, from: from, to: to, hasFrom: hasFrom, hasTo: hasTo}
	sum := v.spans.summary(k, span, flags)
	d.live = sum.live
	lo, hi := sum.lo, sum.hi
	d.through = func(need int64, visit func(int32) bool) {
		width := int64(hi-lo) + 1
		walk := width
		if need >= 0 {
			walk = min(width, (need*2+64)*width/int64(len(span)))
		}
		if walk > int64(len(span))+int64(len(created))/64 {
			descendingBits(rowBits(len(created), span), visit)
			return
		}
		for i := hi; i >= lo; i-- {
			if in(i) && !visit(i) {
				return
			}
		}
	}
	return d, true
}

// spanMemo keeps the summaries of the last date ranges asked for, and the
// counts of the last client_name matches' positions, until a client or
// position changes (forget, under viewMu held exclusively). mu
// guards m: a leaf lock, taken under viewMu held shared.
type spanMemo struct {
	mu sync.Mutex
	m  map[spanKey]spanSum
	// sums are the positions, and those not archived, of the clients of
	// the kept client_name matches (clientNameDriver).
	sums map[*textMatch][2]int
}

// clientSums is the positions and those not archived of match m's
// clients, made by count on a miss.
func (sm *spanMemo) clientSums(m *textMatch, count func() (int, int)) (size, live int) {
	sm.mu.Lock()
	s, ok := sm.sums[m]
	sm.mu.Unlock()
	if ok {
		return s[0], s[1]
	}
	size, live = count()
	sm.mu.Lock()
	if sm.sums == nil || len(sm.sums) >= 64 {
		sm.sums = map[*textMatch][2]int{}
	}
	sm.sums[m] = [2]int{size, live}
	sm.mu.Unlock()
	return size, live
}

type spanKey struct {
	list           int
	from, to       int64
	hasFrom, hasTo bool
}

// spanSum is a range's rows not archived and its lowest and highest row.
type spanSum struct {
	live   int
	lo, hi int32
}

// summary is the summary of span (a range's rows) under k, made on a miss.
func (sm *spanMemo) summary(k spanKey, span []int32, flags []uint8) spanSum {
	sm.mu.Lock()
	s, ok := sm.m[k]
	sm.mu.Unlock()
	if ok {
		return s
	}
	s = spanSum{lo: span[0], hi: span[0]}
	for _, r := range span {
		s.lo, s.hi = min(s.lo, r), max(s.hi, r)
		if flags == nil || flags[r]&fArchived == 0 {
			s.live++
		}
	}
	sm.mu.Lock()
	if sm.m == nil || len(sm.m) >= 64 {
		sm.m = map[spanKey]spanSum{}
	}
	sm.m[k] = s
	sm.mu.Unlock()
	return s
}

// forget drops the kept summaries: a row changed. The caller holds viewMu
// exclusively.
func (sm *spanMemo) forget() { sm.m, sm.sums = nil, nil }
