package state

import "time"

// SetLockTimeout makes Open give up on a locked file after d instead of a
// second, for the duration of the test.
func SetLockTimeout(t interface{ Cleanup(func()) }, d time.Duration) {
	old := lockTimeout
	lockTimeout = d
	t.Cleanup(func() { lockTimeout = old })
}

// OnJoin has f called with the queue's length each time a Batch caller
// queues behind a commit in flight, so tests can wait for followers
// without a clock.
func (s *Store) OnJoin(f func(queued int)) {
	s.group.mu.Lock()
	defer s.group.mu.Unlock()
	s.group.joined = f
}

// TxID is bbolt's id of the transaction: the functions of one batch share it.
func (tx *Tx) TxID() int { return tx.btx.ID() }
