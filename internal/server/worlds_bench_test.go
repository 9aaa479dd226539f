package server_test

import (
	"context"
	"flag"
	"net/http"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/mockserver/mockserver/bench/worldload"
	"github.com/mockserver/mockserver/internal/servertest"
)

// BenchmarkWorlds_create measures creating a world of the default scenario
// over HTTP on a warm server (the first world has seeded the template) and
// deleting it, reported as percentiles: the targets are a p50 under 10 ms
// and a p99 under 30 ms to create, under 5 ms to delete.
func BenchmarkWorlds_create(b *testing.B) {
	m := servertest.Start(b, servertest.Options{})
	hc := worldload.Client()
	warm, err := worldload.CreateWorld(hc, m.URL)
	if err != nil {
		b.Fatal(err)
	}
	var create, del []time.Duration
	for b.Loop() {
		start := time.Now()
		w, err := worldload.CreateWorld(hc, m.URL)
		if err != nil {
			b.Fatal(err)
		}
		create = append(create, time.Since(start))
		start = time.Now()
		if err := worldload.DeleteWorld(hc, m.URL, w.ID); err != nil {
			b.Fatal(err)
		}
		del = append(del, time.Since(start))
	}
	_ = worldload.DeleteWorld(hc, m.URL, warm.ID)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(worldload.Percentile(create, 50)), "create-p50-ms")
	b.ReportMetric(ms(worldload.Percentile(create, 99)), "create-p99-ms")
	b.ReportMetric(ms(worldload.Percentile(del, 50)), "delete-p50-ms")
	b.ReportMetric(ms(worldload.Percentile(del, 99)), "delete-p99-ms")
}

// BenchmarkWorlds_memory measures what 100 live worlds of the default
// scenario add to the process's resident memory (Linux only): the target is
// under 150 MB. Each world has served one request of each API, so its
// views are built and its file is mapped.
func BenchmarkWorlds_memory(b *testing.B) {
	if _, err := worldload.RSS("self"); err != nil {
		b.Skip("no /proc/self/status:", err)
	}
	for b.Loop() {
		m := servertest.Start(b, servertest.Options{})
		hc := worldload.Client()
		before := settledRSS(b)
		for range 100 {
			w, err := worldload.CreateWorld(hc, m.URL)
			if err != nil {
				b.Fatal(err)
			}
			if err := worldload.Once(hc, w.URL); err != nil {
				b.Fatal(err)
			}
			for _, p := range []string{"/api/test", "/v1/profile/?api_key=demo-key", "/panel/manager"} {
				if r, err := m.Send("GET", strings.TrimPrefix(w.URL, m.URL)+p, nil, "Authorization", "Basic Nzk5OTAwMDAwMDA6ZGVtbw=="); err != nil || r.Status >= 500 {
					b.Fatalf("%s: %v %d", p, err, r.Status)
				}
			}
		}
		b.ReportMetric(float64(settledRSS(b)-before)/(1<<20), "MB-per-100-worlds")
	}
}

// settledRSS is the resident set after a collection has returned what it
// can to the system, so two readings compare live memory.
func settledRSS(b *testing.B) int64 {
	runtime.GC()
	debug.FreeOSMemory()
	n, err := worldload.RSS("self")
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// loadFor is how long each half of BenchmarkWorlds_64clients runs.
var loadFor = flag.Duration("worlds.load", 3*time.Second, "how long BenchmarkWorlds_64clients runs each of root and worlds")

// BenchmarkWorlds_64clients runs 64 clients looping carreta order + saplab
// pay + amapi create-order, first all on the root world, then each in a
// world of its own, where every answer must be that client's own world's
// (bench/worldload). It reports rounds per second of each and their ratio:
// the target is worlds at least 0.8 of root. In-process, client and server
// share the cores; bench/run.sh worlds runs it against the real binary.
func BenchmarkWorlds_64clients(b *testing.B) {
	for b.Loop() {
		m := servertest.Start(b, servertest.Options{})
		hc := worldload.Client()
		bases := make([]string, 64)
		for i := range bases {
			bases[i] = m.URL
		}
		root := rate(b, hc, bases, false)
		for i := range bases {
			w, err := worldload.CreateWorld(hc, m.URL)
			if err != nil {
				b.Fatal(err)
			}
			bases[i] = w.URL
		}
		worlds := rate(b, hc, bases, true)
		b.ReportMetric(root, "root-rounds/s")
		b.ReportMetric(worlds, "worlds-rounds/s")
		b.ReportMetric(worlds/root, "worlds/root")
	}
}

// rate drives the clients for loadFor and returns rounds per second; in
// worlds, each world is verified afterwards.
func rate(b *testing.B, hc *http.Client, bases []string, isolated bool) float64 {
	ctx, cancel := context.WithTimeout(context.Background(), *loadFor)
	defer cancel()
	rounds, err := worldload.Drive(ctx, hc, bases, isolated)
	if err != nil {
		b.Fatal(err)
	}
	if isolated {
		for i, base := range bases {
			if err := worldload.Verify(hc, base, rounds[i]); err != nil {
				b.Fatal(err)
			}
		}
	}
	return float64(worldload.Sum(rounds)) / loadFor.Seconds()
}
