package carreta

import (
	"bytes"
	"slices"
	"unicode/utf8"
)

// commentGrams index an account's comment column by the runs of one, two
// and three characters of each comment: each run maps to the places
// (indexes into the column, ascending) whose comment holds it. A filter of
// three characters or fewer is then exactly one list, read from its end
// for the page whatever the page (the scan of the column costs the places
// down to the page, a millisecond per 100,000 for a deep page); a longer
// filter is the intersection of its three-character runs' lists, each
// place left checked with bytes.Contains, when its smallest list is short
// next to the places a scan would pass over for the page (a filter that
// matches little). Otherwise the column is scanned as before (page).
//
// Keys are the runes themselves, not hashes, so a list of a short filter
// holds exactly the comments that contain it. A comment's invalid UTF-8
// reads as utf8.RuneError: a filter holding that rune, or not valid UTF-8,
// is scanned.
//
// The index is built with the column, on the account's first filtered
// list, and extended with it; both under columns.mu held for writing.
type commentGrams struct {
	ids   map[gramKey]int32 // a run's list in lists
	lists [][]int32
}

// list is the places of run k, ascending.
func (g *commentGrams) list(k gramKey) []int32 {
	if id, ok := g.ids[k]; ok {
		return g.lists[id]
	}
	return nil
}

// id is run k's list, made on first sight.
func (g *commentGrams) id(k gramKey) int32 {
	id, ok := g.ids[k]
	if !ok {
		id = int32(len(g.lists))
		g.ids[k] = id
		g.lists = append(g.lists, nil)
	}
	return id
}

// gramKey is a run of one to three characters; unused places are -1.
type gramKey [3]rune

// gramsOf appends the runs of one to three characters of s (a run that
// repeats in s comes again: index keeps a place once per list).
func gramsOf(s []byte, out []gramKey) []gramKey {
	r0, r1 := rune(-1), rune(-1)
	for len(s) > 0 {
		r, size := utf8.DecodeRune(s)
		s = s[size:]
		out = append(out, gramKey{r, -1, -1})
		if r1 >= 0 {
			out = append(out, gramKey{r1, r, -1})
		}
		if r0 >= 0 {
			out = append(out, gramKey{r0, r1, r})
		}
		r0, r1 = r1, r
	}
	return out
}

// index adds places [from, len(col.ids)) to the column's grams. A new
// column's are made in two passes: the runs numbered and counted, then
// the lists, each made once at about its length, filled by number without
// a second lookup.
func (col *commentColumn) index(from int) {
	var ks []gramKey
	if col.grams == nil {
		col.grams = &commentGrams{ids: map[gramKey]int32{}}
		var seq []int32 // the runs' numbers, place after place
		var counts []int32
		ends := make([]int, 0, len(col.ids)-from)
		for p := from; p < len(col.ids); p++ {
			ks = gramsOf(col.comment(p), ks[:0])
			for _, k := range ks {
				id := col.grams.id(k)
				if int(id) == len(counts) {
					counts = append(counts, 0)
				}
				counts[id]++
				seq = append(seq, id)
			}
			ends = append(ends, len(seq))
		}
		for id, c := range counts {
			col.grams.lists[id] = make([]int32, 0, c)
		}
		at := 0
		for i, end := range ends {
			p := int32(from + i)
			for _, id := range seq[at:end] {
				if l := col.grams.lists[id]; len(l) == 0 || l[len(l)-1] != p {
					col.grams.lists[id] = append(l, p)
				}
			}
			at = end
		}
		return
	}
	for p := from; p < len(col.ids); p++ {
		ks = gramsOf(col.comment(p), ks[:0])
		for _, k := range ks {
			id := col.grams.id(k)
			if l := col.grams.lists[id]; len(l) == 0 || l[len(l)-1] != int32(p) {
				col.grams.lists[id] = append(l, int32(p))
			}
		}
	}
}

// comment is the text of place index p.
func (col *commentColumn) comment(p int) []byte {
	return col.text[col.start(p):col.ends[p]]
}

// find is page (1-based) of the ids of the first n places whose comment
// contains filter, newest first: through the grams when they answer it
// for less than a scan, else by the scan (page) for the first page and
// the places found and kept (foundIn) for a deeper one.
func (col *commentColumn) find(n int, filter []byte, page int) []uint64 {
	places, ok := col.lookup(n, filter, page)
	if !ok && page == 1 {
		return col.page(n, filter, page) // the page is near the newest
	}
	if !ok {
		places = col.foundIn(n, filter)
	}
	skip := (page - 1) * PageSize
	var ids []uint64
	for i := len(places) - 1 - skip; i >= 0 && len(ids) < PageSize; i-- {
		ids = append(ids, col.ids[places[i]])
	}
	return ids
}

// lookup is the places among the first n whose comment contains filter,
// ascending (at least the newest page*PageSize of them), and false when
// the grams should not answer it.
func (col *commentColumn) lookup(n int, filter []byte, page int) ([]int32, bool) {
	if col.grams == nil || len(filter) == 0 || !utf8.Valid(filter) || bytes.ContainsRune(filter, utf8.RuneError) {
		return nil, false
	}
	below := func(l []int32) []int32 {
		i, _ := slices.BinarySearch(l, int32(n))
		return l[:i]
	}
	rs := []rune(string(filter))
	if len(rs) <= 3 {
		k := gramKey{-1, -1, -1}
		copy(k[:], rs)
		return below(col.grams.list(k)), true
	}
	var lists [][]int32
	for i := 0; i+3 <= len(rs); i++ {
		l := below(col.grams.list(gramKey{rs[i], rs[i+1], rs[i+2]}))
		if len(l) == 0 {
			return nil, true
		}
		lists = append(lists, l)
	}
	slices.SortFunc(lists, func(a, b []int32) int { return len(a) - len(b) })
	need := page * PageSize
	if len(lists[0])*8 <= n {
		return col.walk(lists[0], filter, need), true
	}
	// A scan passes about need/share places for the page; the lists cost
	// about their smallest's length.
	if scan := need * n / len(lists[0]); len(lists[0])*4 > scan {
		return nil, false
	}
	cand := slices.Clone(lists[0])
	for _, l := range lists[1:] {
		cand = intersectPlaces(cand, l)
	}
	out := cand[:0]
	for _, p := range cand {
		if bytes.Contains(col.comment(int(p)), filter) {
			out = append(out, p)
		}
	}
	return out, true
}

// walk is the newest need places of list (ascending) whose comment
// contains filter, ascending. A comment that contains the filter holds
// each of its runs, so the places of its rarest run are all the
// candidates, and the walk stops at the page. It serves a filter whose
// rarest run is in at most an eighth of the comments: its candidates are
// a subset of what a scan would pass, however its matches lie (a scan
// from the newest passed 80,000 comments for "заказ №1" at 100k orders,
// whose matches are the old ones, where the share of the run promised
// 900).
func (col *commentColumn) walk(list []int32, filter []byte, need int) []int32 {
	var out []int32
	for i := len(list) - 1; i >= 0 && len(out) < need; i-- {
		if bytes.Contains(col.comment(int(list[i])), filter) {
			out = append(out, list[i])
		}
	}
	slices.Reverse(out)
	return out
}

// intersectPlaces keeps the places of a (changed in place) that b holds,
// both ascending.
func intersectPlaces(a, b []int32) []int32 {
	out := a[:0]
	for _, p := range a {
		if _, ok := slices.BinarySearch(b, p); ok {
			out = append(out, p)
		}
	}
	return out
}
