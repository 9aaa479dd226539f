package journal

import (
	"strings"
	"testing"
)

// TestBounded_countsTheHeadersItKeeps: what an entry counts against the
// budget is its strings, the fixed overheads and the headers it keeps,
// whether they fit (summed in the same walk that checks them) or were cut
// (summed over what was kept).
func TestBounded_countsTheHeadersItKeeps(t *testing.T) {
	for _, tc := range []struct {
		name    string
		headers map[string][]string
		cut     bool
	}{
		{"none", nil, false},
		{"ordinary", map[string][]string{"Accept": {"*/*"}, "X-Two": {"a", "bc"}}, false},
		{"a value too long", map[string][]string{"Accept": {"*/*"}, "X-Big": {strings.Repeat("v", MaxPart+1)}}, true},
		{"too many bytes", map[string][]string{"A": {strings.Repeat("a", MaxPart)}, "B": {strings.Repeat("b", MaxPart)},
			"C": {strings.Repeat("c", MaxPart), strings.Repeat("c", MaxPart), strings.Repeat("c", MaxPart), strings.Repeat("c", MaxPart),
				strings.Repeat("c", MaxPart), strings.Repeat("c", MaxPart), strings.Repeat("c", MaxPart), strings.Repeat("c", MaxPart)}}, true},
	} {
		e := &Entry{API: "carreta", Method: "GET", Path: "/v1/search/", Query: "q=1", Remote: "127.0.0.1:1",
			Headers: tc.headers, Body: "b", ResponseBody: "{}"}
		bound(e)
		if got := len(e.Truncated) > 0; got != tc.cut {
			t.Fatalf("%s: cut %v (%v), want %v", tc.name, got, e.Truncated, tc.cut)
		}
		want := int64(entryOverhead + len("carreta") + len("GET") + len("/v1/search/") + len("q=1") + len("127.0.0.1:1") + len("b") + len("{}"))
		for k, vs := range e.Headers {
			want += int64(len(k) + 48)
			for _, v := range vs {
				want += int64(len(v) + 16)
			}
		}
		for _, tr := range e.Truncated {
			want += int64(len(tr) + 16)
		}
		if e.bytes != want {
			t.Errorf("%s: counts %d bytes, want %d", tc.name, e.bytes, want)
		}
	}
}
