package journal

import (
	"runtime"
	"slices"
	"testing"
	"weak"
)

// TestEach_pinsNoEvictedEntry lists a journal of two entries and, from the
// first entry's callback, adds two more, which evict both: the second is
// skipped (it is gone when the listing comes to it), the new ones are not
// listed (they came after it started), and the evicted second entry is
// collectable while the listing still runs. A listing that copied the held
// entries, as Each did, kept every evicted entry alive to its end: a slow
// reader pinned a whole budget while new requests filled another.
func TestEach_pinsNoEvictedEntry(t *testing.T) {
	j := New(2)
	j.Add(Entry{Path: "/a"})
	j.Add(Entry{Path: "/b"})
	second := weak.Make(j.entries[j.head+1])
	var seen []string
	collected := false
	err := j.Each(Filter{}, func(e *Entry) error {
		seen = append(seen, e.Path)
		if e.Path == "/a" {
			j.Add(Entry{Path: "/c"})
			j.Add(Entry{Path: "/d"})
			runtime.GC()
			collected = second.Value() == nil
		}
		return nil
	})
	if err != nil || !slices.Equal(seen, []string{"/a"}) {
		t.Fatalf("Each saw %q (%v), want only /a: /b was evicted before the listing came to it, /c and /d came after it started", seen, err)
	}
	if !collected {
		t.Error("the evicted entry /b stayed reachable while the listing ran")
	}
}
