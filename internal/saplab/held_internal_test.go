package saplab

import (
	"strconv"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/lifecycle"
)

// TestHeldAnswers_bounded: past maxHeld entries the held answers start
// over; an answer read with no view (answersAt's zero) or to a URI over
// maxHeldURI is not held.
func TestHeldAnswers_bounded(t *testing.T) {
	t.Parallel()
	var h heldAnswers
	at := heldAnswer{queue: lifecycle.NewQueue()}
	for i := range maxHeld + 1 {
		h.put(heldKey{uri: "/panel/client/form/" + strconv.Itoa(i)}, []byte("{}"), at)
		if h.cache().Len() > maxHeld {
			t.Fatalf("%d held answers after %d puts", h.cache().Len(), i+1)
		}
	}
	if h.cache().Len() != 1 {
		t.Errorf("%d held answers after the put past the bound, want 1 (started over)", h.cache().Len())
	}
	h.forget()
	h.put(heldKey{uri: "/panel/manager"}, []byte("{}"), heldAnswer{})
	if h.cache().Len() != 0 {
		t.Errorf("an answer with no view's queue was held")
	}
	long := "/panel/client/form/1?" + strings.Repeat("x", maxHeldURI)
	h.put(heldKey{uri: long}, []byte("{}"), at)
	if h.cache().Len() != 0 {
		t.Errorf("an answer to a URI of %d bytes was held", len(long))
	}
}

// TestHeldAnswers_holdOneVersionWithinBytes: the held answers keep no
// answer a write has made stale (a put under a newer version of the
// answer cache starts them over, as answercache does), and their bodies
// stay within the answer cache's own bound in bytes: held only by count,
// 1,024 stale list pages of 32 KB stayed in memory until a Load.
func TestHeldAnswers_holdOneVersionWithinBytes(t *testing.T) {
	t.Parallel()
	var h heldAnswers
	q := lifecycle.NewQueue()
	page := make([]byte, 64<<10)
	for i := range 4 {
		h.put(heldKey{uri: "/panel/order/filter/page/" + strconv.Itoa(i)}, page, heldAnswer{version: 1, queue: q})
	}
	h.put(heldKey{uri: "/panel/manager"}, []byte("{}"), heldAnswer{version: 2, queue: q})
	if h.cache().Len() != 1 {
		t.Errorf("%d answers held after a put of a newer version, want 1: the stale ones are kept", h.cache().Len())
	}
	h.put(heldKey{uri: "/panel/order"}, page, heldAnswer{version: 1, queue: q})
	if _, ok := h.cache().Get(heldKey{uri: "/panel/order"}, 1); ok {
		t.Error("an answer of an older version was held")
	}
	for i := range 2 * maxAnswerBytes / len(page) {
		h.put(heldKey{uri: "/panel/client/filter/page/" + strconv.Itoa(i)}, page, heldAnswer{version: 3, queue: q})
		if n := h.cache().Size(); n > maxAnswerBytes {
			t.Fatalf("%d bytes held after %d puts, past the bound %d", n, i+1, maxAnswerBytes)
		}
	}
}

// TestHeldAnswers_noURI: a request with no RequestURI (one made in
// process, not read from a connection) is not held: every such request of
// a login would share one entry, whatever its path.
func TestHeldAnswers_noURI(t *testing.T) {
	t.Parallel()
	var h heldAnswers
	h.put(heldKey{}, []byte("{}"), heldAnswer{queue: lifecycle.NewQueue()})
	if n := h.cache().Len(); n != 0 {
		t.Errorf("%d answers held for a request with no URI", n)
	}
}
