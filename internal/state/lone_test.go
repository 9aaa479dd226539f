package state_test

import (
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// A lone writer commits at once, in its own goroutine: no window, no
// handoff (issue 16: bbolt's Batch made it wait 10 ms). Inside a synctest
// bubble time moves only when every goroutine of the bubble is blocked, so
// a commit that waited on a timer, or on a goroutine that waited on one,
// would move the bubble's clock; the fsync itself does not. The bubble's
// clock after each lone Batch is exactly what it was before.
func TestBatch_aLoneWriterCommitsWithoutWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, _ := open(t)
		var txs sync.Map
		before := time.Now()
		for _, n := range []string{"a", "b", "c"} {
			if err := s.Batch(put(n, &txs)); err != nil {
				t.Fatal(err)
			}
			if got := stored(t, s, n); !got[n] {
				t.Fatalf("%s not stored when its Batch returned", n)
			}
		}
		if waited := time.Since(before); waited != 0 {
			t.Fatalf("three lone writers waited %v of the bubble's clock, want 0", waited)
		}
		s.OnJoin(func(int) { t.Error("a lone writer queued") })
		if err := s.Batch(put("d", &txs)); err != nil {
			t.Fatal(err)
		}
		s.OnJoin(nil)
	})
}
