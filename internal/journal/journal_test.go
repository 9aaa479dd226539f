package journal_test

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/journal"
)

func TestJournal_staysBounded(t *testing.T) {
	j := journal.New(100)
	for i := 0; i < 100_000; i++ {
		j.Add(journal.Entry{API: "carreta", Method: "GET", Path: "/v1/search/"})
	}
	if j.Len() != 100 {
		t.Fatalf("journal holds %d entries, want 100", j.Len())
	}
	list := j.List(journal.Filter{})
	if list[0].ID != 99_901 || list[99].ID != 100_000 {
		t.Fatalf("kept ids %d..%d, want the newest 99901..100000", list[0].ID, list[99].ID)
	}
}

func TestJournal_filters(t *testing.T) {
	j := journal.New(10)
	j.Add(journal.Entry{API: "carreta", Method: "GET", Path: "/v1/search/"})
	j.Add(journal.Entry{API: "carreta", Method: "POST", Path: "/v1/order/"})
	j.Add(journal.Entry{API: "saplab", Method: "GET", Path: "/panel/order/pay/20"})
	cases := []struct {
		f    journal.Filter
		want int
	}{
		{journal.Filter{}, 3},
		{journal.Filter{API: "carreta"}, 2},
		{journal.Filter{Method: "post"}, 1},
		{journal.Filter{Path: "/v1/**"}, 2},
		{journal.Filter{Path: "/panel/order/pay/*"}, 1},
		{journal.Filter{Since: 2}, 1},
	}
	for _, c := range cases {
		if got := j.Count(c.f); got != c.want {
			t.Errorf("Count(%+v) = %d, want %d", c.f, got, c.want)
		}
	}
	j.Clear()
	if j.Count(journal.Filter{}) != 0 {
		t.Fatal("Clear left entries")
	}
}

func TestJournal_wait(t *testing.T) {
	j := journal.New(10)
	// The entries arrive while the Wait is in progress, one at a time.
	go func() {
		for j.Waiting() == 0 {
			runtime.Gosched()
		}
		for i := 0; i < 3; i++ {
			j.Add(journal.Entry{API: "amapi"})
		}
	}()
	if n, err := j.Wait(context.Background(), journal.Filter{API: "amapi"}, 3); err != nil || n != 3 {
		t.Fatalf("Wait = %d, %v", n, err)
	}
	// A deadline already past: Wait answers with the count so far.
	past, cancel := context.WithDeadline(context.Background(), time.Time{})
	defer cancel()
	if n, err := j.Wait(past, journal.Filter{API: "amapi"}, 4); !errors.Is(err, context.DeadlineExceeded) || n != 3 {
		t.Fatalf("Wait past the count = %d, %v; want 3, the deadline", n, err)
	}
}

// Interrupt ends a Wait in progress with its count so far, and every later
// Wait that has not already reached its count.
func TestJournal_interruptEndsWaits(t *testing.T) {
	j := journal.New(10)
	j.Add(journal.Entry{API: "amapi"})
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() {
		n, err := j.Wait(context.Background(), journal.Filter{API: "amapi"}, 5)
		done <- result{n, err}
	}()
	for j.Waiting() == 0 {
		runtime.Gosched() // until the Wait is in progress
	}
	j.Interrupt()
	if r := <-done; !errors.Is(r.err, journal.ErrInterrupted) || r.n != 1 {
		t.Fatalf("interrupted Wait = %d, %v; want 1, ErrInterrupted", r.n, r.err)
	}
	if n, err := j.Wait(context.Background(), journal.Filter{API: "amapi"}, 2); !errors.Is(err, journal.ErrInterrupted) || n != 1 {
		t.Fatalf("Wait after Interrupt = %d, %v; want 1, ErrInterrupted", n, err)
	}
	if n, err := j.Wait(context.Background(), journal.Filter{API: "amapi"}, 1); err != nil || n != 1 {
		t.Fatalf("a Wait already satisfied = %d, %v; want 1, nil", n, err)
	}
	if j.Waiting() != 0 {
		t.Fatalf("%d Waits still counted as in progress", j.Waiting())
	}
}

func TestRedact(t *testing.T) {
	h := http.Header{"Authorization": {"Bearer 1|secret"}, "Accept": {"application/json"}}
	got := journal.Redact(h)
	if got["Authorization"][0] != "Bearer [redacted]" || got["Accept"][0] != "application/json" {
		t.Fatalf("%v", got)
	}
	if h.Get("Authorization") != "Bearer 1|secret" {
		t.Fatal("Redact changed the request's own headers")
	}
}

func TestRedact_allCredentialHeaders(t *testing.T) {
	h := http.Header{"Proxy-Authorization": {"Basic abc"}, "Cookie": {"session=1"}}
	got := journal.Redact(h)
	if got["Proxy-Authorization"][0] != "Basic [redacted]" || got["Cookie"][0] != "[redacted]" {
		t.Fatalf("%v", got)
	}
	plain := http.Header{"Accept": {"*/*"}}
	if got := journal.Redact(plain); got["Accept"][0] != "*/*" {
		t.Fatalf("%v", got)
	}
}
