package server

import "fmt"

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
