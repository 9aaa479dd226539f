package carreta

import (
	"fmt"
	"slices"
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

func TestCommentColumn_page(t *testing.T) {
	t.Parallel()
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
