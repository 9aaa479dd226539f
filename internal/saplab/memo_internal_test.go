package saplab

import (
	"testing"

	"github.com/mockserver/mockserver/internal/state/statetest"
)

// The Memos hand out clones that callers change (a pay flips is_payed and
// moves the balance): every slice and pointer of a position and a client
// must be copied, the ones added later included.
func TestClone_positionAndClientShareNothing(t *testing.T) {
	statetest.CheckClone(t, (*order).clone)
	statetest.CheckClone(t, (*client).clone)
}
