package carreta

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/lifecycle"
	"github.com/mockserver/mockserver/internal/state"
	"gopkg.in/yaml.v3"
)

// TestInsert_rowIsMarshal: the order row insert stores (the head written
// by hand, the "auto" member spliced in when the order starts on its
// path, appendOrderTail's tail) is json.Marshal of the record it returns,
// for awkward strings, an order on its path and one that is not, as the
// rows were before the records were written by hand.
func TestInsert_rowIsMarshal(t *testing.T) {
	var plan lifecycle.Plan
	if err := yaml.Unmarshal([]byte("steps:\n  - status: 3\n    after: {min: 10m, max: 1h}\n"), &plan); err != nil {
		t.Fatal(err)
	}
	l := &Lifecycle{Statuses: NewStatuses(VendorStatuses), NewStatus: 1, Plan: &plan, Seed: 42}
	st := scratchStore(t)
	at := time.Date(2026, 12, 1, 19, 4, 5, 123456789, clock.Moscow)
	for i, s := range awkward {
		for _, follow := range []bool{true, false} {
			n := &newOrder{AccountID: 3, Offer: Offer{Code: s, Maker: s, Name: s, Price: 17511, Qty: s, MinQty: i},
				OrderQty: 10, ClientComment: s, Status: 1, Created: at, Follow: follow}
			p, err := prepareOrder(n, l)
			if err != nil {
				t.Fatal(err)
			}
			var o *orderRecord
			var row []byte
			err = st.Update(func(tx *state.Tx) error {
				var err error
				if o, err = p.insert(tx); err != nil {
					return err
				}
				row = append([]byte(nil), tx.Bucket(bucketOrders).Get(state.Key(o.ID))...)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if follow != (o.Auto != nil) {
				t.Fatalf("follow %v, auto %v", follow, o.Auto)
			}
			want, err := json.Marshal(o)
			if err != nil {
				t.Fatal(err)
			}
			if string(row) != string(want) {
				t.Errorf("%q, follow %v:\n stored       %s\n json.Marshal %s", s, follow, row, want)
			}
		}
	}
}
