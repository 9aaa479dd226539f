package pathglob_test

import (
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
}
