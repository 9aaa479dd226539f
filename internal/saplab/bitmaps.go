package saplab

import (
	mathbits "math/bits"

	"github.com/mockserver/mockserver/internal/saplab/filter"
)

// Bitmaps for filters that each match a large share of the rows: is_payed
// with a common brand, a status with a manager. Walking the smaller index
// and checking the other filter on each of its rows costs as many steps as
// that index holds (tens of thousands at 500,000 positions) for the count
// alone; the AND of the indexes' bitmaps costs a word per 64 rows whatever
// they hold, and the count is a popcount. So a posting that holds at least
// one row in bitsShare of those below its highest, and bitsMin rows, keeps
// its rows as a bitmap beside the list (about 62 KB at 500,000 positions;
// a column of few values has a few such postings, a column of many
// values, such as invoice, none), and the rows not archived are one more
// (orderCols.liveBits). They are kept up to date by index.add and
// index.remove under store.viewMu held exclusively.
// (bitsMin is a variable so that a test can make bitmaps of a small view.)
var bitsMin = 2048

const bitsShare = 32

// addBit puts row in p's bitmap, making the bitmap when p has become
// large enough to keep one.
func (p *postings) addBit(row int32) {
	if p.bits != nil {
		p.bits = setBit(p.bits, row)
		return
	}
	if len(p.rows) < bitsMin || int(row) > len(p.rows)*bitsShare {
		return
	}
	for _, r := range p.rows {
		p.bits = setBit(p.bits, r)
	}
}

// keepBits makes p's bitmap when p, built in bulk (buildIndex), is large
// enough to keep one by addBit's rule.
func (p *postings) keepBits() {
	n := len(p.rows)
	if p.bits != nil || n < bitsMin || int(p.rows[n-1]) > n*bitsShare {
		return
	}
	p.bits = make([]uint64, 0, int(p.rows[n-1])/64+1)
	for _, r := range p.rows {
		p.bits = setBit(p.bits, r)
	}
}

// clearBit takes row out of p's bitmap.
func (p *postings) clearBit(row int32) {
	if p.bits != nil {
		p.bits = clearBit(p.bits, row)
	}
}

// setBit sets row in bits, growing it when needed.
func setBit(bits []uint64, row int32) []uint64 {
	w := int(row >> 6)
	for len(bits) <= w {
		bits = append(bits, 0)
	}
	bits[w] |= 1 << (uint(row) & 63)
	return bits
}

// clearBit clears row in bits.
func clearBit(bits []uint64, row int32) []uint64 {
	if w := int(row >> 6); w < len(bits) {
		bits[w] &^= 1 << (uint(row) & 63)
	}
	return bits
}

// bitmapPage answers a list of two or more index filters (and nothing
// else) from their bitmaps, with live the rows not archived (nil: all
// count), over n rows: one pass over the words from the top, counting
// every row all of them hold and keeping the page's. It declines (false)
// when a filter has no bitmap, or when the smallest index is small enough
// that walking it costs less than the words. A lone index filter with a
// bitmap is answered here too for a deep page (its count is the index's):
// the words down to the page are counted by popcount, not walked row by
// row, and the pass stops at the end of the page.
func bitmapPage(q *filter.Query, ds []driver, ps []pred, live []uint64, n int) (page, bool) {
	if len(ds) == 1 && len(ps) == 0 && q.Offset() >= deepOffset {
		return deepBitmapPage(q, ds[0], live)
	}
	if len(ds) < 2 || len(ps) > 0 {
		return page{}, false
	}
	smallest := ds[0].size
	for _, d := range ds {
		if d.bitmap == nil || d.through != nil || len(d.lists) != 1 || !d.exact {
			return page{}, false
		}
		smallest = min(smallest, d.size)
	}
	words := (n + 63) / 64
	if smallest <= words*(len(ds)+1)/4 {
		return page{}, false
	}
	// The AND is empty past the shortest bitmap.
	maps := make([][]uint64, 0, len(ds)+1)
	if live != nil {
		maps = append(maps, live)
	}
	for _, d := range ds {
		maps = append(maps, d.bitmap)
	}
	for _, m := range maps {
		words = min(words, len(m))
	}
	first, rest := maps[0][:words], maps[1:]
	var p page
	off, end := q.Offset(), q.Offset()+int64(q.PerPage)
	for w := words - 1; w >= 0; w-- {
		x := first[w]
		for _, m := range rest {
			x &= m[w]
		}
		if x == 0 {
			continue
		}
		c := int64(mathbits.OnesCount64(x))
		if p.total+c > off && p.total < end {
			p.rows = pageBits(p.rows, x, w, p.total, off, end)
		}
		p.total += c
	}
	return p, true
}

// pageBits appends the rows of word w's bits x (highest first) whose
// place among the list's rows, counted from seen, is in [off, end).
func pageBits(rows []int32, x uint64, w int, seen, off, end int64) []int32 {
	for ; x != 0; seen++ {
		b := 63 - mathbits.LeadingZeros64(x)
		if seen >= off && seen < end {
			rows = append(rows, int32(w<<6|b))
		}
		x &^= 1 << b
	}
	return rows
}

// deepOffset is the offset from which a lone index's page is found by
// popcount in its bitmap rather than by walking its rows.
const deepOffset = 512

// deepBitmapPage is a deep page of one index filter d from its bitmap and
// live (nil: every row counts); false when d keeps no bitmap or its count
// is unknown.
func deepBitmapPage(q *filter.Query, d driver, live []uint64) (page, bool) {
	if d.bitmap == nil || d.through != nil || len(d.lists) != 1 || !d.exact {
		return page{}, false
	}
	p := page{total: int64(d.size)}
	words := len(d.bitmap)
	if live != nil {
		p.total = int64(d.live)
		words = min(words, len(live))
	}
	off, end := q.Offset(), q.Offset()+int64(q.PerPage)
	seen := int64(0)
	for w := words - 1; w >= 0 && seen < end; w-- {
		x := d.bitmap[w]
		if live != nil {
			x &= live[w]
		}
		c := int64(mathbits.OnesCount64(x))
		if seen+c > off {
			p.rows = pageBits(p.rows, x, w, seen, off, end)
		}
		seen += c
	}
	return p, true
}
