// Package statetest holds helpers for tests that compare state files.
package statetest

import (
	"fmt"
	"reflect"
	"testing"
	"time"

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

// CheckClone fails t unless clone copies a T whole: every field of a T
// filled by reflection (strings, numbers, times, and one element in each
// slice and map, through pointers) comes back equal, and no slice, map or
// pointer of the copy shares memory with the original, so a field added
// to T later that clone does not copy fails the test (state.Memo's clone).
func CheckClone[T any](t testing.TB, clone func(*T) *T) {
	t.Helper()
	orig := new(T)
	fill(reflect.ValueOf(orig).Elem(), 1)
	cp := clone(orig)
	if !reflect.DeepEqual(orig, cp) {
		t.Fatalf("clone of %T differs:\n%+v\n%+v", orig, *orig, *cp)
	}
	if path := shared(reflect.ValueOf(orig).Elem(), reflect.ValueOf(cp).Elem(), reflect.TypeFor[T]().Name()); path != "" {
		t.Fatalf("clone of %T shares %s with the original", orig, path)
	}
}

// fill sets every settable part of v to a value other than its zero.
func fill(v reflect.Value, n int) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprint("s", n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(n))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(n))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(n))
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n+1)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0), n+1)
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, n+1)
		fill(e, n+2)
		v.SetMapIndex(k, e)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2020, 1, 2, 3, 4, 5, n, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n+i+1)
			}
		}
	}
}

// shared is the path of the first slice, map or pointer that a and b
// hold in common, or "".
func shared(a, b reflect.Value, path string) string {
	switch a.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map:
		if !a.IsNil() && a.UnsafePointer() == b.UnsafePointer() {
			return path
		}
	}
	switch a.Kind() {
	case reflect.Pointer:
		if !a.IsNil() {
			return shared(a.Elem(), b.Elem(), path)
		}
	case reflect.Slice:
		for i := range a.Len() {
			if p := shared(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
	case reflect.Map:
		for _, k := range a.MapKeys() {
			if p := shared(a.MapIndex(k), b.MapIndex(k), fmt.Sprintf("%s[%v]", path, k)); p != "" {
				return p
			}
		}
	case reflect.Struct:
		for i := range a.NumField() {
			if a.Type().Field(i).IsExported() {
				if p := shared(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); p != "" {
					return p
				}
			}
		}
	}
	return ""
}
