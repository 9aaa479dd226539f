package saplab

import (
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// textIndex answers a substring filter on a text column of the clients
// (client_name on the names and organisations, email on the emails) with a
// trigram index: every three consecutive characters of a text, hashed, map
// to the rows whose text holds them, as sorted lists of row numbers. A
// filter text of three characters or more is then the intersection of its
// trigrams' lists, checked with strings.Contains on the rows it leaves, so
// the answer is exactly a scan's (a hash collision only adds a row to
// check); a shorter text is a scan of the column. Either way the rows found
// for the last few texts are kept until the column changes, so paging
// through one search costs the page.
//
// The trigrams are of characters (runes), not bytes: a Cyrillic letter is
// two bytes, and character trigrams need half the postings. The column
// holds lower-cased text and the filter text is lower-cased by the caller
// as before, so the case folding is strings.ToLower's, unchanged. A filter
// text that is not valid UTF-8 is scanned (a byte match of it may start
// inside a character).
//
// The index is built on the first filter that needs it (about a tenth of a
// second for 100,000 clients), not at start: a server whose panel never
// searches pays nothing for it. After that every change of a row's text
// moves the row between lists (set), under store.viewMu held exclusively.
//
// mu guards everything here: a filter takes it under viewMu held shared (a
// leaf lock: nothing is taken under it), a change under viewMu held
// exclusively.
type textIndex struct {
	mu    sync.Mutex
	grams map[uint32][]int32 // nil until built
	hits  map[string]*textMatch
}

// textMatch is the rows of a column holding one text: ascending, and as a
// bitmap over the column for a check by row.
type textMatch struct {
	rows []int32
	bits []uint64
}

// has reports whether row i holds the text.
func (m *textMatch) has(i int32) bool {
	w := int(i >> 6)
	return w < len(m.bits) && m.bits[w]&(1<<(uint(i)&63)) != 0
}

// newTextMatch is the match of rows (ascending) over a column of n rows.
func newTextMatch(rows []int32, n int) *textMatch {
	m := &textMatch{rows: rows, bits: make([]uint64, (n+63)/64)}
	for _, r := range rows {
		m.bits[r>>6] |= 1 << (uint(r) & 63)
	}
	return m
}

// maxTextHits bounds the texts whose rows are kept.
const maxTextHits = 32

// match is the rows of col (n rows, text(i) the lower-cased text of row
// i) whose text contains s (lower-cased). The result is shared and must
// not be changed. The caller holds viewMu at least shared.
func (x *textIndex) match(n int, text func(int32) string, s string) *textMatch {
	x.mu.Lock()
	defer x.mu.Unlock()
	if m, ok := x.hits[s]; ok {
		return m
	}
	var rows []int32
	if grams, ok := queryGrams(s); ok {
		if x.grams == nil {
			x.build(n, text)
		}
		rows = x.lookup(grams, text, s)
	} else {
		for i := range int32(n) {
			if strings.Contains(text(i), s) {
				rows = append(rows, i)
			}
		}
	}
	m := newTextMatch(rows, n)
	if x.hits == nil || len(x.hits) >= maxTextHits {
		x.hits = map[string]*textMatch{}
	}
	x.hits[s] = m
	return m
}

// set moves row i from the trigrams of old to those of cur (old is ""
// for a new row) and forgets the kept matches. The caller holds viewMu
// exclusively.
func (x *textIndex) set(i int32, old, cur string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.hits = nil
	if x.grams == nil || old == cur {
		return
	}
	for _, g := range textGrams(old, nil) {
		if l := x.grams[g]; l != nil {
			x.grams[g] = removeSorted(l, i)
		}
	}
	for _, g := range textGrams(cur, nil) {
		x.grams[g] = insertSorted(x.grams[g], i)
	}
}

// build indexes every row's trigrams. The lists are first counted (a
// repeat within a text counted too: a few spare places), then filled into
// one array, each list a full slice of it (an append to a
// list later copies that list out, touching no other).
func (x *textIndex) build(n int, text func(int32) string) {
	counts := map[uint32]int32{}
	var gs []uint32
	for i := range int32(n) {
		gs = textGrams(text(i), gs[:0])
		for _, g := range gs {
			counts[g]++
		}
	}
	total := 0
	for _, c := range counts {
		total += int(c)
	}
	all := make([]int32, total)
	x.grams = make(map[uint32][]int32, len(counts))
	at := 0
	for g, c := range counts {
		x.grams[g] = all[at : at : at+int(c)]
		at += int(c)
	}
	for i := range int32(n) {
		gs = textGrams(text(i), gs[:0])
		for _, g := range gs {
			if l := x.grams[g]; len(l) == 0 || l[len(l)-1] != i {
				x.grams[g] = append(l, i)
			}
		}
	}
}

// lookup is the rows holding s: the intersection of the lists of its
// trigrams, smallest first, each row left checked with strings.Contains.
func (x *textIndex) lookup(grams []uint32, text func(int32) string, s string) []int32 {
	lists := make([][]int32, 0, len(grams))
	for _, g := range grams {
		l := x.grams[g]
		if len(l) == 0 {
			return nil
		}
		lists = append(lists, l)
	}
	slices.SortFunc(lists, func(a, b []int32) int { return len(a) - len(b) })
	cand := slices.Clone(lists[0])
	for _, l := range lists[1:] {
		if len(cand) == 0 {
			break
		}
		cand = intersectSorted(cand, l)
	}
	rows := cand[:0]
	for _, r := range cand {
		if strings.Contains(text(r), s) {
			rows = append(rows, r)
		}
	}
	return rows
}

// intersectSorted keeps the rows of a (changed in place) that b holds,
// both ascending: a binary search of b per row of a when a is much the
// shorter, a merge otherwise.
func intersectSorted(a, b []int32) []int32 {
	out := a[:0]
	if len(a)*16 < len(b) {
		for _, r := range a {
			if _, ok := slices.BinarySearch(b, r); ok {
				out = append(out, r)
			}
		}
		return out
	}
	j := 0
	for _, r := range a {
		for j < len(b) && b[j] < r {
			j++
		}
		if j < len(b) && b[j] == r {
			out = append(out, r)
		}
	}
	return out
}

// queryGrams are the distinct trigrams of a filter text, and false when
// it has fewer than three characters or is not valid UTF-8 (then it is
// scanned).
func queryGrams(s string) ([]uint32, bool) {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) < 3 {
		return nil, false
	}
	gs := textGrams(s, nil)
	slices.Sort(gs)
	return slices.Compact(gs), true
}

// textGrams appends the trigrams of s to out (a trigram that repeats in s
// comes again: build keeps a row once per list, set's sorted insert and
// delete find it there once).
func textGrams(s string, out []uint32) []uint32 {
	var r0, r1 rune
	k := 0
	for _, r := range s {
		if k >= 2 {
			out = append(out, gramKey(r0, r1, r))
		}
		r0, r1 = r1, r
		k++
	}
	return out
}

// gramKey hashes three characters into a trigram key.
func gramKey(a, b, c rune) uint32 {
	h := uint32(a)*0x9E3779B1 + uint32(b)
	h = h*0x85EBCA77 + uint32(c)
	return h * 0xC2B2AE3D
}
