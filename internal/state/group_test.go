package state_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/mockserver/mockserver/internal/state"
)

// inFlight starts a Batch whose function holds its commit open until
// release is closed, and returns once that function runs: every Batch
// started meanwhile queues behind it. wait returns its error.
func inFlight(t *testing.T, s *state.Store) (release chan struct{}, leaderTx *int, wait func() error) {
	t.Helper()
	release, running, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	leaderTx = new(int)
	go func() {
		done <- s.Batch(func(tx *state.Tx) error {
			*leaderTx = tx.TxID()
			close(running)
			<-release
			return tx.Put("t.items", []byte("leader"), rec{Name: "leader"})
		})
	}()
	<-running
	return release, leaderTx, func() error { return <-done }
}

// followers starts fns as Batch calls queued behind a commit in flight,
// one after the other so that they queue in that order, and returns once
// all have joined the queue; wait returns their errors (a panic as one).
func followers(t *testing.T, s *state.Store, fns ...func(tx *state.Tx) error) (wait func() []error) {
	t.Helper()
	joined := make(chan int, len(fns))
	s.OnJoin(func(n int) { joined <- n })
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					errs[i] = fmt.Errorf("panic: %v", p)
				}
			}()
			errs[i] = s.Batch(fn)
		}()
		if n := <-joined; n != i+1 {
			t.Fatalf("queue holds %d after %d followers", n, i+1)
		}
	}
	s.OnJoin(nil)
	return func() []error { wg.Wait(); return errs }
}

// put is a batch function that stores a record under name and notes the
// transaction it ran in.
func put(name string, txs *sync.Map) func(tx *state.Tx) error {
	return func(tx *state.Tx) error {
		txs.Store(name, tx.TxID())
		return tx.Put("t.items", []byte(name), rec{Name: name})
	}
}

func stored(t *testing.T, s *state.Store, names ...string) map[string]bool {
	t.Helper()
	got := map[string]bool{}
	_ = s.View(func(tx *state.Tx) error {
		for _, n := range names {
			var r rec
			got[n] = tx.Get("t.items", []byte(n), &r) == nil
		}
		return nil
	})
	return got
}

func TestBatch_loneWriterCommitsAlone(t *testing.T) {
	s, _ := open(t)
	var txs sync.Map
	for _, n := range []string{"a", "b"} {
		if err := s.Batch(put(n, &txs)); err != nil {
			t.Fatal(err)
		}
	}
	a, _ := txs.Load("a")
	b, _ := txs.Load("b")
	if a == b {
		t.Fatalf("two writers one after the other shared transaction %v", a)
	}
	if got := stored(t, s, "a", "b"); !got["a"] || !got["b"] {
		t.Fatalf("stored: %v", got)
	}
}

func TestBatch_writersQueuedDuringACommitShareTheNext(t *testing.T) {
	s, _ := open(t)
	release, leaderTx, leaderDone := inFlight(t, s)
	var txs sync.Map
	wait := followers(t, s, put("f1", &txs), put("f2", &txs), put("f3", &txs))
	close(release)
	if err := leaderDone(); err != nil {
		t.Fatal(err)
	}
	for i, err := range wait() {
		if err != nil {
			t.Fatalf("follower %d: %v", i, err)
		}
	}
	first, _ := txs.Load("f1")
	for _, n := range []string{"f2", "f3"} {
		if id, _ := txs.Load(n); id != first {
			t.Errorf("%s committed in transaction %v, f1 in %v: not one batch", n, id, first)
		}
	}
	if first == *leaderTx {
		t.Errorf("the followers joined the commit already in flight (%d)", *leaderTx)
	}
	if got := stored(t, s, "leader", "f1", "f2", "f3"); len(got) != 4 || !got["leader"] || !got["f1"] || !got["f2"] || !got["f3"] {
		t.Fatalf("stored: %v", got)
	}
}

func TestBatch_aFailingFunctionFailsAlone(t *testing.T) {
	boom := errors.New("boom")
	for _, at := range []int{0, 1, 2} {
		t.Run(fmt.Sprint("failing at ", at), func(t *testing.T) {
			s, _ := open(t)
			release, _, leaderDone := inFlight(t, s)
			var txs sync.Map
			runs := 0
			fns := []func(*state.Tx) error{put("f0", &txs), put("f1", &txs), put("f2", &txs)}
			fns[at] = func(tx *state.Tx) error {
				runs++
				if err := tx.Put("t.items", []byte("bad"), rec{Name: "bad"}); err != nil {
					return err
				}
				return boom
			}
			wait := followers(t, s, fns...)
			close(release)
			if err := leaderDone(); err != nil {
				t.Fatal(err)
			}
			errs := wait()
			for i, err := range errs {
				if want := error(nil); i == at {
					if !errors.Is(err, boom) {
						t.Errorf("failing function got %v", err)
					}
				} else if err != want {
					t.Errorf("function %d got %v", i, err)
				}
			}
			got := stored(t, s, "bad", "f0", "f1", "f2")
			for i := range 3 {
				if n := fmt.Sprint("f", i); i != at && !got[n] {
					t.Errorf("%s was lost with the failing function: %v", n, got)
				}
			}
			if got["bad"] {
				t.Error("the failing function's write was kept")
			}
			// First in its batch it ran on the state it would see alone:
			// once is enough. Later, it is run again on its own.
			if want := min(at+1, 2); runs != want {
				t.Errorf("failing function ran %d times, want %d", runs, want)
			}
		})
	}
}

func TestBatch_aFunctionThatFailsOnlyInABatchSucceedsAlone(t *testing.T) {
	s, _ := open(t)
	release, _, leaderDone := inFlight(t, s)
	var txs sync.Map
	jealous := func(tx *state.Tx) error {
		var r rec
		if tx.Get("t.items", []byte("f0"), &r) == nil {
			return errors.New("f0 is there")
		}
		return tx.Put("t.items", []byte("jealous"), rec{Name: "jealous"})
	}
	wait := followers(t, s, put("f0", &txs), jealous)
	// jealous fails behind f0 in the batch; it is then run alone, on the
	// committed state (f0's attempt rolled back), before f0 is retried.
	close(release)
	if err := leaderDone(); err != nil {
		t.Fatal(err)
	}
	errs := wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("errors: %v", errs)
	}
	if got := stored(t, s, "f0", "jealous"); !got["f0"] || !got["jealous"] {
		t.Fatalf("stored: %v", got)
	}
}

func TestBatch_aPanicReachesItsOwnCallerOnly(t *testing.T) {
	s, _ := open(t)
	release, _, leaderDone := inFlight(t, s)
	var txs sync.Map
	wait := followers(t, s, put("f0", &txs), func(tx *state.Tx) error { panic("bad fn") }, put("f2", &txs))
	close(release)
	if err := leaderDone(); err != nil {
		t.Fatal(err)
	}
	errs := wait()
	if errs[0] != nil || errs[2] != nil || errs[1] == nil || errs[1].Error() != "panic: bad fn" {
		t.Fatalf("errors: %v", errs)
	}
	if got := stored(t, s, "f0", "f2"); !got["f0"] || !got["f2"] {
		t.Fatalf("stored: %v", got)
	}
}

// BatchThen's then runs once per committed function, in the order of the
// commits, before its own caller returns, and never for a function that
// failed; however often the functions ran.
func TestBatchThen_runsOnceInCommitOrderForCommittedFunctionsOnly(t *testing.T) {
	s, _ := open(t)
	release, _, leaderDone := inFlight(t, s)
	var mu sync.Mutex
	var order []string
	runs := map[string]int{}
	fn := func(name string, fail func(tx *state.Tx) bool) func(tx *state.Tx) error {
		return func(tx *state.Tx) error {
			mu.Lock()
			runs[name]++
			mu.Unlock()
			if fail(tx) {
				return errors.New(name + " fails")
			}
			return tx.Put("t.items", []byte(name), rec{Name: name})
		}
	}
	never := func(*state.Tx) bool { return false }
	calls := []struct {
		name string
		fn   func(tx *state.Tx) error
	}{
		{"f0", fn("f0", never)},
		// jealous fails behind f0, then commits alone, before f0 does.
		{"jealous", fn("jealous", func(tx *state.Tx) bool { var r rec; return tx.Get("t.items", []byte("f0"), &r) == nil })},
		{"bad", fn("bad", func(*state.Tx) bool { return true })},
		{"f3", fn("f3", never)},
	}
	joined := make(chan int, len(calls))
	s.OnJoin(func(n int) { joined <- n })
	errs := make([]error, len(calls))
	thenBeforeReturn := make([]bool, len(calls))
	var wg sync.WaitGroup
	for i, c := range calls {
		wg.Add(1)
		ran := false
		go func() {
			defer wg.Done()
			errs[i] = s.BatchThen(c.fn, func() {
				mu.Lock()
				order = append(order, c.name)
				mu.Unlock()
				ran = true
			})
			thenBeforeReturn[i] = ran
		}()
		<-joined
	}
	s.OnJoin(nil)
	close(release)
	if err := leaderDone(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil || errs[2] == nil || errs[3] != nil {
		t.Fatalf("errors: %v", errs)
	}
	if got := fmt.Sprint(order); got != "[jealous f0 f3]" {
		t.Errorf("thens ran as %s, want [jealous f0 f3]", got)
	}
	if runs["f0"] < 2 {
		t.Errorf("the test did not make the functions run again: %v", runs)
	}
	for i, ok := range thenBeforeReturn {
		if want := i != 2; ok != want {
			t.Errorf("%s: then had run at return: %v, want %v", calls[i].name, ok, want)
		}
	}
}

// A panic in a then is its own caller's; the group goes on committing.
func TestBatchThen_aPanicInThenReachesItsCaller(t *testing.T) {
	s, _ := open(t)
	var txs sync.Map
	func() {
		defer func() {
			if p := recover(); p != "bad then" {
				t.Errorf("recovered %v", p)
			}
		}()
		_ = s.BatchThen(put("a", &txs), func() { panic("bad then") })
	}()
	if err := s.Batch(put("b", &txs)); err != nil {
		t.Fatal(err)
	}
	if got := stored(t, s, "a", "b"); !got["a"] || !got["b"] {
		t.Fatalf("stored: %v", got)
	}
}
