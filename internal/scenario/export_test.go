package scenario

// SetMaxNodes lowers the node bound for a test and returns what restores it.
func SetMaxNodes(n int) (restore func()) {
	old := maxNodes
	maxNodes = n
	return func() { maxNodes = old }
}
