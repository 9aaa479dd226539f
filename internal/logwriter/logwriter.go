// Package logwriter writes the server's log lines in batches, off the
// request's path: a request's log line used to cost a write system call of
// its own (two per request with the answer's), about a third of the
// system calls a small read made (issue 16). Write appends the line to a
// buffer and returns; one goroutine at a time writes what has gathered,
// so under load many lines share one write, and a lone line is written
// while the server waits for the next request.
//
// The request lines (appended in place, Begin and End) wait up to
// Delay before their write starts, so that one client's requests one after
// another share a write too: written at once, each lone request's line
// cost a goroutine and a write(2) of its own, half a system call a request
// at one client (issue 16). Any other line (Write: warnings, errors, the
// start and stop) starts the write at once, with whatever request lines
// wait before it.
//
// Lines keep their order and are never interleaved (each Write is one
// line: slog's handlers write a record in one call). Flush, which the
// serve command calls before it returns, waits until every line is
// written. A crash of the process (a fatal runtime error, kill -9) loses
// the lines not yet written: the request lines of the last Delay at
// most, and other lines of the last few microseconds.
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
	"time"
)

// Delay is how long a request line (End) may wait before the write that
// takes it starts: a hundred-odd lines a write at one client's pace, and
// later than a person watching the log can tell.
const Delay = 10 * time.Millisecond

// MaxPending is how many bytes may wait to be written before Write waits.
const MaxPending = 1 << 20

// keepSpare is the largest buffer kept for the next batch; a larger one
// (after a burst) is let go.
const keepSpare = 64 << 10

// FullBatch is how many bytes of request lines start the write without
// waiting for the delay: some 130 lines. Under load the batch then stays
// within keepSpare, a buffer reused and warm in the cache; a batch of the
// whole delay (some 60 KB at 50,000 requests a second) was a new buffer
// grown each time, and appending a line to it cost more than the copy
// from a pooled buffer it replaced (issue 16).
const FullBatch = 16 << 10

// Writer is an io.Writer that batches lines to out.
type Writer struct {
	out io.Writer

	mu      sync.Mutex
	drained sync.Cond // signalled after each batch and when the writer stops
	pending []byte    // lines not yet handed to out
	spare   []byte    // the last batch's buffer, for the next one
	writing bool      // a goroutine is writing batches
	armed   bool      // timer will start the writer (End)
	delay   time.Duration
	timer   *time.Timer // fire, after delay; made once, stopped and reset
}

// New batches lines to out, request lines within Delay.
func New(out io.Writer) *Writer { return newDelay(out, Delay) }

// newDelay is New with request lines written within delay rather than
// Delay: a test holds them for an hour, or lets them go at once.
func newDelay(out io.Writer, delay time.Duration) *Writer {
	w := &Writer{out: out, delay: delay}
	w.drained.L = &w.mu
	w.timer = time.AfterFunc(time.Hour, w.fire)
	w.timer.Stop()
	return w
}

// Write queues p, one log line, and returns at once (unless MaxPending
// bytes already wait). It never fails: a failed write to out loses the
// batch, as a failed write to stderr loses a line.
func (w *Writer) Write(p []byte) (int, error) {
	w.pending = append(w.Begin(), p...)
	w.start()
	w.mu.Unlock()
	return len(p), nil
}

// Begin returns the batch being gathered, for one line to be appended to
// it in place, and holds the writer until End takes the batch back (with
// the line appended): a log handler that formats its line there
// (logline's request line) needs no buffer of its own and no copy into
// this one (issue 16). Between the two nothing may block or panic, and no
// other call of the Writer may be made; a line is appended whole or not
// at all. Like Write, Begin waits while MaxPending bytes wait.
func (w *Writer) Begin() []byte {
	w.mu.Lock()
	for len(w.pending) >= MaxPending {
		w.start() // a full buffer does not wait for the delay
		w.drained.Wait()
	}
	return w.pending
}

// End takes back the batch Begin returned, grown by one line, and
// releases the writer. The line is written within the writer's delay
// (Delay), or with the next line that is not a request's, or once
// FullBatch bytes wait, or by Flush.
func (w *Writer) End(batch []byte) {
	w.pending = batch
	switch {
	case len(batch) >= FullBatch:
		w.start()
	case !w.writing && !w.armed && len(batch) > 0:
		w.armed = true
		w.timer.Reset(w.delay)
	}
	w.mu.Unlock()
}

// start starts the writer now, unless it is running; the timer, if armed,
// is left to find it running or nothing to do (fire). The caller holds mu.
func (w *Writer) start() {
	if w.armed {
		w.armed = false
		w.timer.Stop()
	}
	if !w.writing && len(w.pending) > 0 {
		w.writing = true
		go w.run()
	}
}

// fire is the timer's: it starts the writer for the request lines End
// left, unless start has meanwhile (armed cleared: a timer stopped too late
// runs fire anyway).
func (w *Writer) fire() {
	w.mu.Lock()
	if !w.armed {
		w.mu.Unlock()
		return
	}
	w.armed = false
	w.start()
	w.mu.Unlock()
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
	w.start() // request lines do not wait for their delay
	for w.writing || len(w.pending) > 0 {
		w.drained.Wait()
	}
	w.mu.Unlock()
}
