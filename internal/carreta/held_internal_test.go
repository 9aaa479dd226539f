package carreta

import (
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// TestHeldAnswers_noPlaintextKeys: what the held answers keep of a URI is
// its hash: a URI that names the api_key twice authenticates with the
// last (queryValue, as Django's QueryDict.get) and still carries the
// first, a key that may name no account, which issue 14 does not let
// outlive its request. A request with no RequestURI (made in process) is
// not held: every such request would share one entry.
func TestHeldAnswers_noPlaintextKeys(t *testing.T) {
	t.Parallel()
	var h heldAnswers
	v := &view{}
	r := httptest.NewRequest("GET", "/v1/order/?api_key=sent-in-error&api_key=demo-key", nil)
	h.put(r, &account{}, []byte("{}"), v, 0)
	if h.cache().Len() != 1 {
		t.Fatalf("%d answers held, want 1", h.cache().Len())
	}
	k, _ := heldKey(r)
	if _, ok := h.cache().Get(k, 0); !ok || strings.Contains(string(k[:]), "demo-key") {
		t.Errorf("the answer is not held under the URI's hash (%v)", ok)
	}
	h.forget()
	r.RequestURI = ""
	h.put(r, &account{}, []byte("{}"), v, 0)
	if h.cache().Len() != 0 {
		t.Error("an answer to a request with no RequestURI was held")
	}
}

// TestHeldAnswers_holdOneVersionWithinBytes: the held answers keep no
// answer a write has made stale (a put under a newer version of the
// view's pages starts them over, as answercache does), and their bodies
// stay within the pages' own bound in bytes: held only by count, 1,024
// stale pages of 50 KB stayed in memory until a Load.
func TestHeldAnswers_holdOneVersionWithinBytes(t *testing.T) {
	t.Parallel()
	var h heldAnswers
	v := &view{}
	page := make([]byte, 64<<10)
	put := func(uri string, body []byte, version uint64) {
		h.put(httptest.NewRequest("GET", uri, nil), &account{}, body, v, version)
	}
	for i := range 4 {
		put("/v1/order/?api_key=k&page="+strconv.Itoa(i+1), page, 1)
	}
	put("/v1/order/1/?api_key=k", []byte("{}"), 2)
	if h.cache().Len() != 1 {
		t.Errorf("%d answers held after a put of a newer version, want 1: the stale ones are kept", h.cache().Len())
	}
	put("/v1/order/?api_key=k", page, 1)
	if h.cache().Len() != 1 {
		t.Error("an answer of an older version was held")
	}
	for i := range 2 * pageCacheMax / len(page) {
		put("/v1/order/?api_key=k&client_comment="+strconv.Itoa(i), page, 3)
		if n := h.cache().Size(); n > pageCacheMax {
			t.Fatalf("%d bytes held after %d puts, past the bound %d", n, i+1, pageCacheMax)
		}
	}
	h.forget()
	put("/v1/order/?api_key=k", []byte("{}"), 0) // a Load's new view starts its pages at 0
	if h.cache().Len() != 1 {
		t.Error("after forget, an answer of the new view's first version was not held")
	}
}
