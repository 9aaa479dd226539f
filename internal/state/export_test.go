package state

// TxID is bbolt's id of the transaction: the functions of one batch share it.
func (tx *Tx) TxID() int { return tx.btx.ID() }
