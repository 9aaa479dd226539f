package state

import "time"

// SetLockTimeout makes Open give up on a locked file after d instead of a
// second, for the duration of the test.
func SetLockTimeout(t interface{ Cleanup(func()) }, d time.Duration) {
	old := lockTimeout
	lockTimeout = d
	t.Cleanup(func() { lockTimeout = old })
}

// TxID is bbolt's id of the transaction: the functions of one batch share it.
func (tx *Tx) TxID() int { return tx.btx.ID() }
