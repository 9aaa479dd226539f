package saplab

import (
	"errors"
	"sync/atomic"

	"github.com/mockserver/mockserver/internal/state"
	bolt "go.etcd.io/bbolt"
)

// The seeding in two goroutines (issue 16): the seeder generates and
// encodes the records (seed.go, generate.go, records.go) while the
// seedWriter puts them into bbolt and commits them every seedChunk bytes
// (state.Tx.Checkpoint), each about half of a large seeding's CPU. The
// writer is the only goroutine that touches the transaction from the
// first record to the last (the channel orders every put after the
// encoding of its record, and drain orders the seeder's later use of the
// transaction after the writer's last put). The records are put in the
// order they were made and the commits fall after the same bytes as in
// one goroutine, so the file is the same, commit for commit.

// seedOp is one put: into the top-level bucket, or into the nested
// column bucket of bIndex when nested is set (columns.go). n is what it
// counts towards the chunk (seeder.wrote's count); fill sets the bucket's
// FillPercent to seedFill first.
type seedOp struct {
	bucket   string
	nested   []byte
	key, val []byte
	n        int
	fill     bool
}

// errWriter stops the seeder once the writer failed; drain replaces it
// with the writer's error.
var errWriter = errors.New("saplab seeding: the writer stopped")

// seedBatch is how many puts the seeder hands over at a time, and
// seedQueue how many batches may wait: about 30 MB of positions, so that
// the seeder keeps making records while the writer commits a chunk.
const seedBatch, seedQueue = 512, 64

// seedWriter puts the seeder's records on a goroutine of its own.
type seedWriter struct {
	tx      *state.Tx
	ch      chan []seedOp
	done    chan struct{}
	err     error // the first put or commit that failed; read after done
	pending int   // bytes put since the last commit
	// failed tells the seeder to stop making records.
	failed atomic.Bool
}

// startWriter starts the writer of tx: on a goroutine of its own when
// async, else the seeder's puts are the writer's at once (a small
// seeding, such as the default scenario's at a fresh start, where a
// second goroutine is not worth starting).
func startWriter(tx *state.Tx, async bool) *seedWriter {
	w := &seedWriter{tx: tx}
	if async {
		w.ch, w.done = make(chan []seedOp, seedQueue), make(chan struct{})
		go w.run()
	}
	return w
}

// run puts every batch in order until the channel closes; after a failure
// it only empties the channel.
func (w *seedWriter) run() {
	defer close(w.done)
	for batch := range w.ch {
		for i := range batch {
			if w.err == nil {
				w.err = w.put(&batch[i])
			}
		}
		if w.err != nil {
			w.failed.Store(true)
		}
	}
}

// put is one op, then a commit when a chunk is full.
func (w *seedWriter) put(op *seedOp) error {
	var b *bolt.Bucket
	if op.nested != nil {
		var err error
		if b, err = columns(w.tx, op.nested); err != nil {
			return err
		}
	} else {
		b = w.tx.Bucket(op.bucket)
	}
	if op.fill {
		b.FillPercent = seedFill
	}
	if err := b.Put(op.key, op.val); err != nil {
		return err
	}
	w.pending += op.n
	if w.pending >= seedChunk {
		w.pending = 0
		return w.tx.Checkpoint()
	}
	return nil
}

// enqueue hands op to the writer (in batches), unless an earlier write
// failed.
func (sd *seeder) enqueue(op seedOp) {
	if sd.err != nil {
		return
	}
	if sd.w.ch == nil {
		sd.err = sd.w.put(&op)
		return
	}
	if sd.w.failed.Load() {
		sd.err = errWriter
		return
	}
	sd.batch = append(sd.batch, op)
	if len(sd.batch) == seedBatch {
		sd.w.ch <- sd.batch
		sd.batch = make([]seedOp, 0, seedBatch)
	}
}

// drain hands over the last batch, waits for the writer to put it and
// takes the transaction back, with the writer's error.
func (sd *seeder) drain() {
	if sd.w.ch == nil {
		return
	}
	if len(sd.batch) > 0 {
		sd.w.ch <- sd.batch
		sd.batch = nil
	}
	close(sd.w.ch)
	<-sd.w.done
	if sd.err == nil || sd.err == errWriter {
		sd.err = sd.w.err
	}
}
