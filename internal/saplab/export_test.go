package saplab

import (
	"github.com/mockserver/mockserver/internal/money"
	"github.com/mockserver/mockserver/internal/state"
)

// The unexported rules of model.go, for model_test.go's table tests.
var (
	ParseID      = parseID
	ParseIDs     = parseIDs
	StatusColor  = statusColor
	EmailKey     = emailKey
	PasswordFits = passwordFits
)

// PositionFaults runs positionFaults and names the faults it finds.
func PositionFaults(brand, article string, price, initialPrice money.Amount, qty, dmin, dmax int64) []string {
	names := map[positionFault]string{faultBrand: "brand", faultArticle: "article", faultPrice: "price",
		faultInitialPrice: "initial_price", faultQuantity: "quantity", faultDelivery: "delivery"}
	var out []string
	for _, f := range positionFaults(positionLine{brand, article, price, initialPrice, qty, dmin, dmax}) {
		out = append(out, names[f])
	}
	return out
}

// SetSeedChunk makes seeding commit every n bytes (state.Tx.Checkpoint)
// for the duration of a test that must not be parallel.
func SetSeedChunk(t interface{ Cleanup(func()) }, n int) {
	old := seedChunk
	seedChunk = n
	t.Cleanup(func() { seedChunk = old })
}

// KeepAnswers turns the answer cache on or off (BenchmarkScalePages
// measures pages made, not pages kept) and returns what it was.
func KeepAnswers(on bool) bool { return keepAnswers.Swap(on) }

// RewriteColumns empties the column records and the ledger index and
// writes them again the way a file without them is upgraded: from the
// rows decoded as JSON (loadRows), through the request path's encoders
// (writeColumns), in one transaction of saplab's file.
func RewriteColumns(db *state.Store) error {
	return db.Update(func(tx *state.Tx) error {
		ix := tx.Bucket(bIndex)
		for _, name := range [][]byte{colClients, colOrders, colLedger} {
			if err := ix.DeleteBucket(name); err != nil {
				return err
			}
		}
		v, err := tablesView(tx)
		if err != nil {
			return err
		}
		if err := loadRows(tx, v); err != nil {
			return err
		}
		return writeColumns(tx, v, v.upgrade)
	})
}

// SetAsyncSeedRows sets the count of generated rows from which seeding
// puts on a goroutine of its own, for a test that must not be parallel.
func SetAsyncSeedRows(t interface{ Cleanup(func()) }, n int) {
	old := asyncSeedRows
	asyncSeedRows = n
	t.Cleanup(func() { asyncSeedRows = old })
}
