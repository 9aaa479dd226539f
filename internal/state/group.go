package state

import (
	"sync"

	bolt "go.etcd.io/bbolt"

	"github.com/mockserver/mockserver/internal/procs"
)

// group is Store.Batch's group commit, leader/follower rather than bbolt's
// timer window. A writer that finds no commit in progress becomes the
// leader and commits its function at once, alone: a lone writer pays one
// plain commit, never a wait. Writers that arrive while a commit is in
// flight queue up; when it ends, its leader hands the whole queue to the
// first of them, which commits all of it in one transaction (one fsync)
// and hands on in turn. So the size of a batch follows the load: one under
// none, everyone who came during the last fsync under much.
//
// A function that fails inside a batch cannot poison the others, as with
// bbolt.Batch: the batch is rolled back, the failing function is run alone
// (unless it was the batch's first, which already ran on exactly the state
// it would see alone, so its error stands), and the rest are committed
// again without it. A function may therefore run more than once and must
// have no effect outside its transaction; what it must do once, after its
// commit, it does in its then (Store.BatchThen), which the leader runs in
// commit order once the commit is durable, before it wakes anyone and
// before the next batch begins.
type group struct {
	// mu guards leading and queue; it is held only to join or hand over,
	// never across a transaction.
	mu      sync.Mutex
	leading bool    // a leader is committing
	queue   []*call // the next batch, in arrival order
	// joined, when set (tests), is called with the queue's length each
	// time a writer joins it, under mu.
	joined func(queued int)
}

// call is one function waiting in a batch.
type call struct {
	fn func(*bolt.Tx) error
	// then, when set, runs once after the commit that holds fn's last run
	// is durable (never when fn's result is an error).
	then func()
	err  error
	// done carries nil when err is set, or the batch this call is to lead.
	done chan []*call
}

// panicked is a panic of a function run in someone else's batch, carried
// back to its own caller, who panics with it again.
type panicked struct{ v any }

func (p panicked) Error() string { return "state: batch function panicked" }

// do runs fn in the group commit, then then (if set) once it has
// committed, and returns fn's own result.
func (g *group) do(db *bolt.DB, fn func(*bolt.Tx) error, then func()) error {
	c := &call{fn: fn, then: then}
	g.mu.Lock()
	if g.leading {
		c.done = make(chan []*call, 1)
		g.queue = append(g.queue, c)
		if g.joined != nil {
			g.joined(len(g.queue))
		}
		g.mu.Unlock()
		if batch := <-c.done; batch != nil {
			g.lead(db, batch)
		}
	} else {
		g.leading = true
		g.mu.Unlock()
		g.lead(db, []*call{c})
	}
	if p, ok := c.err.(panicked); ok {
		panic(p.v)
	}
	return c.err
}

// lead commits batch, whose first call is the leader's own, wakes the
// others with their results, and hands the queue that built up meanwhile
// to its first caller, or ends the leadership when there is none.
func (g *group) lead(db *bolt.DB, batch []*call) {
	procs.Commit() // the spare Ps, before the fsync that holds a P
	commitBatch(db, batch)
	for _, c := range batch[1:] {
		c.done <- nil
	}
	g.mu.Lock()
	next := g.queue
	g.queue = nil
	if len(next) == 0 {
		g.leading = false
	}
	g.mu.Unlock()
	if len(next) > 0 {
		next[0].done <- next
	}
}

// commitBatch runs every call's function in one read-write transaction and
// sets each call's err. A failing function is taken out, given its result
// alone, and the rest are tried again. The thens of the calls that
// committed run in the order of their commits, each commit's after it.
func commitBatch(db *bolt.DB, calls []*call) {
	for len(calls) > 0 {
		failed := -1
		err := db.Update(func(tx *bolt.Tx) error {
			for i, c := range calls {
				if err := safelyCall(c.fn, tx); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		if failed < 0 {
			for _, c := range calls {
				c.err = err
			}
			committed(calls)
			return
		}
		c := calls[failed]
		if failed == 0 {
			c.err = err
		} else {
			c.err = db.Update(func(tx *bolt.Tx) error { return safelyCall(c.fn, tx) })
			committed(calls[failed : failed+1])
		}
		calls = append(calls[:failed:failed], calls[failed+1:]...)
	}
}

// committed runs the thens of calls that committed; a panic in one
// becomes its caller's, as a panic in fn does.
func committed(calls []*call) {
	for _, c := range calls {
		if c.err != nil || c.then == nil {
			continue
		}
		func() {
			defer func() {
				if p := recover(); p != nil {
					c.err = panicked{p}
				}
			}()
			c.then()
		}()
	}
}

// OnJoin has f called, under the group's mutex, with the queue's length
// each time a Batch caller queues behind a commit in flight, so that tests
// (of this package and of the stores built on it) can wait for followers
// without a clock. nil removes it. Not for production use.
func (s *Store) OnJoin(f func(queued int)) {
	s.group.mu.Lock()
	defer s.group.mu.Unlock()
	s.group.joined = f
}

// safelyCall runs fn, turning a panic into a panicked error: a panic in one
// caller's function must not take the leader's goroutine down with it.
func safelyCall(fn func(*bolt.Tx) error, tx *bolt.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = panicked{p}
		}
	}()
	return fn(tx)
}
