// Command reference is the baseline every speed figure is measured against:
// a bare net/http server that answers any request with fixed bytes (the
// mock's own response to the endpoint under test, captured by bench/run.sh).
// With --bolt it first commits the request body to a bbolt file through
// db.Batch, which is the floor for a durable write endpoint: group commit,
// one fsync per batch, nothing else. With --plain as well, it commits each
// body in a transaction of its own (db.Update): a plain commit per request,
// the baseline the group commit is held to (issue 16).
// The ratio mock/reference measured in the same run is what the closing
// notes report, because the machines here are shared and noisy.
package main

import (
	"encoding/binary"
	"flag"
	"io"
	"log"
	"net/http"
	"os"
	"strconv"
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
	spin := flag.Duration("spin", 0, "burn this much CPU per request before answering (a reference as slow as the mock, to tell its per-request kernel cost from its rate's)")
	flag.Parse()
	var db *bolt.DB
	if *boltFile != "" {
		var err error
		if db, err = bolt.Open(*boltFile, 0o600, nil); err != nil {
			log.Fatal(err)
		}
		if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucketIfNotExists([]byte("b")); return err }); err != nil {
			log.Fatal(err)
		}
	}
	body, err := os.ReadFile(*bodyFile)
	if err != nil && *bodyFile != "" {
		log.Fatal(err)
	}
	length := strconv.Itoa(len(body))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		burn(*spin)
		if db != nil {
			in, _ := io.ReadAll(r.Body)
			commit := db.Batch
			if *plain {
				commit = db.Update
			}
			err := commit(func(tx *bolt.Tx) error {
				b := tx.Bucket([]byte("b"))
				id, _ := b.NextSequence()
				return b.Put(binary.BigEndian.AppendUint64(nil, id), in)
			})
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		w.Header().Set("Content-Type", *ctype)
		w.Header().Set("Content-Length", length)
		w.WriteHeader(*status)
		_, _ = w.Write(body)
	})
	log.Fatal(http.ListenAndServe(*addr, h))
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
