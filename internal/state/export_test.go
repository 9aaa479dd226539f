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

// CrashAfter makes a reset or a migration stop with an error, as a crash
// would, once f says so after a step ("reset" and a part's name after its
// commit, "migrate" and a part file's path after it was filled), for the
// duration of the test. A test that uses it must not be parallel: the
// hook is the package's.
func CrashAfter(t interface{ Cleanup(func()) }, f func(step, part string) error) {
	old := crashAfter
	crashAfter = f
	t.Cleanup(func() { crashAfter = old })
}

// SetCopyBatch makes the snapshot copy n keys per transaction, for the
// duration of a test that must not be parallel.
func SetCopyBatch(t interface{ Cleanup(func()) }, n int) {
	old := copyBatch
	copyBatch = n
	t.Cleanup(func() { copyBatch = old })
}

// Nodes is the number of pages the transaction has decoded into nodes so
// far: a leaf it changed counts, a leaf it only read does not.
func (tx *Tx) Nodes() int64 {
	s := tx.btx.Stats()
	return s.GetNodeCount()
}
