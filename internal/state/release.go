package state

// ReleaseMapped drops the pages of the file that reads through bbolt's
// mapping made resident in this process, once a large read is over (a
// start that read every column record of a large state kept 80 MB of the
// file resident, counted in the process's RSS). The pages stay in the page
// cache; a later read maps them again. The transaction keeps bbolt from
// remapping the file meanwhile. Where the system offers no way to do it,
// it does nothing.
func (tx *Tx) ReleaseMapped() error {
	return releaseMapped(tx.btx.DB().Info().Data, uintptr(tx.btx.Size()))
}
