package saplab

import (
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/lifecycle"
	"github.com/mockserver/mockserver/internal/state"
	"gopkg.in/yaml.v3"
)

// lifecycleShop is testShop with statuses and a one-step automatic path:
// a position moves to status 3 an hour after it is added.
func lifecycleShop(t *testing.T) *Section {
	sec := testShop()
	sec.Statuses = []Status{{ID: 1, Name: "Новый", Color: "FFFFFF"}, {ID: 2, Name: "Отказ", Color: "FFB3B3"}, {ID: 3, Name: "Заказано", Color: "B3FFB3"}}
	sec.Settings.NewStatusID, sec.Settings.DeniedStatusID = 1, 2
	sec.Transactions = []Transaction{{ClientID: 1, Amount: 100000, Description: "пополнение", Created: "2026-01-12 10:00:00"}}
	sec.Lifecycle = &lifecycle.Plan{}
	if err := yaml.Unmarshal([]byte("steps: [{status_id: 3, after: 1h}]"), sec.Lifecycle); err != nil {
		t.Fatal(err)
	}
	return sec
}

// holdLeader makes the next write's commit hold the group commit (in its
// publish, as its leader) until release is closed, and returns once it
// does: every write started meanwhile queues for the next batch.
func holdLeader(t *testing.T, s *store) (release chan struct{}, wait func() error) {
	t.Helper()
	release, held, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	first := true
	s.afterCommit = func() {
		if first {
			first = false
			close(held)
			<-release
		}
	}
	go func() { done <- s.BookTransaction(2, 100, "лидер") }()
	<-held
	return release, func() error { return <-done }
}

// queue starts each write in its own goroutine, one after the other, and
// returns once all have joined the group commit's queue, in that order.
func queue(t *testing.T, s *store, writes ...func() error) (wait func() []error) {
	t.Helper()
	joined := make(chan int, len(writes))
	s.db.OnJoin(func(n int) { joined <- n })
	errs := make([]error, len(writes))
	var wg sync.WaitGroup
	for i, w := range writes {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = w() }()
		if n := <-joined; n != i+1 {
			t.Fatalf("queue holds %d after %d writes", n, i+1)
		}
	}
	s.db.OnJoin(nil)
	return func() []error { wg.Wait(); return errs }
}

// Saplab's writes share one commit, and one that fails in it rolls back
// only itself: its neighbours before and after it keep what they wrote,
// although the group commit runs them again without it. The due automatic
// move the first of them took from the lifecycle queue is applied once,
// by the run that commits, and not lost to the rerun.
func TestWrite_aFailingUseCaseInABatchFailsAlone(t *testing.T) {
	a, st := openTestAPI(t, filepath.Join(t.TempDir(), "s.db"), lifecycleShop(t), true)
	s := a.store
	s.clock.Freeze(true)
	added, err := s.InsertOrders(&newOrders{ClientID: 2, Positions: []newPosition{{Brand: "BOSCH", Article: "OC47",
		Name: "Фильтр", Price: jsonAmount{10000, true}, Quantity: 1, DeliveryTimeMin: 1, DeliveryTimeMax: 2}}})
	if err != nil || len(added) != 1 {
		t.Fatalf("added %v: %v", added, err)
	}
	release, leaderDone := holdLeader(t, s)
	if err := s.clock.Advance(2 * time.Hour); err != nil { // the position's move falls due
		t.Fatal(err)
	}
	if s.v.queue.Len() != 1 {
		t.Fatal("the position is not queued for its move")
	}
	runs := map[string]int{}
	var runsMu sync.Mutex
	book := func(name string, clientID int64, fail bool) func() error {
		return func() error {
			return s.writeShared(func(t *txn, _ *view) error {
				runsMu.Lock()
				runs[name]++
				runsMu.Unlock()
				cl, err := get[client](t.Tx, bClients, clientID)
				if err != nil {
					return err
				}
				if err := t.book(cl, 1000, name, 0); err != nil {
					return err
				}
				if fail {
					return businessErr(msgClientNotFound)
				}
				return nil
			})
		}
	}
	wait := queue(t, s, book("before", 1, false), book("failing", 2, true), book("after", 1, false))
	close(release)
	if err := leaderDone(); err != nil {
		t.Fatal(err)
	}
	errs := wait()
	var be *Error
	if errs[0] != nil || errs[2] != nil || !errors.As(errs[1], &be) {
		t.Fatalf("errors: %v", errs)
	}
	if runs["before"] < 2 {
		t.Fatalf("the first write was not run again (runs %v): the test did not batch", runs)
	}
	// Client 1: its seeded balance (0.00: the seed opens the ledger so
	// that it sums to the balance) and 10.00 twice; client 2: the
	// leader's 1.00 only, the failing write's 10.00 rolled back.
	if got := balanceOf(t, st, 1); got != "20.00" {
		t.Errorf("client 1's balance %s, want 20.00", got)
	}
	if got := balanceOf(t, st, 2); got != "1.00" {
		t.Errorf("client 2's balance %s, want 1.00 (the failing write's entry kept?)", got)
	}
	var o order
	if err := st.View(func(tx *state.Tx) error { return tx.Get(bOrders, state.Key(1), &o) }); err != nil {
		t.Fatal(err)
	}
	moves := 0
	for _, h := range o.History {
		if h.StatusID == 3 {
			moves++
		}
	}
	if o.StatusID != 3 || moves != 1 || o.Auto != nil {
		t.Fatalf("the position after the batch: status %d, %d moves to 3, auto %v", o.StatusID, moves, o.Auto)
	}
	if n := s.v.queue.Len(); n != 0 {
		t.Errorf("the queue still holds %d positions", n)
	}
	page, err := s.FindLedgerPage(1, 1)
	if err != nil || len(page.Transactions) != 4 || page.Transactions[0].Comment != "after" || page.Transactions[1].Comment != "before" {
		t.Fatalf("client 1's ledger in the view: %+v %v", page, err)
	}
}
