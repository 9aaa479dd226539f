package saplab_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkMixedLoad is issue 14's item 6: saplab's reads and writes per
// second (4 readers of the order list, 1 writer of ledger entries) alone
// and with 8 amapi writers (create-order, one fsync each) beside them,
// over HTTP on durable files, in interleaved rounds; the ratios are what
// to read. Before saplab's readers stopped waiting for its writers'
// commits, the reads fell to a few percent; before each API had a file of
// its own, the writes fell to about half (each waited for amapi's batch's
// fsync, then its own). It prints amapi's own rate too: amapi is faster
// with its own file, and on a loaded machine its CPU is what saplab's
// readers then lose, not a lock.
//
//	go test ./internal/saplab -run '^$' -bench MixedLoad -benchtime 1x
func BenchmarkMixedLoad(b *testing.B) {
	m := start(b, "")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	do := func(method, path, body string, h ...string) {
		var r io.Reader
		if body != "" {
			r = strings.NewReader(body)
		}
		req, _ := http.NewRequest(method, m.URL+path, r)
		for i := 0; i < len(h); i += 2 {
			req.Header.Set(h[i], h[i+1])
		}
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
			b.Fatalf("%s %s: %d", method, path, resp.StatusCode)
		}
	}
	read := func() { do("GET", "/panel/order", "", "Authorization", basic(owner)) }
	write := func() {
		do("POST", "/panel/client/add_transaction/1", "amount=1&description=bench", "Authorization", basic(owner),
			"Content-Type", "application/x-www-form-urlencoded")
	}
	amapi := func() {
		do("POST", "/api/create-order", `{"name":"Иванов Иван Иванович","email":"ivanov@example.com","phone":"+7 999 999-99-99","deliveryType":"pickup","items":[{"productId":1191767,"itemId":857,"name":"Смартфон","price":12554,"quantity":1}]}`,
			"Authorization", "Bearer 1Dg4PfVhaEcve36Z56dk8ab", "Content-Type", "application/json", "Accept", "application/json")
	}
	// rates runs 4 saplab readers and 1 saplab writer (and, with
	// amapiWriters, that many amapi writers) for d and returns saplab's
	// reads and writes per second.
	rates := func(amapiWriters int, d time.Duration) (reads, writes, amapiWrites float64) {
		var nr, nw, na atomic.Int64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		loop := func(f func(), n *atomic.Int64) {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				f()
				if n != nil {
					n.Add(1)
				}
			}
		}
		for range amapiWriters {
			wg.Add(1)
			go loop(amapi, &na)
		}
		for range 4 {
			wg.Add(1)
			go loop(read, &nr)
		}
		wg.Add(1)
		go loop(write, &nw)
		t0 := time.Now()
		timer := time.NewTimer(d)
		<-timer.C
		close(stop)
		wg.Wait()
		secs := time.Since(t0).Seconds()
		return float64(nr.Load()) / secs, float64(nw.Load()) / secs, float64(na.Load()) / secs
	}
	for range b.N {
		var ra, rm, wa, wm, am float64
		const rounds, d = 3, time.Second
		for range rounds {
			r, w, _ := rates(0, d)
			ra, wa = ra+r, wa+w
			r, w, a := rates(8, d)
			rm, wm, am = rm+r, wm+w, am+a
		}
		fmt.Printf("saplab reads/s alone %.0f, with 8 amapi writers %.0f: %.2fx\n", ra/rounds, rm/rounds, rm/ra)
		fmt.Printf("saplab writes/s alone %.0f, with 8 amapi writers %.0f: %.2fx\n", wa/rounds, wm/rounds, wm/wa)
		fmt.Printf("amapi writes/s beside saplab %.0f\n", am/rounds)
	}
}
