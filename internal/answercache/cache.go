// Package answercache keeps the encoded answers of reads between writes.
//
// carreta's order lists, amapi's GET api/test and saplab's panel reads
// are polled by clients, and each poll otherwise opened a read
// transaction and decoded and encoded the same rows again (issue 16).
// The three APIs kept such answers in three copies of one cache; this is
// that cache, once.
//
// A Cache has a version, a counter the API's writes bump (Changed) once
// their commit has returned. A reader reads Version before its read
// transaction begins and gets or puts its answer under that version, so
// an answer is only given while no write has returned since the
// transaction that made it began. An answer made from a commit whose bump
// has not happened yet is the newer one, which a reader may see anyway.
//
// The cache holds the answers of one version: a Put under a newer version
// starts it over, a Put under an older one is dropped, so stale answers
// take no room. It is bounded in entries and in bytes; when a Put would
// pass either bound it starts over rather than tracking use, which costs
// a read per answer and nothing else.
package answercache

import (
	"sync"
	"sync/atomic"
)

// Cache keeps values of type V under keys K for one version at a time.
// The zero Cache is not usable: New sets its bounds.
type Cache[K comparable, V any] struct {
	version atomic.Uint64

	maxEntries int         // 0: no bound on entries
	maxBytes   int         // 0: no bound on bytes
	size       func(V) int // a value's bytes; nil: values count 0

	mu    sync.Mutex // guards the fields below; a leaf
	at    uint64     // the version the kept values belong to
	m     map[K]V
	bytes int
}

// New is an empty cache that starts over when it would hold more than
// maxEntries values or more than maxBytes bytes as size counts them (0:
// no such bound; size may be nil when maxBytes is 0).
func New[K comparable, V any](maxEntries, maxBytes int, size func(V) int) *Cache[K, V] {
	return &Cache[K, V]{maxEntries: maxEntries, maxBytes: maxBytes, size: size, m: map[K]V{}}
}

// Bytes is the size of a []byte value, for New.
func Bytes(b []byte) int { return len(b) }

// Version is the current version: read it before the read transaction
// whose answer is to be kept.
func (c *Cache[K, V]) Version() uint64 { return c.version.Load() }

// Changed marks a write: every kept answer is stale. Call it after the
// write's commit has returned.
func (c *Cache[K, V]) Changed() { c.version.Add(1) }

// Get is the value kept under k at version v.
func (c *Cache[K, V]) Get(k K, v uint64) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at != v {
		var zero V
		return zero, false
	}
	val, ok := c.m[k]
	return val, ok
}

// Put keeps val under k, made by a read begun at version v, unless a newer
// version's values are kept already.
func (c *Cache[K, V]) Put(k K, v uint64, val V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v < c.at {
		return
	}
	n := 0
	if c.size != nil {
		n = c.size(val)
	}
	old, had := c.m[k]
	if had && c.size != nil {
		c.bytes -= c.size(old)
	}
	full := (c.maxEntries > 0 && !had && len(c.m) >= c.maxEntries) ||
		(c.maxBytes > 0 && c.bytes+n > c.maxBytes)
	if v > c.at || full {
		c.at, c.m, c.bytes = v, map[K]V{}, 0
	}
	c.m[k] = val
	c.bytes += n
}

// Len is the number of values kept (for tests and metrics).
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// Reset drops every value and the version they belong to, for a cache
// whose versions are another's (carreta's held answers follow a view's
// pages): when that other is replaced, its versions start again from 0,
// and a Put under them would otherwise be dropped as older.
func (c *Cache[K, V]) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at, c.m, c.bytes = 0, map[K]V{}, 0
}

// Size is the bytes of the values kept, as size counts them (for tests
// and metrics).
func (c *Cache[K, V]) Size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}
