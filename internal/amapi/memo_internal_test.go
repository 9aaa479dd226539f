package amapi

import (
	"testing"

	"github.com/mockserver/mockserver/internal/state/statetest"
)

// The Memos hand out clones that callers change (authenticate restamps the
// token): every slice and pointer of a token and a user must be copied,
// the ones added later included.
func TestClone_tokenAndUserShareNothing(t *testing.T) {
	statetest.CheckClone(t, (*tokenRecord).clone)
	statetest.CheckClone(t, (*userRecord).clone)
}
