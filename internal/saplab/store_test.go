package saplab

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/saplab/filter"
	"github.com/mockserver/mockserver/internal/state"
)

// testShop is a shop of two clients, enough for the store's own tests.
func testShop() *Section {
	return &Section{
		Groups:   []Group{{ID: 1, Name: "Розница"}},
		Settings: Settings{DefaultGroupID: 1},
		Clients: []Client{
			{ID: 1, Name: "Иванов Иван", Phone: "9000000001", Email: "i@example.ru", Created: "2026-01-10 10:00:00"},
			{ID: 2, Name: "Петров Пётр", Phone: "9000000002", Email: "p@example.ru", Created: "2026-01-11 10:00:00"},
		},
	}
}

// openTestAPI seeds sec into a new state file at path (unless seed is
// false: the file is reopened as it is) and loads it, as the server does.
func openTestAPI(t *testing.T, path string, sec *Section, seed bool) (*API, *state.Store) {
	t.Helper()
	clk := clock.New(nil)
	st, err := state.Open(path, clk, append(append([]string{}, Buckets...), IndexBuckets...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	a := New(api.Deps{Store: st, Clock: clk, PasswordCost: 4})
	if seed {
		if err := st.Reset(nil, func(tx *state.Tx) error { return a.Seed(tx, sec, 1) }); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.View(func(tx *state.Tx) error { return a.Load(tx, sec, 1) }); err != nil {
		t.Fatal(err)
	}
	return a, st
}

// balanceOf is client id's balance as the file holds it.
func balanceOf(t *testing.T, st *state.Store, id int64) string {
	t.Helper()
	var c client
	if err := st.View(func(tx *state.Tx) error { return tx.Get(bClients, state.Key(uint64(id)), &c) }); err != nil {
		t.Fatal(err)
	}
	return c.Balance.String()
}

// A write in progress (here stopped inside its transaction, where a commit
// would flush to disk) does not hold readers up: the ledger page answers,
// showing the state before the write (issue 14, item 6).
func TestRead_doesNotWaitForAWriteInProgress(t *testing.T) {
	t.Parallel()
	a, _ := openTestAPI(t, filepath.Join(t.TempDir(), "s.db"), testShop(), true)
	s := a.store
	inside, release, done := make(chan struct{}), make(chan struct{}), make(chan error)
	go func() {
		done <- s.write(func(t *txn, _ *view) error {
			cl, err := get[client](t.Tx, bClients, 1)
			if err != nil {
				return err
			}
			close(inside)
			<-release
			return t.book(cl, 5000, "пополнение", 0)
		})
	}()
	<-inside
	page, err := s.FindLedgerPage(1, 1)
	if err != nil || len(page.Transactions) != 0 {
		t.Fatalf("during the write: %+v %v", page, err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	page, err = s.FindLedgerPage(1, 1)
	if err != nil || len(page.Transactions) != 1 || page.Transactions[0].Amount != "50" {
		t.Fatalf("after the write: %+v %v", page, err)
	}
}

// A reader that starts after a write committed but before its view
// changes are applied does not answer from the old view with the new file:
// it waits for the view and then shows the write.
func TestRead_waitsForTheViewOfACommittedWrite(t *testing.T) {
	t.Parallel()
	a, st := openTestAPI(t, filepath.Join(t.TempDir(), "s.db"), testShop(), true)
	s := a.store
	committed, release, stale := make(chan struct{}), make(chan struct{}), make(chan struct{})
	s.afterCommit = func() { close(committed); <-release }
	var once sync.Once
	s.onStale = func() { once.Do(func() { close(stale) }) }
	done := make(chan error)
	go func() { done <- s.BookTransaction(2, 7000, "пополнение") }()
	<-committed
	if got := balanceOf(t, st, 2); got != "70.00" {
		t.Fatalf("the file after the commit: balance %s", got)
	}
	read := make(chan error)
	var page wireBalance
	go func() {
		var err error
		page, err = s.FindLedgerPage(2, 1)
		read <- err
	}()
	<-stale // the reader saw the commit the view does not show yet
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := <-read; err != nil {
		t.Fatal(err)
	}
	if len(page.Transactions) != 1 || page.Transactions[0].Amount != "70" {
		t.Fatalf("reader: %+v", page)
	}
}

// upgradeShop is testShop with statuses, positions and ledger entries.
func upgradeShop() *Section {
	sec := testShop()
	sec.Statuses = []Status{{ID: 1, Name: "Новый", Color: "FFFFFF"}, {ID: 2, Name: "Отказ", Color: "FFB3B3"}}
	sec.Settings.NewStatusID, sec.Settings.DeniedStatusID = 1, 2
	sec.Transactions = []Transaction{{ClientID: 1, Amount: 100000, Description: "пополнение", Created: "2026-01-12 10:00:00"}}
	for id := int64(1); id <= 5; id++ {
		sec.Orders = append(sec.Orders, Order{ID: id, ClientID: 1 + id%2, Invoice: "NZ-1", Brand: "BOSCH", Article: "OC47",
			Name: "Фильтр", Price: 10000, Quantity: 1, StatusID: 1, IsArchived: id == 3, Created: "2026-01-13 10:00:00"})
	}
	return sec
}

// answers are the lists and a ledger page as the store gives them.
func answers(t *testing.T, a *API) string {
	t.Helper()
	orders, op, err := a.store.FindOrderPage(filter.Default())
	if err != nil {
		t.Fatal(err)
	}
	q, _ := filter.Parse("/order_status/1/unignore_archived/1", filter.Orders)
	some, sp, err := a.store.FindOrderPage(q)
	if err != nil {
		t.Fatal(err)
	}
	clients, cp, err := a.store.FindClientPage(filter.Default())
	if err != nil {
		t.Fatal(err)
	}
	ledger, err := a.store.FindLedgerPage(1, 1)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%s %d\n%s %d\n%s %d\n%+v", bytes.Join(orders, nil), op, bytes.Join(some, nil), sp, bytes.Join(clients, nil), cp, ledger)
}

// A file written before the column records existed opens: the view is
// read from the rows, the columns are written once (Upgrade), and the
// next start reads them; every answer stays the same throughout.
func TestLoad_upgradesAFileWithoutColumns(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "s.db")
	sec := upgradeShop()
	a, st := openTestAPI(t, path, sec, true)
	if err := a.store.BookTransaction(2, 5000, "пополнение"); err != nil {
		t.Fatal(err)
	}
	want := answers(t, a)
	if !strings.Contains(want, `"invoice":"NZ-1"`) || !strings.Contains(want, "1000") {
		t.Fatalf("answers: %s", want)
	}
	// Make it a file of the previous version: no column buckets, no format.
	if err := st.Update(func(tx *state.Tx) error {
		ix := tx.Bucket(bIndex)
		for _, name := range [][]byte{colOrders, colClients, colLedger} {
			if err := ix.DeleteBucket(name); err != nil {
				return err
			}
		}
		return ix.Delete(keyFormat)
	}); err != nil {
		t.Fatal(err)
	}
	_ = st.Close()

	old, st := openTestAPI(t, path, sec, false)
	if old.store.v.upgrade == nil {
		t.Fatal("the view of a file without columns was not read from the rows")
	}
	if err := old.Upgrade(); err != nil {
		t.Fatal(err)
	}
	if got := answers(t, old); got != want {
		t.Fatalf("after the upgrade:\n%s\nwant\n%s", got, want)
	}
	if err := st.View(func(tx *state.Tx) error {
		if !hasColumns(tx) {
			t.Error("the upgrade did not mark the file")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	_ = st.Close()

	again, _ := openTestAPI(t, path, sec, false)
	if again.store.v.upgrade != nil {
		t.Fatal("an upgraded file was read from the rows again")
	}
	if got := answers(t, again); got != want {
		t.Fatalf("after a restart:\n%s\nwant\n%s", got, want)
	}
}
