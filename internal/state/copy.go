package state

import "slices"

// PartNames are the names of s's parts in Files' order after the main
// file: with Template, what it takes to write a copy of s elsewhere
// (WriteTemplate) without knowing the server's list of parts, as
// servertest does to start a test's state from a copy of one seeding.
func (s *Set) PartNames() []string { return slices.Clone(s.names) }
