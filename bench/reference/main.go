// Command reference is the baseline every speed figure is measured against:
// a bare net/http server that answers any request with fixed bytes (the
// mock's own response to the endpoint under test, captured by bench/run.sh).
// With --bolt it first commits the request body to a bbolt file through
// db.Batch, which is the floor for a durable write endpoint: group commit,
// one fsync per batch, nothing else. With --plain as well, it commits each
// body in a transaction of its own (db.Update): a plain commit per request,
// the baseline the group commit is held to (issue 16). --buckets N puts the
// body into N buckets instead of one, so that a commit writes about the
// pages a mock's write does (carreta's order four buckets, saplab's pay
// six; --record pads a short body to a row's size): the gap that is left between the mock and such a reference is the
// mock's own work, not the data it must store (bench/README.md).
// The ratio mock/reference measured in the same run is what the closing
// notes report, because the machines here are shared and noisy.
package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18181", "listen address")
	bodyFile := flag.String("body", "", "file with the response body")
	ctype := flag.String("content-type", "application/json", "Content-Type of the response")
	status := flag.Int("status", http.StatusOK, "response status")
	boltFile := flag.String("bolt", "", "commit each request body to this bbolt file with db.Batch before answering")
	plain := flag.Bool("plain", false, "with --bolt: commit with db.Update, one transaction per request")
	nBuckets := flag.Int("buckets", 1, "with --bolt: put the body into this many buckets in each commit")
	record := flag.Int("record", 0, "with --bolt: store at least this many bytes per bucket (the body, padded): a GET's empty body then fills pages as a stored row would")
	spin := flag.Duration("spin", 0, "burn this much CPU per request before answering (a reference as slow as the mock, to tell its per-request kernel cost from its rate's)")
	var extra headerList
	flag.Var(&extra, "header", "a header to send with every answer, \"Name: value\" (repeatable): the mock's own headers besides Content-Type and the framing, as amapi's Laravel headers, so that a ratio leaves out the bytes the API must send (REF_FRAMING=mock in bench/run.sh)")
	chunked := flag.Bool("chunked", false, "send no Content-Length: net/http then sends a body over 2 KB chunked, as the mock sends an answer it leaves the length of (saplab's list pages; REF_FRAMING=mock in bench/run.sh)")
	flag.Parse()
	var store func(in []byte) error
	if *boltFile != "" {
		store = storer(*boltFile, *plain, *nBuckets, *record)
	}
	body, err := os.ReadFile(*bodyFile)
	if err != nil && *bodyFile != "" {
		log.Fatal(err)
	}
	length := strconv.Itoa(len(body))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		burn(*spin)
		if store != nil {
			in, _ := io.ReadAll(r.Body)
			if err := store(in); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		for _, kv := range extra {
			w.Header()[kv[0]] = kv[1:]
		}
		w.Header().Set("Content-Type", *ctype)
		if !*chunked {
			w.Header().Set("Content-Length", length)
		}
		w.WriteHeader(*status)
		_, _ = w.Write(body)
	})
	log.Fatal(http.ListenAndServe(*addr, h))
}

// headerList is the repeated --header flag: each a canonical name and its
// value, set as they are into every answer's header map.
type headerList [][]string

func (l *headerList) String() string { return fmt.Sprint(*l) }

func (l *headerList) Set(s string) error {
	name, value, ok := strings.Cut(s, ":")
	if !ok {
		return fmt.Errorf("want \"Name: value\", got %q", s)
	}
	*l = append(*l, []string{http.CanonicalHeaderKey(strings.TrimSpace(name)), strings.TrimSpace(value)})
	return nil
}

// storer opens the bbolt file at path with its buckets and returns the
// commit of one request body: padded to record bytes, put into each of
// the buckets under the next sequence number, in db.Batch's window, or
// in a transaction of its own when plain.
func storer(path string, plain bool, buckets, record int) func(in []byte) error {
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		log.Fatal(err)
	}
	names := bucketNames(buckets)
	if err := db.Update(func(tx *bolt.Tx) error {
		for _, name := range names {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		log.Fatal(err)
	}
	commit := db.Batch
	if plain {
		commit = db.Update
	}
	return func(in []byte) error {
		if len(in) < record {
			in = append(in, make([]byte, record-len(in))...)
		}
		return commit(func(tx *bolt.Tx) error {
			for _, name := range names {
				b := tx.Bucket(name)
				id, _ := b.NextSequence()
				if err := b.Put(binary.BigEndian.AppendUint64(nil, id), in); err != nil {
					return err
				}
			}
			return nil
		})
	}
}

// bucketNames are the names of n buckets: "b" (the one of a plain
// reference), then "b1", "b2" and on.
func bucketNames(n int) [][]byte {
	names := [][]byte{[]byte("b")}
	for i := 1; i < n; i++ {
		names = append(names, []byte("b"+strconv.Itoa(i)))
	}
	return names
}

// sink keeps burn's loop from being optimised away.
var sink uint64

// burn spins on the CPU for d (thread CPU time is what the server pays).
func burn(d time.Duration) {
	if d <= 0 {
		return
	}
	for end := time.Now().Add(d); time.Now().Before(end); {
		for i := range 200 {
			sink += uint64(i) * 2654435761
		}
	}
}
