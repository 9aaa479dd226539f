package saplab

import (
	"path/filepath"
	"testing"

	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/state"
)

// Ledger entries land in the middle of the ledger index (after their
// client's last one), so its leaves must keep room for them: payments
// spread over 50 clients, one a transaction as the panel makes them, on
// an index built packed (loadColumns), leave its leaves at least 40% full.
// At FillPercent 1 they were 7% full: every fourth write split a leaf (a
// page more to write and flush), leaving a full half that the next entry
// in it split again.
func TestPutLedger_midKeyEntriesKeepLeavesFull(t *testing.T) {
	s, err := state.OpenScratch(filepath.Join(t.TempDir(), "s.db"), clock.New(nil), bIndex)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	const clients = 50
	txID := int64(0)
	if err := s.Update(func(tx *state.Tx) error {
		ledger, err := columns(tx, colLedger)
		if err != nil {
			return err
		}
		ledger.FillPercent = 1 // as loadColumns builds it, in key order
		for c := int64(1); c <= clients; c++ {
			for range 20 {
				txID++
				if err := ledger.Put(ledgerKey(c, txID), nil); err != nil {
					return err
				}
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for i := range 1000 {
		txID++
		if err := s.Update(func(tx *state.Tx) error {
			return putLedger(tx, int64(1+i*7%clients), txID)
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.View(func(tx *state.Tx) error {
		st := tx.Bucket(bIndex).Bucket(colLedger).Stats()
		if use := st.LeafInuse * 100 / st.LeafAlloc; use < 40 {
			t.Errorf("ledger leaves %d%% full (%d leaves)", use, st.LeafPageN)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
