package saplab

import (
	"path/filepath"
	"sync"
	"testing"

	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/clock"
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
