package saplab_test

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

	"github.com/mockserver/mockserver/internal/saplab"
	"github.com/mockserver/mockserver/internal/server"
	"github.com/mockserver/mockserver/internal/servertest"
)

// scalePaths are the first pages of every documented panel filter, and a
// deep page, as BenchmarkScalePages measures them.
var scalePaths = []struct{ name, path string }{
	{"o_first", "/panel/order"},
	{"o_deep", "/panel/order/filter/page/150"},
	{"o_deeper", "/panel/order/filter/page/20000"},
	{"o_ids", "/panel/order/filter/order_ids/1,2500,4999"},
	{"o_invoice", "/panel/order/filter/invoice/NZ-100"},
	{"o_article", "/panel/order/filter/article/OC47"},
	{"o_name", "/panel/order/filter/name/%D0%B0%D0%BC%D0%BE%D1%80%D1%82"},
	{"o_manager", "/panel/order/filter/manager_id/2"},
	{"o_shipping", "/panel/order/filter/shipping_id/1"},
	{"o_point", "/panel/order/filter/point_id/1"},
	{"o_distributor", "/panel/order/filter/distributor_id/1"},
	{"o_status", "/panel/order/filter/order_status/3"},
	{"o_status_deep", "/panel/order/filter/order_status/3/page/100"},
	{"o_paid", "/panel/order/filter/is_payed/1"},
	{"o_archived", "/panel/order/filter/unignore_archived/1"},
	{"o_brand", "/panel/order/filter/brand/BOSCH"},
	{"o_paid_brand", "/panel/order/filter/is_payed/1/brand/BOSCH"},
	{"o_client_name", "/panel/order/filter/client_name/%D0%B8%D0%B2%D0%B0%D0%BD%D0%BE%D0%B2"},
	{"o_group", "/panel/order/filter/client_group/2"},
	{"o_dates", "/panel/order/filter/date_from/2025-06-01/date_to/2025-06-30"},
	{"c_first", "/panel/client"},
	{"c_deep", "/panel/client/filter/page/40"},
	{"c_ids", "/panel/client/filter/client_id/1,500,999"},
	{"c_name", "/panel/client/filter/client_name/%D0%BF%D0%B5%D1%82%D1%80"},
	{"c_phone", "/panel/client/filter/phone/%2B7(900)000-00-00"},
	{"c_email", "/panel/client/filter/email/mail.ru"},
	{"c_wholesale", "/panel/client/filter/is_wholesaler/1"},
	{"c_group", "/panel/client/filter/client_group/2"},
	{"c_manager", "/panel/client/filter/manager_id/1"},
	{"c_dates", "/panel/client/filter/date_from/2025-01-01/date_to/2025-01-31"},
}

// scaleMock serves the default scenario with clients and orders generated,
// from the state file at db when it is given and already seeded (a kept
// file is resumed, as a restart does), else seeded there.
func scaleMock(b *testing.B, clients, orders int, db string) *servertest.Mock {
	cfg := server.Config{DB: db}
	return servertest.Start(b, servertest.Options{Scenario: scaleScenario(b, clients, orders), Config: cfg})
}

// scaleRounds is how many times BenchmarkScalePages measures each path at
// each scale, alternating.
const scaleRounds = 3

// measurePage drives h with GET path, first one request at a time, then
// from 32 goroutines with GOMAXPROCS 1 (the server on one core).
func measurePage(b *testing.B, h http.Handler, path string) servertest.PageStats {
	do := func() {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", basic(owner))
		w := &discard{h: http.Header{}}
		h.ServeHTTP(w, req)
		if w.code != http.StatusOK {
			b.Fatalf("%s: %d", path, w.code)
		}
	}
	return servertest.MeasurePage(do, 60, 12)
}

// BenchmarkScalePages compares every documented filter's first page (and
// deep pages) at 1,000 clients / 5,000 positions and at the scale
// SAPLAB_SCALE names ("100000:500000"), in the same process: requests per
// second at c=1 and at c=32 on one core, p50 and p99 at c=32 (the best of
// scaleRounds alternating rounds), and the ratio of the large scale's c=32 throughput to the small one's. Skipped
// unless SAPLAB_SCALE is set (seeding the large state takes a while);
// SAPLAB_SCALE_DB keeps the large state file between runs. Every page is
// made, as after a write (the answer cache is off: a kept answer costs a
// map lookup at any scale); SAPLAB_SCALE_KEPT=1 measures kept answers,
// SAPLAB_SCALE_PATHS=o_dates,c_name only the paths named:
//
//	SAPLAB_SCALE=100000:500000 SAPLAB_SCALE_DB=/tmp/scale.db \
//	  go test ./internal/saplab -run '^$' -bench ScalePages -benchtime 1x
func BenchmarkScalePages(b *testing.B) {
	spec := os.Getenv("SAPLAB_SCALE")
	if spec == "" {
		b.Skip("set SAPLAB_SCALE=clients:orders (e.g. 100000:500000)")
	}
	cs, os_, _ := strings.Cut(spec, ":")
	clients, _ := strconv.Atoi(cs)
	orders, _ := strconv.Atoi(os_)
	if os.Getenv("SAPLAB_SCALE_KEPT") == "" {
		defer saplab.KeepAnswers(saplab.KeepAnswers(false))
	}
	small := scaleMock(b, 1_000, 5_000, "")
	t0 := time.Now()
	large := scaleMock(b, clients, orders, os.Getenv("SAPLAB_SCALE_DB"))
	b.Logf("large state ready (seeded or resumed) in %v", time.Since(t0).Round(time.Millisecond))
	var out strings.Builder
	fmt.Fprintf(&out, "\n%-14s %9s %9s %9s | %9s %9s %8s %8s | %6s %6s\n", "path", "1k rps1", "1k rps32", "1k p99", "L rps1", "L rps32", "L p50", "L p99", "r1", "r32")
	for range b.N {
		for _, p := range scalePaths {
			if only := os.Getenv("SAPLAB_SCALE_PATHS"); only != "" && !slices.Contains(strings.Split(only, ","), p.name) {
				continue
			}
			// Rounds alternate the scales, and each keeps its best round:
			// the machine's other load comes and goes within seconds.
			var sm, l servertest.PageStats
			for range scaleRounds {
				sm = sm.Best(measurePage(b, small.Srv.Handler(), p.path))
				l = l.Best(measurePage(b, large.Srv.Handler(), p.path))
			}
			s := sm
			fmt.Fprintf(&out, "%-14s %9.0f %9.0f %9.2f | %9.0f %9.0f %8.2f %8.2f | %6.2f %6.2f\n", p.name,
				s.RPS1, s.RPS32, s.P99, l.RPS1, l.RPS32, l.P50, l.P99, l.RPS1/s.RPS1, l.RPS32/s.RPS32)
		}
	}
	fmt.Print(out.String()) // b.Log would cut the table short
}
