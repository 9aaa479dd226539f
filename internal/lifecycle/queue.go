package lifecycle

import (
	"container/heap"
	"math"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mockserver/mockserver/internal/clock"
)

// Queue knows, for each order on its automatic path, when its next move
// falls due, so that a read can tell with one atomic load whether anything
// must be written before it answers. The stored order is the truth (its
// Progress); the queue only says where to look. Each vendor API value has
// its own (in its view), so worlds and tests never share one.
//
// A catch-up takes the orders that are due (Take), applies their moves in
// one write transaction, and hands their new due times back (Settle).
// Between the two the queue reports itself due to everyone, so a read that
// comes in meanwhile runs a catch-up of its own, which waits for the first
// one's commit on the store's one writer and finds nothing left to do: no
// read ever answers from before a move that had fallen due.
type Queue struct {
	// mu guards next, due and inFlight. It is a leaf: held only while they
	// are read or changed, never across a transaction; a catch-up takes it
	// inside the store's write transaction (so the order is bbolt's writer
	// lock, then mu, then nothing).
	mu       sync.Mutex
	next     map[uint64]int64 // order id → due time in Unix microseconds
	due      dueHeap          // the same, by time; entries next no longer holds are skipped
	inFlight int              // catch-ups between Take and Settle

	// earliest is the first due time in Unix microseconds (math.MinInt64
	// while a catch-up is in flight, math.MaxInt64 when nothing is
	// queued). Due reads it without mu; it is written under mu.
	earliest atomic.Int64
}

// Entry is an order and when its next move falls due.
type Entry struct {
	ID uint64
	At time.Time
}

// NewQueue is an empty queue.
func NewQueue() *Queue {
	q := &Queue{next: map[uint64]int64{}}
	q.earliest.Store(math.MaxInt64)
	return q
}

// micros is t on the queue's scale. Schedule makes every move time a whole
// microsecond, so comparing on it is exact.
func micros(t time.Time) int64 { return t.UnixMicro() }

// Due reports whether some order's move has fallen due by now (or a
// catch-up is in flight): the cheap test every read makes first.
func (q *Queue) Due(now time.Time) bool { return q.earliest.Load() <= micros(now) }

// Idle reports whether no order has a move queued (and no catch-up is in
// flight), so nothing can be due: a reader then need not read the clock
// for Due (a clock reading costs a system call on some virtual machines).
func (q *Queue) Idle() bool { return q.earliest.Load() == math.MaxInt64 }

// DueOn is Due at c's now, reading c only when a move is queued (Idle
// otherwise): the test a read makes before it serves a kept answer.
func (q *Queue) DueOn(c *clock.Clock) bool { return !q.Idle() && q.Due(c.Now()) }

// Set queues order id for a move due at at, replacing what it had.
func (q *Queue) Set(id uint64, at time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.set(id, micros(at))
	q.publish()
}

// Drop takes order id out of the queue (its path ended or was taken off).
func (q *Queue) Drop(id uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	delete(q.next, id)
	q.publish()
}

// Len is how many orders are queued.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.next)
}

// Take removes and returns the orders due by now, earliest first (ties by
// id). Every Take must be followed by one Settle of what it returned.
func (q *Queue) Take(now time.Time) []Entry {
	q.mu.Lock()
	defer q.mu.Unlock()
	limit := micros(now)
	var out []Entry
	for q.due.Len() > 0 && q.due[0].at <= limit {
		e := heap.Pop(&q.due).(dueEntry)
		if at, ok := q.next[e.id]; !ok || at != e.at {
			continue // stale: the order was queued again or dropped
		}
		delete(q.next, e.id)
		out = append(out, Entry{ID: e.id, At: time.UnixMicro(e.at)})
	}
	q.inFlight++
	q.publish()
	return out
}

// Settle ends a Take: each taken order is queued again at next[id], or left
// out when next has none (its moves are all applied). failed means the
// catch-up did not commit: every taken order is queued again as it was.
func (q *Queue) Settle(taken []Entry, next map[uint64]time.Time, failed bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, e := range taken {
		if failed {
			q.set(e.ID, micros(e.At))
		} else if at, ok := next[e.ID]; ok {
			q.set(e.ID, micros(at))
		}
	}
	q.inFlight--
	q.publish()
}

// set queues id at at (microseconds); mu is held.
func (q *Queue) set(id uint64, at int64) {
	q.next[id] = at
	heap.Push(&q.due, dueEntry{at: at, id: id})
}

// publish recomputes earliest, dropping stale entries off the top of the
// heap; mu is held.
func (q *Queue) publish() {
	for q.due.Len() > 0 {
		top := q.due[0]
		if at, ok := q.next[top.id]; ok && at == top.at {
			break
		}
		heap.Pop(&q.due)
	}
	switch {
	case q.inFlight > 0:
		q.earliest.Store(math.MinInt64)
	case q.due.Len() == 0:
		q.earliest.Store(math.MaxInt64)
	default:
		q.earliest.Store(q.due[0].at)
	}
}

// dueEntry is one heap entry.
type dueEntry struct {
	at int64
	id uint64
}

// dueHeap orders entries by time, then id, so a catch-up applies orders in
// the same order on every run.
type dueHeap []dueEntry

func (h dueHeap) Len() int { return len(h) }
func (h dueHeap) Less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].id < h[j].id
}
func (h dueHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)   { *h = append(*h, x.(dueEntry)) }
func (h *dueHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// Upto is every queued order whose next move falls due by t, earliest
// first (ties by id), left in the queue: what a clock preview reads.
func (q *Queue) Upto(t time.Time) []Entry {
	q.mu.Lock()
	limit := micros(t)
	var out []dueEntry
	for id, at := range q.next {
		if at <= limit {
			out = append(out, dueEntry{at: at, id: id})
		}
	}
	q.mu.Unlock()
	h := dueHeap(out)
	sort.Sort(h)
	entries := make([]Entry, len(h))
	for i, e := range h {
		entries[i] = Entry{ID: e.id, At: time.UnixMicro(e.at)}
	}
	return entries
}
