package carreta

import (
	"bytes"
	"encoding/binary"
	"time"

	"github.com/mockserver/mockserver/internal/state"
)

// The due index: when each order on an automatic path makes its next move,
// so that start-up queues those orders without reading every order. It is
// kept in blocks of dueBlock consecutive order ids (bucketDueBlocks: key
// state.Key(id / dueBlock), value the block's orders that have a move to
// make, ascending, each 8 bytes id + 8 bytes due time in Unix nanoseconds,
// 0 for an order of the retired status table, due at once).
//
// Why blocks (issue 16, CPU per durable write): every new order gets an
// entry, and with one 16-byte entry per key a leaf holds up to 128 of
// them; bbolt decodes the whole dirty leaf into a node on each write and
// grows that node's entries to twice their number to insert one, which
// was a quarter of the bytes a carreta order allocated. A block of 64
// orders is one key of at most a kilobyte: its leaf holds a few keys, and
// a new order rewrites its block in place (a new key every 64 orders).
//
// bucketDue is the layout before blocks (key order id, value the due
// time): Reindex moves what a file of that layout holds into blocks once,
// at start.
const (
	bucketDueBlocks = "carreta.due_blocks"
	dueBlock        = 64
	dueEntry        = 16
)

// setDue records when order id's next automatic move falls due; the zero
// time is "at once". A block that already says so is not written.
func setDue(tx *state.Tx, id uint64, at time.Time) error {
	var ns int64
	if !at.IsZero() {
		ns = at.UnixNano()
	}
	b := tx.Bucket(bucketDueBlocks)
	key := state.Key(id / dueBlock)
	old := b.Get(key)
	val := dueWith(old, id, ns)
	if bytes.Equal(val, old) {
		return nil
	}
	return b.Put(key, val)
}

// dropDue forgets order id's automatic moves: it has none left.
func dropDue(tx *state.Tx, id uint64) error {
	b := tx.Bucket(bucketDueBlocks)
	key := state.Key(id / dueBlock)
	old := b.Get(key)
	val, found := dueWithout(old, id)
	switch {
	case !found:
		return nil
	case len(val) == 0:
		return b.Delete(key)
	}
	return b.Put(key, val)
}

// forEachDue calls fn with every order that has an automatic move to make.
func forEachDue(tx *state.Tx, fn func(id uint64, at time.Time)) {
	_ = tx.ForEach(bucketDueBlocks, func(_, v []byte) error {
		for ; len(v) >= dueEntry; v = v[dueEntry:] {
			var at time.Time
			if ns := int64(binary.BigEndian.Uint64(v[8:])); ns != 0 {
				at = time.Unix(0, ns)
			}
			fn(binary.BigEndian.Uint64(v), at)
		}
		return nil
	})
}

// dueWith is block with order id due at ns (its entry replaced, or
// inserted in id order), in a new slice: block may be bbolt's memory,
// which a Put must not be handed.
func dueWith(block []byte, id uint64, ns int64) []byte {
	i, found := dueFind(block, id)
	out := make([]byte, 0, len(block)+dueEntry)
	out = append(out, block[:i]...)
	out = binary.BigEndian.AppendUint64(out, id)
	out = binary.BigEndian.AppendUint64(out, uint64(ns))
	if found {
		i += dueEntry
	}
	return append(out, block[i:]...)
}

// dueWithout is block without order id's entry, in a new slice, and
// whether it had one.
func dueWithout(block []byte, id uint64) ([]byte, bool) {
	i, found := dueFind(block, id)
	if !found {
		return block, false
	}
	out := make([]byte, 0, len(block)-dueEntry)
	return append(append(out, block[:i]...), block[i+dueEntry:]...), true
}

// dueFind is the offset of order id's entry in block, or of the first
// entry after it when it has none.
func dueFind(block []byte, id uint64) (int, bool) {
	n := len(block) / dueEntry
	for i := range n {
		switch got := binary.BigEndian.Uint64(block[i*dueEntry:]); {
		case got == id:
			return i * dueEntry, true
		case got > id:
			return i * dueEntry, false
		}
	}
	return n * dueEntry, false
}

// dueLegacy reports whether the file holds due entries of the layout
// before blocks (bucketDue).
func dueLegacy(tx *state.Tx) bool {
	k, _ := tx.Bucket(bucketDue).Cursor().First()
	return k != nil
}

// moveLegacyDue moves the entries of bucketDue into blocks and empties
// it, in tx.
func moveLegacyDue(tx *state.Tx) error {
	err := tx.ForEach(bucketDue, func(k, v []byte) error {
		id, ok := state.ID(k)
		if !ok || len(v) != 8 {
			return nil // as the reader of that layout skipped it
		}
		var at time.Time
		if ns := int64(binary.BigEndian.Uint64(v)); ns != 0 {
			at = time.Unix(0, ns)
		}
		return setDue(tx, id, at)
	})
	if err != nil {
		return err
	}
	return tx.ClearBucket(bucketDue)
}
