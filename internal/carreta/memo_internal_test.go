package carreta

import (
	"fmt"
	"hash/maphash"
	"strings"
	"testing"
	"unsafe"
)

// TestKeyMemo: the memo answers keyHash for every key, the first time and
// again, with more keys than slots (keys evict each other) and keys too
// long to hold; a held key is its own copy, not the caller's memory.
func TestKeyMemo(t *testing.T) {
	m := keyMemo{seed: maphash.MakeSeed()}
	keys := []string{"", "demo-key", "demo-kez", strings.Repeat("k", memoKeyMax), strings.Repeat("k", memoKeyMax+1)}
	for i := range 3 * memoSlots {
		keys = append(keys, fmt.Sprintf("key-%d", i))
	}
	for round := range 3 {
		for _, k := range keys {
			if got, want := m.sum(k), keyHash(k); got != want {
				t.Fatalf("round %d: sum(%q) = %x, want %x", round, k, got, want)
			}
		}
	}
	// A key whose bytes change after the call (unsafe.String over a
	// buffer): the memo must hold its own copy, or its slot would read
	// the new bytes with the old key's sum.
	buf := []byte("reused-key")
	first := m.sum(unsafe.String(&buf[0], len(buf)))
	copy(buf, "REUSED")
	if ks := m.slots[maphash.String(m.seed, "reused-key")%memoSlots].Load(); ks == nil || ks.key != "reused-key" {
		t.Fatalf("the memo's slot holds %+v, want the key as it was sent", ks)
	}
	if got := m.sum("reused-key"); got != first || got != keyHash("reused-key") {
		t.Fatal("the memo kept the caller's bytes, not a copy")
	}
	held := 0
	for i := range m.slots {
		if ks := m.slots[i].Load(); ks != nil && len(ks.key) > memoKeyMax {
			t.Fatalf("a key of %d bytes held", len(ks.key))
		} else if ks != nil {
			held++
		}
	}
	if held == 0 {
		t.Fatal("nothing held")
	}
}

// TestEscaped is strings.ContainsAny(s, "%+") on names and values,
// multi-byte and invalid UTF-8 among them.
func TestEscaped(t *testing.T) {
	for _, s := range []string{"", "api_key", "a%20b", "a+b", "%", "+", "ключ", "ключ+", "\xff%", "\xff", "q=oc47"} {
		if got, want := escaped(s), strings.ContainsAny(s, "%+"); got != want {
			t.Errorf("escaped(%q) = %v, want %v", s, got, want)
		}
	}
}
