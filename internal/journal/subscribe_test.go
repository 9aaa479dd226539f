package journal_test

import (
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/journal"
)

// A subscriber that never reads costs the recording path nothing: Add
// returns every time (the loop below would hang otherwise), the reader
// keeps the first SubscriberBuffer entries and is told how many it lost.
func TestSubscribe_stalledReaderNeverBlocksAdd(t *testing.T) {
	j := journal.New(10)
	stalled := j.Subscribe(journal.Filter{})
	defer stalled.Close()
	n := journal.SubscriberBuffer + 1000
	for range n {
		j.Add(journal.Entry{API: "carreta", Method: "GET", Path: "/v1/search/"})
	}
	if got := len(stalled.C); got != journal.SubscriberBuffer {
		t.Fatalf("%d entries waiting, want the buffer's %d", got, journal.SubscriberBuffer)
	}
	if got := stalled.TakeDropped(); got != 1000 {
		t.Fatalf("dropped %d, want 1000", got)
	}
	if got := stalled.TakeDropped(); got != 0 {
		t.Fatalf("TakeDropped did not reset: %d", got)
	}
	if first := <-stalled.C; first.ID != 1 {
		t.Fatalf("first entry delivered has id %d, want 1", first.ID)
	}
}

func TestSubscribe_filtersAndCloses(t *testing.T) {
	j := journal.New(10)
	j.Add(journal.Entry{API: "carreta", Method: "POST", Path: "/v1/order/"}) // before: not delivered
	s := j.Subscribe(journal.Filter{API: "carreta", Method: "post", Since: 99})
	if j.Subscribers() != 1 {
		t.Fatalf("Subscribers = %d, want 1", j.Subscribers())
	}
	j.Add(journal.Entry{API: "saplab", Method: "POST", Path: "/panel/order"})
	j.Add(journal.Entry{API: "carreta", Method: "GET", Path: "/v1/search/"})
	j.Add(journal.Entry{API: "carreta", Method: "POST", Path: "/v1/order/", Status: 503, Fault: "outage"})
	if len(s.C) != 1 {
		t.Fatalf("%d entries delivered, want the one matching", len(s.C))
	}
	if e := <-s.C; e.ID != 4 || e.Fault != "outage" {
		t.Fatalf("delivered %+v, want entry 4 with its fault", e)
	}
	s.Close()
	s.Close() // twice is harmless
	if j.Subscribers() != 0 {
		t.Fatalf("Subscribers = %d after Close, want 0", j.Subscribers())
	}
	j.Add(journal.Entry{API: "carreta", Method: "POST", Path: "/v1/order/"})
	if len(s.C) != 0 {
		t.Fatal("a closed subscription still receives entries")
	}
	again := j.Subscribe(journal.Filter{})
	defer again.Close()
	j.Add(journal.Entry{API: "amapi", Method: "GET", Path: "/api/orders"})
	if len(again.C) != 1 {
		t.Fatal("a subscription made after the last one closed receives nothing")
	}
}

// BenchmarkAdd is the recording path's cost per request with no console,
// a console reading its stream, and one stalled: the ratio of the last two
// to the first is what a console adds to every vendor request.
func BenchmarkAdd(b *testing.B) {
	entry := journal.Entry{API: "carreta", Method: "GET", Path: "/v1/search/", Query: "q=oc47&api_key=demo-key", Status: 200}
	b.Run("no-stream", func(b *testing.B) {
		j := journal.New(10_000)
		for b.Loop() {
			j.Add(entry)
		}
	})
	b.Run("reading-stream", func(b *testing.B) {
		j := journal.New(10_000)
		s := j.Subscribe(journal.Filter{})
		defer s.Close()
		done := make(chan struct{})
		defer close(done)
		go func() {
			for {
				select {
				case <-s.C:
				case <-done:
					return
				}
			}
		}()
		for b.Loop() {
			j.Add(entry)
		}
	})
	b.Run("stalled-stream", func(b *testing.B) {
		j := journal.New(10_000)
		s := j.Subscribe(journal.Filter{})
		defer s.Close()
		for b.Loop() {
			j.Add(entry)
		}
	})
}

// A subscriber gets the entry as the journal holds it: with its id, and
// with its oversized parts cut as the listing shows them.
func TestSubscribe_getsTheHeldEntry(t *testing.T) {
	j := journal.NewBudget(10, 0)
	sub := j.Subscribe(journal.Filter{})
	defer sub.Close()
	j.Add(journal.Entry{API: "carreta", Method: "GET", Path: "/" + strings.Repeat("x", 20000)})
	var e journal.Entry
	select {
	case e = <-sub.C: // Add offers the entry before it returns
	default:
		t.Fatal("the subscription got nothing")
	}
	held := j.List(journal.Filter{})
	if e.ID != 1 || len(held) != 1 || e.Path != held[0].Path || len(e.Path) >= 20000 {
		t.Fatalf("streamed id %d path of %d bytes; held %d entries", e.ID, len(e.Path), len(held))
	}
}
