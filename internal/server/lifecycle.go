package server

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mockserver/mockserver/internal/lifecycle"
)

// CatchUp applies every automatic status move that has fallen due (SPEC
// §12) before the control API shows or moves anything: what
// /__admin/state shows agrees with what a client reads, and a clock moved
// forward leaves every move it passed applied, each stamped with the time
// it fell due. It holds the state gate for reading, as a vendor request
// does, so the views it works on cannot be swapped under it; it must not
// be called with the gate held.
func (w *World) CatchUp() error {
	w.gate.RLock()
	defer w.gate.RUnlock()
	if err := w.carreta.CatchUp(); err != nil {
		return fmt.Errorf("carreta: %w", err)
	}
	if err := w.saplab.CatchUp(); err != nil {
		return fmt.Errorf("saplab: %w", err)
	}
	return nil
}

// Preview lists the automatic status moves a clock move to until would
// apply (SPEC §12), carreta's and saplab's, earliest first (then by API and
// id), without applying any. It holds the state gate for reading, as
// CatchUp does.
func (w *World) Preview(until time.Time) ([]lifecycle.Change, error) {
	w.gate.RLock()
	defer w.gate.RUnlock()
	c, err := w.carreta.Preview(until)
	if err != nil {
		return nil, fmt.Errorf("carreta: %w", err)
	}
	s, err := w.saplab.Preview(until)
	if err != nil {
		return nil, fmt.Errorf("saplab: %w", err)
	}
	out := append(c, s...)
	slices.SortStableFunc(out, func(a, b lifecycle.Change) int {
		return cmp.Or(a.At.Compare(b.At), strings.Compare(a.API, b.API), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}
