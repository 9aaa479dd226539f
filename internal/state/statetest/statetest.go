// Package statetest holds helpers for tests that compare state files.
package statetest

import (
	"fmt"
	"testing"

	"github.com/mockserver/mockserver/internal/state"
	bolt "go.etcd.io/bbolt"
)

// Dump is every key and value of the named buckets of s, nested buckets
// included, as "bucket/key[/key]" -> value, and each bucket's sequence as
// "bucket#seq": two states are the same state when their dumps are equal.
func Dump(t testing.TB, s *state.Set, buckets []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	var walk func(prefix string, b *bolt.Bucket)
	walk = func(prefix string, b *bolt.Bucket) {
		out[prefix+"#seq"] = fmt.Sprint(b.Sequence())
		_ = b.ForEach(func(k, v []byte) error {
			if v == nil {
				walk(prefix+"/"+string(k), b.Bucket(k))
			} else {
				out[prefix+"/"+string(k)] = string(v)
			}
			return nil
		})
	}
	for _, name := range buckets {
		if err := s.View(name, func(tx *state.Tx) error { walk(name, tx.Bucket(name)); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// Buckets lists the top-level buckets of the bbolt file at path, opened
// read-only (the file's server must have closed it).
func Buckets(t testing.TB, path string) []string {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var names []string
	_ = db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, _ *bolt.Bucket) error { names = append(names, string(name)); return nil })
	})
	return names
}
