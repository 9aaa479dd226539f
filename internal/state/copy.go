package state

import (
	"slices"

	bolt "go.etcd.io/bbolt"
)

// PartNames are the names of s's parts in Files' order after the main
// file: with Template, what it takes to write a copy of s somewhere else
// (WriteCopy) without knowing the server's list of parts.
func (s *Set) PartNames() []string { return slices.Clone(s.names) }

// WriteCopy writes t, the Template of a state that names, as the files of
// the state at path, and stores scenarioSource as the scenario its main
// file was seeded from (nil: t's own). It is how a process that starts
// many states seeded from one scenario (servertest) pays one seeding: the
// copy is that seeding's state, and a scenario read from another file name
// is stored as a seeding from that file would store it. The files are
// written without fsync, as a scratch state's are (OpenSet's scratch).
func WriteCopy(path string, names []string, t Template, scenarioSource []byte) error {
	parts := make([]Part, len(names))
	for i, n := range names {
		parts[i].Name = n
	}
	if err := WriteTemplate(path, parts, t); err != nil {
		return err
	}
	if scenarioSource == nil {
		return nil
	}
	db, err := openBolt(path, &bolt.Options{Timeout: lockTimeout, NoSync: true, NoGrowSync: true, NoFreelistSync: true})
	if err != nil {
		return err
	}
	err = db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(MetaBucket)).Put([]byte(metaScenario), scenarioSource)
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}
