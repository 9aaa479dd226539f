package carreta

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// block is a due block of (id, ns) pairs, in the given order.
func block(pairs ...uint64) []byte {
	var b []byte
	for _, v := range pairs {
		b = binary.BigEndian.AppendUint64(b, v)
	}
	return b
}

// TestDueWith: an order's entry is inserted in id order or replaced, into
// a new slice (the block read may be bbolt's memory).
func TestDueWith(t *testing.T) {
	for _, c := range []struct {
		name  string
		block []byte
		id    uint64
		ns    int64
		want  []byte
	}{
		{"into an empty block", nil, 70, 5, block(70, 5)},
		{"at the end", block(64, 1, 65, 2), 66, 3, block(64, 1, 65, 2, 66, 3)},
		{"at the start", block(65, 2, 66, 3), 64, 1, block(64, 1, 65, 2, 66, 3)},
		{"between", block(64, 1, 66, 3), 65, 2, block(64, 1, 65, 2, 66, 3)},
		{"replaced", block(64, 1, 65, 2, 66, 3), 65, 9, block(64, 1, 65, 9, 66, 3)},
		{"due at once", block(64, 1), 64, 0, block(64, 0)},
	} {
		orig := bytes.Clone(c.block)
		got := dueWith(c.block, c.id, c.ns)
		if !bytes.Equal(got, c.want) {
			t.Errorf("%s: %x, want %x", c.name, got, c.want)
		}
		if !bytes.Equal(c.block, orig) {
			t.Errorf("%s: the block read was changed", c.name)
		}
	}
}

// TestDueWithout: an order's entry is removed into a new slice; an order
// without one leaves the block as it is.
func TestDueWithout(t *testing.T) {
	for _, c := range []struct {
		name  string
		block []byte
		id    uint64
		want  []byte
		found bool
	}{
		{"the only one", block(64, 1), 64, []byte{}, true},
		{"the first", block(64, 1, 65, 2), 64, block(65, 2), true},
		{"the last", block(64, 1, 65, 2), 65, block(64, 1), true},
		{"between", block(64, 1, 65, 2, 66, 3), 65, block(64, 1, 66, 3), true},
		{"none in the block", block(64, 1, 66, 3), 65, block(64, 1, 66, 3), false},
		{"an empty block", nil, 65, nil, false},
	} {
		orig := bytes.Clone(c.block)
		got, found := dueWithout(c.block, c.id)
		if !bytes.Equal(got, c.want) || found != c.found {
			t.Errorf("%s: %x %v, want %x %v", c.name, got, found, c.want, c.found)
		}
		if !bytes.Equal(c.block, orig) {
			t.Errorf("%s: the block read was changed", c.name)
		}
	}
}
