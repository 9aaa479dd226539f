// Package keyed is servertest's store of seeded templates: one entry per
// key for the life of the process, whose lock orders that key's seedings,
// and at most a bound of values held across all of them.
//
// It is a package of its own so that its rule is tested without a test
// binary that links the server (servertest imports it; docs/decisions.md,
// the links of test binaries).
package keyed

import (
	"slices"
	"sync"
	"sync/atomic"
)

// Cache keys entries by K, each holding at most one *V; at most max of
// them hold one at a time, the oldest value dropped first. Entries are
// never dropped, only their values: an entry's lock is what keeps two
// seedings of one key from running at once (servertest's seedings of one
// key write and remove one file), and a second entry made for a key whose
// first was dropped mid-seeding would let them. An entry is a lock and a
// pointer; the values are what weigh.
type Cache[K comparable, V any] struct {
	max  int
	mu   sync.Mutex // guards m and held; a leaf, never held with an entry's lock awaited
	m    map[K]*Entry[V]
	held []*Entry[V] // the entries holding a value, oldest first
}

// Entry is one key's: Lock it to make its value, which Load reads.
type Entry[V any] struct {
	sync.Mutex
	v atomic.Pointer[V]
}

// New is a Cache holding at most max values.
func New[K comparable, V any](max int) *Cache[K, V] {
	return &Cache[K, V]{max: max, m: map[K]*Entry[V]{}}
}

// Entry is key's entry, made on first use and the same ever after.
func (c *Cache[K, V]) Entry(key K) *Entry[V] {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.m[key]
	if e == nil {
		e = &Entry[V]{}
		c.m[key] = e
	}
	return e
}

// Load is e's value, nil when it has none (never made, or dropped).
func (e *Entry[V]) Load() *V { return e.v.Load() }

// Keep makes v e's value (nil: none), and drops the oldest other value
// past the bound.
func (c *Cache[K, V]) Keep(e *Entry[V], v *V) {
	e.v.Store(v)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.held = slices.DeleteFunc(c.held, func(h *Entry[V]) bool { return h == e })
	if v == nil {
		return
	}
	c.held = append(c.held, e)
	if len(c.held) > c.max {
		c.held[0].v.Store(nil)
		c.held = c.held[1:]
	}
}
