package lifecycle_test

import (
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/lifecycle"
)

func TestQueue(t *testing.T) {
	at := func(m int) time.Time { return created.Add(time.Duration(m) * time.Minute) }
	q := lifecycle.NewQueue()
	if q.Due(at(1 << 20)) {
		t.Fatal("an empty queue is due")
	}
	q.Set(3, at(30))
	q.Set(1, at(10))
	q.Set(2, at(10))
	q.Set(4, at(50))
	q.Set(4, at(20)) // queued again: the earlier time replaces the later
	q.Drop(3)
	if q.Due(at(9)) || !q.Due(at(10)) {
		t.Fatal("due at the earliest time, not before")
	}
	taken := q.Take(at(25))
	want := []uint64{1, 2, 4} // by time, then id; 3 was dropped
	if len(taken) != len(want) {
		t.Fatalf("took %+v", taken)
	}
	for i, e := range taken {
		if e.ID != want[i] {
			t.Fatalf("took %+v, want ids %v", taken, want)
		}
	}
	// Until the catch-up settles, the queue is due to everyone: a read
	// must wait for the catch-up's commit rather than answer from before.
	if !q.Due(at(0)) {
		t.Fatal("not due while a catch-up is in flight")
	}
	q.Settle(taken, map[uint64]time.Time{2: at(40)}, false)
	if q.Len() != 1 || q.Due(at(39)) || !q.Due(at(40)) {
		t.Fatalf("after settling: %d queued", q.Len())
	}
	// A catch-up that did not commit puts back what it took, as it was.
	taken = q.Take(at(60))
	q.Settle(taken, nil, true)
	if q.Len() != 1 || !q.Due(at(40)) || q.Due(at(39)) {
		t.Fatal("a failed catch-up lost an order")
	}
	// Taking nothing still has to settle, and then nothing is due early.
	q.Settle(q.Take(at(0)), nil, false)
	if q.Due(at(39)) {
		t.Fatal("due after an empty take")
	}
}

// Idle is true only with nothing queued and no catch-up in flight: a
// reader skips the clock then.
func TestQueue_Idle(t *testing.T) {
	at := func(m int) time.Time { return created.Add(time.Duration(m) * time.Minute) }
	q := lifecycle.NewQueue()
	if !q.Idle() {
		t.Fatal("a new queue is not idle")
	}
	q.Set(1, at(10))
	if q.Idle() {
		t.Fatal("idle with an order queued")
	}
	taken := q.Take(at(10))
	if q.Idle() {
		t.Fatal("idle while a catch-up is in flight")
	}
	q.Settle(taken, nil, false)
	if !q.Idle() {
		t.Fatal("not idle once the last move is done")
	}
	q.Set(2, at(20))
	q.Drop(2)
	if !q.Idle() {
		t.Fatal("not idle once the last order is dropped")
	}
}

// Upto lists what is due by a time, earliest first (ties by id), and
// leaves the queue as it was: a preview takes nothing.
func TestQueue_Upto(t *testing.T) {
	at := func(m int) time.Time { return created.Add(time.Duration(m) * time.Minute) }
	q := lifecycle.NewQueue()
	q.Set(3, at(30))
	q.Set(2, at(10))
	q.Set(1, at(10))
	q.Set(4, at(50))
	got := q.Upto(at(30))
	want := []lifecycle.Entry{{ID: 1, At: at(10)}, {ID: 2, At: at(10)}, {ID: 3, At: at(30)}}
	if len(got) != len(want) {
		t.Fatalf("Upto: %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].ID != want[i].ID || !got[i].At.Equal(want[i].At) {
			t.Fatalf("Upto: %+v, want %+v", got, want)
		}
	}
	if q.Len() != 4 || !q.Due(at(10)) || len(q.Upto(at(9))) != 0 {
		t.Fatalf("Upto changed the queue: %d queued", q.Len())
	}
}

// DueOn is Due at the clock's now, and reads no clock while the queue is
// idle.
func TestQueue_DueOn(t *testing.T) {
	at := func(m int) time.Time { return created.Add(time.Duration(m) * time.Minute) }
	now, reads := at(0), 0
	c := clock.New(func() time.Time { reads++; return now })
	q := lifecycle.NewQueue()
	if q.DueOn(c) || reads != 0 {
		t.Fatalf("idle queue: due %v, %d clock reads", q.DueOn(c), reads)
	}
	q.Set(1, at(10))
	if now = at(9); q.DueOn(c) {
		t.Fatal("due a minute early")
	}
	if now = at(10); !q.DueOn(c) {
		t.Fatal("not due on time")
	}
}
