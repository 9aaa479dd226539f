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
		if len(h.m) > maxHeld {
			t.Fatalf("%d held answers after %d puts", len(h.m), i+1)
		}
	}
	if len(h.m) != 1 {
		t.Errorf("%d held answers after the put past the bound, want 1 (started over)", len(h.m))
	}
	h.forget()
	h.put(heldKey{uri: "/panel/manager"}, []byte("{}"), heldAnswer{})
	if len(h.m) != 0 {
		t.Errorf("an answer with no view's queue was held")
	}
	long := "/panel/client/form/1?" + strings.Repeat("x", maxHeldURI)
	h.put(heldKey{uri: long}, []byte("{}"), at)
	if len(h.m) != 0 {
		t.Errorf("an answer to a URI of %d bytes was held", len(long))
	}
}
