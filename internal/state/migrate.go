package state

import (
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// migrate moves the rows of a state file of the single-file layout (every
// API's buckets in the main file, as written before the state was split
// per API, and as every /__admin/snapshot is) into the part files, once.
// Such a file has no generation in its meta bucket: a main file that has
// one was written by this layout, and API buckets in it (an earlier
// version run on it, which makes every bucket it knows, empty) are left
// alone rather than copied over the part files' rows.
// The order makes a crash at any point harmless: each part is filled in
// one transaction, marked with the main file's generation, and only then
// are the buckets removed from the main file, in one transaction, so a
// crash before that leaves the main file as it was and the next open
// migrates again from the start. The main file is compacted afterwards:
// the pages its rows held are freed, not kept.
func (s *Set) migrate() error {
	legacy := false
	err := s.main.db.View(func(in *bolt.Tx) error {
		if _, split := generation(in.Bucket([]byte(MetaBucket)), metaGeneration); split {
			return nil
		}
		for _, st := range s.parts {
			for _, b := range st.buckets {
				if in.Bucket([]byte(b)) != nil {
					legacy = true
				}
			}
		}
		return nil
	})
	if err != nil || !legacy {
		return err
	}
	t, err := s.target()
	if err != nil {
		return err
	}
	for _, st := range s.parts {
		err := s.main.db.View(func(in *bolt.Tx) error {
			return st.Update(func(tx *Tx) error {
				if err := copyBuckets(tx.btx, in, st.buckets); err != nil {
					return err
				}
				return putGeneration(tx.Bucket(MetaBucket), metaGeneration, t.gen)
			})
		})
		if err == nil {
			err = crashAfter("migrate", st.db.Path())
		}
		if err != nil {
			return fmt.Errorf("move the rows of %s into %s: %w", s.path, st.db.Path(), err)
		}
	}
	err = s.main.Update(func(tx *Tx) error {
		for _, st := range s.parts {
			for _, b := range st.buckets {
				if err := tx.btx.DeleteBucket([]byte(b)); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
					return err
				}
			}
		}
		return putGeneration(tx.Bucket(MetaBucket), metaGeneration, t.gen)
	})
	if err != nil {
		return fmt.Errorf("move the rows of %s: %w", s.path, err)
	}
	return s.main.compact()
}

// copyBuckets replaces the buckets names in out with in's (a bucket in
// lacks is left empty in out): every key, nested bucket and sequence.
func copyBuckets(out, in *bolt.Tx, names []string) error {
	for _, name := range names {
		if err := out.DeleteBucket([]byte(name)); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
			return err
		}
		dst, err := out.CreateBucket([]byte(name))
		if err != nil {
			return err
		}
		if src := in.Bucket([]byte(name)); src != nil {
			if err := copyBucket(dst, src); err != nil {
				return fmt.Errorf("copy bucket %s: %w", name, err)
			}
		}
	}
	return nil
}

// copyBucket copies src's keys, nested buckets and sequence into dst.
func copyBucket(dst, src *bolt.Bucket) error {
	if err := dst.SetSequence(src.Sequence()); err != nil {
		return err
	}
	return src.ForEach(func(k, v []byte) error {
		if v != nil {
			return dst.Put(k, v)
		}
		sub, err := dst.CreateBucket(k)
		if err != nil {
			return err
		}
		return copyBucket(sub, src.Bucket(k))
	})
}

// copyBatch is how many keys copyTree puts in one transaction: bbolt
// keeps a transaction's dirty pages in memory until it commits, so a
// bucket of a large state (100 000s of rows) is copied in slices. A
// variable only so that a test can make slices of one key.
var copyBatch = 50_000

// copyTree copies the bucket at path in in, its keys and sequence, into
// the same path in dst (made if missing), in transactions of one bucket
// each (copyBatch keys at most), then each bucket nested in it the same
// way. One bucket a transaction makes the copy's bytes a function of the
// state alone: bbolt writes the dirty buckets of a transaction in its
// map's order, which is random, so two copies of one state in one
// transaction differ in their page layout.
func copyTree(dst *bolt.DB, in *bolt.Tx, path [][]byte) error {
	src := in.Bucket(path[0])
	for _, name := range path[1:] {
		if src != nil {
			src = src.Bucket(name)
		}
	}
	var subs [][]byte // in stays open: its keys stay valid
	var from []byte   // where the next slice begins; nil: the bucket is done
	for first := true; first || from != nil; first = false {
		err := dst.Update(func(out *bolt.Tx) error {
			b, err := out.CreateBucketIfNotExists(path[0])
			for _, name := range path[1:] {
				if err == nil {
					b, err = b.CreateBucketIfNotExists(name)
				}
			}
			if err != nil || src == nil {
				return err
			}
			if first {
				if err := b.SetSequence(src.Sequence()); err != nil {
					return err
				}
			}
			c := src.Cursor()
			k, v := c.First()
			if from != nil {
				k, v = c.Seek(from)
			}
			from = nil
			for n := 0; k != nil; k, v = c.Next() {
				switch {
				case n == copyBatch:
					from = k
					return nil
				case v == nil:
					subs = append(subs, k)
				default:
					if err := b.Put(k, v); err != nil {
						return err
					}
					n++
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for _, k := range subs {
		if err := copyTree(dst, in, append(path[:len(path):len(path)], k)); err != nil {
			return err
		}
	}
	return nil
}
