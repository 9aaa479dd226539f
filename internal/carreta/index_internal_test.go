package carreta

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// column builds a comment column of comments, order ids 1, 2, ... in place
// order.
func column(comments ...string) *commentColumn {
	col := &commentColumn{}
	for i, c := range comments {
		col.text = append(col.text, strings.ToLower(c)...)
		col.ends = append(col.ends, len(col.text))
		col.ids = append(col.ids, uint64(i+1))
	}
	return col
}

// Not parallel: it sets the package's columnWindow, which the other
// column tests read (go test -race caught the two running together).
func TestCommentColumn_page(t *testing.T) {
	many := make([]string, 250)
	for i := range many {
		many[i] = fmt.Sprint("партия ", i%3)
	}
	tests := []struct {
		name     string
		comments []string
		n        int // places of the column the caller's transaction sees
		filter   string
		page     int
		want     []uint64
	}{
		{"newest_first", []string{"ab", "xab", "b", "abab"}, 4, "ab", 1, []uint64{4, 2, 1}},
		{"a_hit_across_two_comments_is_none", []string{"xa", "bx"}, 2, "ab", 1, nil},
		{"a_spanning_hit_hides_no_real_one", []string{"ab", "a", "b"}, 3, "ab", 1, []uint64{1}},
		{"empty_comments_match_nothing", []string{"", "a", "", ""}, 4, "a", 1, []uint64{2}},
		{"the_whole_comment", []string{"склад-2", "склад-22"}, 2, "склад-2", 1, []uint64{2, 1}},
		{"places_beyond_the_transaction_are_left_out", []string{"a", "a", "a"}, 2, "a", 1, []uint64{2, 1}},
		{"no_places", []string{"a"}, 0, "a", 1, nil},
		{"a_filter_longer_than_all", []string{"a", "b"}, 2, "abc", 1, nil},
		{"page_two_skips_the_first_hundred", many, 250, "партия 1", 2, nil},
		{"page_one_holds_a_hundred", many, 250, "партия", 1, seq(250, 151)},
		{"page_three_holds_the_rest", many, 250, "партия", 3, seq(50, 1)},
		{"past_the_end", many, 250, "партия", 4, nil},
	}
	for _, window := range []int{64 << 10, 1, 7, 40} {
		defer func(w int) { columnWindow = w }(columnWindow)
		columnWindow = window
		for _, tc := range tests {
			t.Run(fmt.Sprint(tc.name, "/window=", window), func(t *testing.T) {
				if got := column(tc.comments...).page(tc.n, []byte(tc.filter), tc.page); !slices.Equal(got, tc.want) {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			})
		}
	}
	// partia 1 is places 2, 5, 8, ... (i%3 == 1 at i = place-1): 83 of them.
	got := column(many...).page(250, []byte("партия 1"), 1)
	if len(got) != 83 || got[0] != 248 || got[82] != 2 {
		t.Fatalf("партия 1: %d hits, %v", len(got), got)
	}
}

// seq is from, from-1, ..., to.
func seq(from, to uint64) []uint64 {
	var out []uint64
	for i := from; i >= to; i-- {
		out = append(out, i)
	}
	return out
}

// The grams answer every filter as the scan of the column does: short
// filters from one list, long ones from the intersection of their
// three-character lists (checked), on random comments that share many
// runs, some with bytes that are not UTF-8, for every page and for a
// transaction that sees fewer places than the column holds.
func TestCommentColumn_gramsAgreeWithTheScan(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 8))
	parts := []string{"заказ", " ", "№", "1", "2", "12", "ab", "Ё", "ё", "\xff", "склад-2", "x"}
	comment := func() string {
		var b strings.Builder
		for range r.IntN(6) {
			b.WriteString(parts[r.IntN(len(parts))])
		}
		return b.String()
	}
	comments := make([]string, 700)
	for i := range comments {
		comments[i] = comment()
	}
	// Every trigram of "аз №1" without the text itself, now and then.
	for i := 3; i < len(comments); i += 50 {
		comments[i] = "заказ №2 №1"
	}
	// A rare run whose matches are all old (the walk of its places).
	for i := range 60 {
		comments[i] = "склад-9 q" + strconv.Itoa(i)
	}
	col := column(comments[:400]...)
	col.index(0)
	more := column(comments...)
	col.text, col.ends, col.ids = more.text, more.ends, more.ids
	col.index(400) // extended as orders arrive
	scan := column(comments...)
	filters := []string{"склад-9", "ад-9 q1", "-9 q", "№", "1", "12", "№1", "заказ", "з", "аз", "аз №1", "склад-2", "ab", "abab", "xx", "ё", "\xff", "заказ ", "2№", "ё1"}
	for range 40 {
		c := strings.ToLower(comments[r.IntN(len(comments))])
		if c != "" {
			i := r.IntN(len(c))
			filters = append(filters, c[i:i+1+r.IntN(len(c)-i)])
		}
	}
	for _, f := range filters {
		for _, n := range []int{400, 700, 650, 0} { // kept found places extended, then read at an older n
			for page := 1; page <= 8; page++ {
				got, want := col.find(n, []byte(f), page), scan.page(n, []byte(f), page)
				if !slices.Equal(got, want) {
					t.Fatalf("%q, n %d, page %d: got %v, want %v", f, n, page, got, want)
				}
			}
			if places, ok := col.lookup(n, []byte(f), 1); ok {
				var want []int32
				for p := range n {
					if bytes.Contains(col.comment(p), []byte(f)) {
						want = append(want, int32(p))
					}
				}
				// the newest page of them at least (a walk stops there)
				if len(places) < min(PageSize, len(want)) || !slices.Equal(places, want[len(want)-len(places):]) {
					t.Fatalf("lookup %q, n %d: got %v, want %v", f, n, places, want)
				}
			}
		}
	}
}
