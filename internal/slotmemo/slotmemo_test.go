package slotmemo_test

import (
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"github.com/mockserver/mockserver/internal/slotmemo"
)

// TestGet: the memo answers f for every key, the first time and again,
// with more keys than slots (keys evict each other), keys too long to hold
// and answers f says not to keep; a miss calls f, a hit does not; a held
// key is its own copy, not the caller's memory.
func TestGet(t *testing.T) {
	const maxKey = 8
	calls := 0
	f := func(k string) (string, bool) {
		calls++
		return strings.ToUpper(k), !strings.HasPrefix(k, "skip")
	}
	m := slotmemo.New[string](maxKey)
	keys := []string{"", "a", "skip-me", strings.Repeat("k", maxKey), strings.Repeat("k", maxKey+1)}
	for i := range 3 * slotmemo.Slots {
		keys = append(keys, fmt.Sprintf("key-%d", i))
	}
	for round := range 3 {
		for _, k := range keys {
			if got, want := m.Get(k, f), strings.ToUpper(k); got != want {
				t.Fatalf("round %d: Get(%q) = %q, want %q", round, k, got, want)
			}
		}
	}
	for _, k := range m.Held() {
		if len(k) > maxKey || strings.HasPrefix(k, "skip") {
			t.Fatalf("held %q", k)
		}
	}
	if len(m.Held()) == 0 {
		t.Fatal("nothing held")
	}

	// A key whose bytes change after the call (unsafe.String over a
	// buffer, as a request's memory may be reused): the memo must hold its
	// own copy, or its slot would read the new bytes with the old answer.
	buf := []byte("reused")
	m.Get(unsafe.String(&buf[0], len(buf)), f)
	copy(buf, "REUSED")
	before := calls
	if got := m.Get("reused", f); got != "REUSED" || calls != before {
		t.Fatalf("a hit: %q after %d calls of f, want REUSED after none", got, calls-before)
	}
	for _, k := range m.Held() {
		if k == "REUSED" {
			t.Fatal("the memo kept the caller's bytes, not a copy")
		}
	}
	if got := m.Get("skip-me", f); got != "SKIP-ME" || calls != before+1 {
		t.Fatalf("an answer not kept is computed again: %q, %d calls", got, calls-before)
	}
}

// TestGet_hitAllocatesNothing: the point of the memo.
func TestGet_hitAllocatesNothing(t *testing.T) {
	m := slotmemo.New[[2]int](64)
	f := func(k string) ([2]int, bool) { return [2]int{len(k), 1}, true }
	m.Get("api_key=demo-key", f)
	if n := testing.AllocsPerRun(100, func() { m.Get("api_key=demo-key", f) }); n != 0 {
		t.Fatalf("%v allocations a hit", n)
	}
}
