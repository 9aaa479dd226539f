package carreta_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/carreta"
	"github.com/mockserver/mockserver/internal/server"
	"github.com/mockserver/mockserver/internal/servertest"
)

// scalePage is one request of BenchmarkScalePages: small at the 1k scale
// and large at the large one (the same request, or the same place in the
// list when the request names a deep page).
type scalePage struct{ name, small, large string }

// scalePages are the order list's documented requests (docs/carreta.md,
// "What serves which filter"): no filter and each path of client_comment
// (a run of up to three characters, a common long filter that is
// scanned, a rare one that the three-character runs intersect), first
// pages and deep pages, and one order and its history by id.
func scalePages(large int) []scalePage {
	const list = "/v1/order/?api_key=demo-key"
	last := strconv.Itoa(large / carreta.PageSize)
	q := func(filter string) string { return list + "&client_comment=" + filter }
	return []scalePage{
		{"first", list, list},
		{"page10", list + "&page=10", list + "&page=10"},
		{"last_full", list + "&page=10", list + "&page=" + last},
		{"gram1_first", q("%E2%84%96"), q("%E2%84%96")},                                                                        // "№": one run's list
		{"gram1_deep", q("%E2%84%96") + "&page=10", q("%E2%84%96") + "&page=" + last},                                          // its last full page
		{"gram3_first", q("%E2%84%961"), q("%E2%84%961")},                                                                      // "№1"
		{"long_first", q("%D0%B7%D0%B0%D0%BA%D0%B0%D0%B7%20%E2%84%961"), q("%D0%B7%D0%B0%D0%BA%D0%B0%D0%B7%20%E2%84%961")},     // "заказ №1": scanned
		{"long_deep", q("%D0%97%D0%90%D0%9A%D0%90%D0%97") + "&page=10", q("%D0%97%D0%90%D0%9A%D0%90%D0%97") + "&page=" + last}, // "ЗАКАЗ", any case
		{"long_rare", q("%E2%84%96999"), q("%E2%84%96" + strconv.Itoa(large-1))},                                               // one match: intersected
		{"order", "/v1/order/189333/?api_key=demo-key", "/v1/order/189333/?api_key=demo-key"},
		{"history", "/v1/order/189333/history/?api_key=demo-key", "/v1/order/189333/history/?api_key=demo-key"},
	}
}

// BenchmarkScalePages compares the order list's requests (scalePages) at
// 1,000 orders and at CARRETA_SCALE orders on demo-key, in the same
// process: requests per second one at a time and 32 at once on one core
// (GOMAXPROCS 1), p50 and p99 at c=32 (the best of scaleRounds
// alternating rounds), and the ratio of the large scale's c=32 throughput
// to the small one's. Skipped unless CARRETA_SCALE is set; CARRETA_SCALE_DB
// keeps the large state file between runs. Every page is made, as after a
// write (the kept answers are off: a kept answer is a map lookup at any
// scale); CARRETA_SCALE_KEPT=1 measures kept answers, CARRETA_SCALE_PAGES
// =first,long_deep only the requests named:
//
//	CARRETA_SCALE=100000 CARRETA_SCALE_DB=/tmp/carreta-scale.db \
//	  go test ./internal/carreta -run '^$' -bench ScalePages -benchtime 1x
func BenchmarkScalePages(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("CARRETA_SCALE"))
	if n < 1000 {
		b.Skip("set CARRETA_SCALE=orders (e.g. 100000)")
	}
	if os.Getenv("CARRETA_SCALE_KEPT") == "" {
		defer carreta.KeepAnswers(carreta.KeepAnswers(false))
	}
	small := scaleMock(b, 1000, "")
	t0 := time.Now()
	large := scaleMock(b, n, os.Getenv("CARRETA_SCALE_DB"))
	b.Logf("large state ready (seeded or resumed) in %v", time.Since(t0).Round(time.Millisecond))
	var out strings.Builder
	fmt.Fprintf(&out, "\n%-12s %9s %9s %8s | %9s %9s %8s %8s | %6s %6s\n", "request", "1k rps1", "1k rps32", "1k p99", "L rps1", "L rps32", "L p50", "L p99", "r1", "r32")
	only := os.Getenv("CARRETA_SCALE_PAGES")
	for range b.N {
		for _, p := range scalePages(n) {
			if only != "" && !slices.Contains(strings.Split(only, ","), p.name) {
				continue
			}
			var sm, l servertest.PageStats
			for range scaleRounds {
				sm = sm.Best(measurePage(b, small.Srv.Handler(), p.small))
				l = l.Best(measurePage(b, large.Srv.Handler(), p.large))
			}
			fmt.Fprintf(&out, "%-12s %9.0f %9.0f %8.2f | %9.0f %9.0f %8.2f %8.2f | %6.2f %6.2f\n", p.name,
				sm.RPS1, sm.RPS32, sm.P99, l.RPS1, l.RPS32, l.P50, l.P99, l.RPS1/sm.RPS1, l.RPS32/sm.RPS32)
		}
	}
	fmt.Print(out.String()) // b.Log would cut the table short
}

// scaleMock serves the default scenario with orders generated on
// demo-key, from the state file at db when it is given and already seeded
// (resumed, as a restart does), else seeded there.
func scaleMock(b *testing.B, orders int, db string) *servertest.Mock {
	sc := fmt.Sprintf("name: s\nextends: default\ncarreta:\n  generate: {orders: %d, orders_account: demo-key}\n", orders)
	return servertest.Start(b, servertest.Options{Scenario: sc, Config: server.Config{DB: db}})
}

// scaleRounds is how many times BenchmarkScalePages measures each request
// at each scale, alternating: the machine's other load comes and goes
// within seconds, so each keeps its best round.
const scaleRounds = 3

// measurePage drives h with GET path, first one request at a time, then
// from 32 goroutines with GOMAXPROCS 1 (the server on one core).
func measurePage(b *testing.B, h http.Handler, path string) servertest.PageStats {
	do := func() {
		w := &counted{h: http.Header{}}
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		if w.code != http.StatusOK || w.n == 0 {
			b.Fatalf("%s: %d, %d bytes", path, w.code, w.n)
		}
	}
	return servertest.MeasurePage(do, 100, 16)
}

// counted is a ResponseWriter that keeps the status and counts the bytes.
type counted struct {
	h    http.Header
	code int
	n    int
}

func (d *counted) Header() http.Header { return d.h }
func (d *counted) Write(p []byte) (int, error) {
	if d.code == 0 {
		d.code = http.StatusOK
	}
	d.n += len(p)
	return len(p), nil
}
func (d *counted) WriteHeader(code int) { d.code = code }
