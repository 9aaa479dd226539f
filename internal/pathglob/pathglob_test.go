package pathglob_test

import (
	"path"
	"strconv"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/pathglob"
)

func TestMatch(t *testing.T) {
	cases := []struct {
		pattern, path string
		want          bool
	}{
		{"/v1/order/", "/v1/order/", true},
		{"/v1/order/", "/v1/order", false},
		{"/v1/order/*/", "/v1/order/12/", true},
		{"/v1/order/*/", "/v1/order/12/history/", false},
		{"/v1/order/*/history/", "/v1/order/12/history/", true},
		{"/v1/**", "/v1/order/12/history/", true},
		{"/v1/**", "/v1", true},
		{"/panel/**/pay/*", "/panel/order/pay/20", true},
		{"/panel/order/pay/*", "/panel/order/pay/20,21", true},
		{"/api/*", "/api/login", true},
		{"/api/*", "/api/login/x", false},
		{"/**", "/anything/at/all", true},
		{"/api/log*", "/api/login", true},
	}
	for _, c := range cases {
		if got := pathglob.Match(c.pattern, c.path); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.pattern, c.path, got, c.want)
		}
	}
	if pathglob.Valid("/a/[") {
		t.Error("an unclosed bracket is not a valid pattern")
	}
	if pathglob.Valid("/**/a/**/b/**/c/**") || !pathglob.Valid("/**/a/**/b/**") {
		t.Error("at most three ** segments make a valid pattern")
	}
}

func TestMatch_edges(t *testing.T) {
	cases := []struct {
		pattern, path string
		want          bool
	}{
		{"/v1/**/history/", "/v1/order/7/history/", true},
		{"/v1/**/history/", "/v1/history/", true},
		{"/v1/**/history/", "/v1/order/7/", false},
		{"/**/pay/*", "/panel/order/pay/20", true},
		{"/*", "/", true},
		{"/*", "", false},
		{"/a/*/", "/a/b", false},
		{"/a/*", "/a/b/", false},
		{"**", "/anything", true},
	}
	for _, c := range cases {
		if got := pathglob.Match(c.pattern, c.path); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.pattern, c.path, got, c.want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { pathglob.Match("/panel/**/pay/*", "/panel/order/pay/20") }); n != 0 {
		t.Errorf("Match allocates %v times per call", n)
	}
}

// reference is the recursive matcher Match replaced: obviously right,
// exponential in the ** count. The fuzz target holds Match to it on inputs
// small enough for it to finish.
func reference(pat, p string) bool {
	for {
		seg, rest, more := strings.Cut(pat, "/")
		if seg == "**" {
			if !more {
				return true
			}
			for {
				if reference(rest, p) {
					return true
				}
				_, next, ok := strings.Cut(p, "/")
				if !ok {
					return false
				}
				p = next
			}
		}
		pseg, prest, pmore := strings.Cut(p, "/")
		if ok, err := path.Match(seg, pseg); err != nil || !ok {
			return false
		}
		if !pmore {
			for more {
				if seg, rest, more = strings.Cut(rest, "/"); seg != "**" {
					return false
				}
			}
			return true
		}
		if !more {
			return false
		}
		pat, p = rest, prest
	}
}

func TestMatch_reference(t *testing.T) {
	pats := []string{"/**", "**", "/**/", "/a/**/b", "/**/a/**", "/**/a/**/b/**", "/*/**/*", "/a*/**/*b/",
		"/**/**", "/a/**/**/b", "/**/a/*/a/**", "/[ab]/**/?", "/*/"}
	paths := []string{"", "/", "//", "/a", "/a/", "/a/b", "/a/b/", "/b/a/b", "/a/a/a/b", "/ab/x/yb/", "/a/x/a/b/c",
		"/a/b/a/b/a", "a/b", "/x/a/y/a/z"}
	for _, pat := range pats {
		for _, p := range paths {
			if got, want := pathglob.Match(pat, p), reference(pat, p); got != want {
				t.Errorf("Match(%q, %q) = %v, the reference says %v", pat, p, got, want)
			}
		}
	}
}

// TestMatch_linear proves the match linear by counting, not timing: a path
// of 20,000 segments against two ** (13 s under the old matcher, which held
// the injector's lock meanwhile) makes at most a constant number of
// path.Match calls per segment.
func TestMatch_linear(t *testing.T) {
	long := strings.Repeat("/x", 20_000)
	for _, pat := range []string{"/**/a/**/b", "/**/x/**/x/**/y", "/**/*/**/*/**/y/z"} {
		if pathglob.Match(pat, long) {
			t.Errorf("%q matched a path of x segments", pat)
		}
		n := pathglob.Steps(pat, long)
		if segs := 20_000 + 1; n > segs*strings.Count(pat, "/") {
			t.Errorf("%q against 20,000 segments took %d segment matches, more than %d", pat, n, segs*strings.Count(pat, "/"))
		}
	}
}

func FuzzMatch(f *testing.F) {
	f.Add("/v1/**/x/*", "/v1/a/b/x/c")
	f.Add("/**/a/**/b/**", "/a/a/b/b/a")
	f.Add("**", "")
	f.Fuzz(func(t *testing.T, pattern, p string) {
		if !pathglob.Valid(pattern) {
			return
		}
		got := pathglob.Match(pattern, p)
		if !pathglob.IsGlob(pattern) && got != (pattern == p) {
			t.Fatalf("exact pattern %q vs %q: %v", pattern, p, got)
		}
		if got && !strings.Contains(pattern, "**") && strings.Count(pattern, "/") != strings.Count(p, "/") {
			t.Fatalf("%q matched %q with a different number of segments", pattern, p)
		}
		if pathglob.IsGlob(pattern) && len(pattern) <= 64 && len(p) <= 64 {
			if want := reference(pattern, p); got != want {
				t.Fatalf("Match(%q, %q) = %v, the reference says %v", pattern, p, got, want)
			}
		}
	})
}

// BenchmarkMatch_long matches paths of 2,000 and 20,000 x segments
// against /**/x/**/y, the worst case of the recursive matcher (the first
// ** matches at every segment, the second then tries every rest): linear
// matching makes the second about ten times the first; the recursive one
// made it a hundred times (and 13 s at 20,000).
func BenchmarkMatch_long(b *testing.B) {
	for _, n := range []int{2_000, 20_000} {
		long := strings.Repeat("/x", n)
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				pathglob.Match("/**/x/**/y", long)
			}
		})
	}
}
