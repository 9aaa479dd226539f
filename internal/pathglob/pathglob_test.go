package pathglob_test

import (
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

func FuzzMatch(f *testing.F) {
	f.Add("/v1/**/x/*", "/v1/a/b/x/c")
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
	})
}
