package saplab

import (
	"github.com/mockserver/mockserver/internal/phpjson"
	"github.com/mockserver/mockserver/internal/state"
)

// The row cache keeps rows decoded from the file, and list rows encoded for
// the wire, between writes: decoding and encoding a position is most of
// what a list page costs. Every committed write and every Load drop the
// whole cache under store.viewMu held exclusively, so a cached row is always
// the stored one; readers use it under viewMu held shared. The map itself
// is guarded by store.rowsMu. Cached rows are shared between readers and
// must never be changed.

// rowKey names a cached row: a decoded row by id, or (wire) the encoded
// list row at index id.
type rowKey struct {
	bucket string
	id     int64
	wire   bool
}

// maxCachedRows bounds the row cache (about a megabyte per thousand
// positions); past it the cache starts over rather than tracking use.
const maxCachedRows = 20_000

// remembered returns what the row cache holds under k, making it with build
// on a miss. Two readers missing at once both make it; either result is the
// same value. The caller holds viewMu shared (inside s.read).
func remembered[T any](s *store, k rowKey, build func() (T, error)) (T, error) {
	s.rowsMu.Lock()
	v, ok := s.rows[k]
	s.rowsMu.Unlock()
	if ok {
		return v.(T), nil
	}
	made, err := build()
	if err != nil {
		return made, err
	}
	s.rowsMu.Lock()
	if len(s.rows) >= maxCachedRows {
		s.rows = map[rowKey]any{}
	}
	s.rows[k] = made
	s.rowsMu.Unlock()
	return made, nil
}

// cached is get for read requests, through the row cache. The caller holds
// viewMu shared (inside s.read) and must not change the row it gets.
func cached[T any](s *store, tx *state.Tx, bucket string, id int64) (*T, error) {
	return remembered(s, rowKey{bucket: bucket, id: id}, func() (*T, error) { return get[T](tx, bucket, id) })
}

// wireKey names the cached wire form of list row i of bucket: a list row is a
// function of the row, its client and the reference tables, all of which
// change only through write and Load, which drop the cache.
func wireKey(bucket string, i int64) rowKey { return rowKey{bucket: bucket, id: i, wire: true} }

// cachedWire is a list row as PHP's json_encode writes it, rendered once
// per row between writes. The caller holds viewMu shared (in s.read).
func cachedWire(s *store, k rowKey, render func() (any, error)) ([]byte, error) {
	return remembered(s, k, func() ([]byte, error) {
		row, err := render()
		if err != nil {
			return nil, err
		}
		return phpjson.Marshal(row)
	})
}

// dropCachedRows empties the row cache and the answer cache; the caller holds viewMu exclusively.
func (s *store) dropCachedRows() {
	s.rowsMu.Lock()
	s.rows = map[rowKey]any{}
	s.dropAnswers()
	s.rowsMu.Unlock()
}
