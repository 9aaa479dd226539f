package servertest

import (
	"runtime"
	"slices"
	"sync"
	"time"
)

// PageStats are one request's figures in a scale benchmark: requests per
// second one at a time, and at 32 at once on one core with their p50 and
// p99 in milliseconds. carreta's and saplab's BenchmarkScalePages share
// them so the two report the same figures the same way (issue 16).
type PageStats struct {
	RPS1, RPS32, P50, P99 float64
}

// Best is the better figures of st and o: the higher throughputs, the
// lower percentiles (from the round of the higher c=32 throughput). The
// machine's other load comes and goes within seconds, so a benchmark that
// measures in alternating rounds keeps each request's best.
func (st PageStats) Best(o PageStats) PageStats {
	r := st
	r.RPS1 = max(st.RPS1, o.RPS1)
	if o.RPS32 > st.RPS32 {
		r.RPS32, r.P50, r.P99 = o.RPS32, o.P50, o.P99
	}
	return r
}

// MeasurePage calls do seq times one at a time, then each times from each
// of 32 goroutines with GOMAXPROCS 1 (the server on one core, as
// bench/run.sh puts it). It is for benchmarks only: the figures are wall
// time by design.
func MeasurePage(do func(), seq, each int) PageStats {
	var st PageStats
	t0 := time.Now()
	for range seq {
		do()
	}
	st.RPS1 = float64(seq) / time.Since(t0).Seconds()
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	const conns = 32
	durs := make([]time.Duration, conns*each)
	var wg sync.WaitGroup
	t0 = time.Now()
	for g := range conns {
		wg.Go(func() {
			for i := range each {
				s := time.Now()
				do()
				durs[g*each+i] = time.Since(s)
			}
		})
	}
	wg.Wait()
	st.RPS32 = float64(len(durs)) / time.Since(t0).Seconds()
	slices.Sort(durs)
	st.P50 = float64(durs[len(durs)/2].Microseconds()) / 1000
	st.P99 = float64(durs[len(durs)*99/100].Microseconds()) / 1000
	return st
}
