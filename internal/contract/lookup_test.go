package contract_test

import (
	"testing"

	"github.com/mockserver/mockserver/internal/contract"
)

// TestLookup pins the routing rules the documents state (x-unrouted,
// x-route-pattern, x-path-rest) as the vendors' routers apply them.
func TestLookup(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		api, method, path, template, miss string
	}{
		{"carreta", "GET", "/v1/order/189330/", "/v1/order/{id}/", ""},
		{"carreta", "HEAD", "/v1/order/189330/history/", "/v1/order/{id}/history/", ""},
		{"carreta", "POST", "/v1/order/", "/v1/order/", ""},
		{"carreta", "POST", "/v1/order", "", "bare-path"},
		{"carreta", "GET", "/v1/order/189330", "", "bare-path"},
		{"carreta", "GET", "/v1/order/abc/", "", "unknown-path"}, // Django's \d+
		{"carreta", "GET", "/v1/order/abc", "", "unknown-path"},  // no slashed path to redirect to
		{"carreta", "GET", "/v1/order//", "", "unknown-path"},
		{"carreta", "PUT", "/v1/profile/", "", "other-method"},
		{"carreta", "OPTIONS", "/v1/search/", "", "other-method"},
		{"amapi", "POST", "/api/login", "/api/login", ""},
		{"amapi", "POST", "/api/login/", "/api/login", ""},
		{"amapi", "POST", "/api/login//", "", "unknown-path"},
		{"amapi", "POST", "/api//login", "", "unknown-path"},
		{"amapi", "GET", "/api/login", "", "other-method"},
		{"amapi", "HEAD", "/api/test/", "/api/test", ""},
		{"amapi", "GET", "/api", "", "unknown-path"},
		{"saplab", "GET", "/panel/client", "/panel/client", ""},
		{"saplab", "GET", "/panel/client/filter", "/panel/client/filter", ""},
		{"saplab", "GET", "/panel/client/filter/", "/panel/client/filter", ""},
		{"saplab", "GET", "/panel/client/filter/client_id/1,2/per_page/5", "/panel/client/filter/{filters}", ""},
		{"saplab", "GET", "/panel/client/filter/client_name/%D0%9F/", "/panel/client/filter/{filters}", ""},
		{"saplab", "GET", "/panel/order/status/", "/panel/order/status", ""},
		{"saplab", "POST", "/panel/order/status/3/", "/panel/order/status/{id}", ""},
		{"saplab", "GET", "/panel/order/status/3", "", "other-method"},
		{"saplab", "GET", "/panel/order/pay/", "", "unknown-path"},
		{"saplab", "GET", "/panel/order/documentds/19,20", "/panel/order/documentds/{ids}", ""},
		{"saplab", "POST", "/panel/client/add_transaction/1", "/panel/client/add_transaction/{id}", ""},
		{"saplab", "GET", "/panel", "", "unknown-path"},
	} {
		k, err := contract.For(c.api)
		if err != nil {
			t.Fatal(err)
		}
		if tmpl, miss := k.Lookup(c.method, c.path); tmpl != c.template || miss != c.miss {
			t.Errorf("%s %s %s: %q %q, want %q %q", c.api, c.method, c.path, tmpl, miss, c.template, c.miss)
		}
	}
}
