package saplab_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/server"
)

// BenchmarkMixedLoad is issue 14's item 6: saplab's reads and writes per
// second (MIXED_READERS readers of the order list, default 4, and 1 writer
// of ledger entries) alone, beside 8 amapi writers (create-order, durable),
// and beside 8 amapi readers (GET /api/test: a neighbour that takes CPU
// and never touches the disk), over HTTP on durable files, in interleaved
// rounds of 1 s, with the spare Ps the command sets (server.Procs); it
// prints the rates, the process's CPU (user + system)
// per second of each round, and the ratios to alone.
//
// The third load is the control. Before saplab's readers stopped waiting
// for its writers' commits, the reads fell to a few percent beside amapi's
// writers; before each API had a file of its own, the writes fell to about
// half (each waited for amapi's batch's fsync, then its own). What is left
// beside amapi's writers is what any neighbour costs on a machine this
// size: the reads lose about what they lose beside the control, which
// does not write at all (the CPU is shared); the writes lose what two
// writers' fsyncs cost on one disk (beside the control they keep their
// rate).
//
//	go test ./internal/saplab -run '^$' -bench MixedLoad -benchtime 1x
func BenchmarkMixedLoad(b *testing.B) {
	// The server as the command runs it: with spare Ps for the threads
	// that fsync (server.Procs).
	if n, ok := server.Procs(runtime.GOMAXPROCS(0), os.Getenv("GOMAXPROCS")); ok {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(n))
	}
	m := start(b, "")
	readers := 4
	if s := os.Getenv("MIXED_READERS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("MIXED_READERS=%q: want a positive number", s)
		}
		readers = n
	}
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
	const token = "Bearer 1Dg4PfVhaEcve36Z56dk8ab"
	read := func() { do("GET", "/panel/order", "", "Authorization", basic(owner)) }
	write := func() {
		do("POST", "/panel/client/add_transaction/1", "amount=1&description=bench", "Authorization", basic(owner),
			"Content-Type", "application/x-www-form-urlencoded")
	}
	neighbours := []struct {
		name string
		op   func()
	}{
		{"alone", nil},
		{"beside 8 amapi writers", func() {
			do("POST", "/api/create-order", `{"name":"Иванов Иван Иванович","email":"ivanov@example.com","phone":"+7 999 999-99-99","deliveryType":"pickup","items":[{"productId":1191767,"itemId":857,"name":"Смартфон","price":12554,"quantity":1}]}`,
				"Authorization", token, "Content-Type", "application/json", "Accept", "application/json")
		}},
		{"beside 8 amapi readers (control)", func() {
			do("GET", "/api/test", "", "Authorization", token, "Accept", "application/json")
		}},
	}
	for range b.N {
		const rounds, d = 3, time.Second
		sums := make([]mixedRates, len(neighbours))
		for range rounds {
			for i, n := range neighbours {
				sums[i].add(mixedRound(readers, read, write, n.op, d))
			}
		}
		fmt.Printf("saplab with %d readers and 1 writer, %d rounds of %v (per second):\n", readers, rounds, d)
		for i, n := range neighbours {
			s := sums[i]
			fmt.Printf("  %-34s reads %6.0f (%.2fx)  writes %5.0f (%.2fx)  neighbour %6.0f  cpu %.2f s/s\n",
				n.name, s.reads/rounds, s.reads/sums[0].reads, s.writes/rounds, s.writes/sums[0].writes,
				s.other/rounds, s.cpu/rounds)
		}
	}
}

// mixedRates is one round's rates per second, or their sums over rounds.
type mixedRates struct{ reads, writes, other, cpu float64 }

func (r *mixedRates) add(o mixedRates) {
	r.reads, r.writes, r.other, r.cpu = r.reads+o.reads, r.writes+o.writes, r.other+o.other, r.cpu+o.cpu
}

// mixedRound runs readers loops of read, one of write and (when other is
// not nil) 8 of other for d, and returns their rates and the process's CPU
// time per second.
func mixedRound(readers int, read, write, other func(), d time.Duration) mixedRates {
	var nr, nw, no atomic.Int64
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
			n.Add(1)
		}
	}
	if other != nil {
		for range 8 {
			wg.Add(1)
			go loop(other, &no)
		}
	}
	for range readers {
		wg.Add(1)
		go loop(read, &nr)
	}
	wg.Add(1)
	go loop(write, &nw)
	cpu0 := processCPU()
	t0 := time.Now()
	<-time.After(d)
	close(stop)
	wg.Wait()
	secs := time.Since(t0).Seconds()
	return mixedRates{float64(nr.Load()) / secs, float64(nw.Load()) / secs, float64(no.Load()) / secs,
		(processCPU() - cpu0).Seconds() / secs}
}

// processCPU is the CPU time (user and system) this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
