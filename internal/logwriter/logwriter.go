// Package logwriter writes the server's log lines in batches, off the
// request's path: a request's log line used to cost a write system call of
// its own (two per request with the answer's), about a third of the
// system calls a small read made (issue 16). Write appends the line to a
// buffer and returns; one goroutine at a time writes what has gathered,
// so under load many lines share one write, and a lone request's line is
// written while the server waits for the next one.
//
// Lines keep their order and are never interleaved (each Write is one
// line: slog's handlers write a record in one call). Flush, which the
// serve command calls before it returns, waits until every line is
// written. A crash of the process (a fatal runtime error, kill -9) loses
// the lines not yet written, which are at most the last few microseconds'.
// The buffer is bounded: past MaxPending bytes a Write waits for the
// writer, so a log that cannot keep up slows the server rather than
// growing without bound.
//
// It is a leaf: it imports nothing of this module.
package logwriter

import (
	"io"
	"runtime"
	"sync"
)

// MaxPending is how many bytes may wait to be written before Write waits.
const MaxPending = 1 << 20

// keepSpare is the largest buffer kept for the next batch; a larger one
// (after a burst) is let go.
const keepSpare = 64 << 10

// Writer is an io.Writer that batches lines to out.
type Writer struct {
	out io.Writer

	mu      sync.Mutex
	drained sync.Cond // signalled after each batch and when the writer stops
	pending []byte    // lines not yet handed to out
	spare   []byte    // the last batch's buffer, for the next one
	writing bool      // a goroutine is writing batches
}

// New batches lines to out.
func New(out io.Writer) *Writer {
	w := &Writer{out: out}
	w.drained.L = &w.mu
	return w
}

// Write queues p, one log line, and returns at once (unless MaxPending
// bytes already wait). It never fails: a failed write to out loses the
// batch, as a failed write to stderr loses a line.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	for len(w.pending) >= MaxPending {
		w.drained.Wait()
	}
	w.pending = append(w.pending, p...)
	if !w.writing {
		w.writing = true
		go w.run()
	}
	w.mu.Unlock()
	return len(p), nil
}

// run writes batches until none is left. It first lets every goroutine
// that is ready to run go before it: a new goroutine runs next on its
// processor, as soon as the request that started it waits, which would
// make a batch of every line; behind the requests that are ready, it finds
// their lines too. With nothing else to run it writes at once.
func (w *Writer) run() {
	runtime.Gosched()
	w.mu.Lock()
	for len(w.pending) > 0 {
		batch := w.pending
		w.pending = w.spare[:0]
		w.spare = nil
		w.mu.Unlock()
		_, _ = w.out.Write(batch)
		runtime.Gosched() // the same between batches
		w.mu.Lock()
		if cap(batch) <= keepSpare {
			w.spare = batch[:0]
		}
		w.drained.Broadcast()
	}
	w.writing = false
	w.drained.Broadcast()
	w.mu.Unlock()
}

// Flush waits until every line written before it is written to out.
func (w *Writer) Flush() {
	w.mu.Lock()
	for w.writing || len(w.pending) > 0 {
		w.drained.Wait()
	}
	w.mu.Unlock()
}
