package saplab_test

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/state"
)

// scaleScenario is the default shop with 100 000 generated clients and
// 500 000 positions (SPEC's scale target).
func scaleScenario(b testing.TB, clients, orders int) string {
	src, err := os.ReadFile("../../scenarios/default.yaml")
	if err != nil {
		b.Fatal(err)
	}
	s := strings.Replace(string(src), "generate: {clients: 47, orders: 160}", fmt.Sprintf("generate: {clients: %d, orders: %d}", clients, orders), 1)
	if s == string(src) {
		b.Fatal("the default scenario's generate line moved")
	}
	return s
}

// BenchmarkScale measures filtered first pages through the whole server on
// 100 000 clients and 500 000 positions, and reports p50/p99 per request.
// The state is built once (it takes a while: go test -bench Scale
// -benchtime 200x). Two baselines run in the same process: a trivial
// endpoint (HTTP, auth and encoding only) and what a scan of the file per
// request would cost (decoding every position), the design the in-memory
// columns replace.
func BenchmarkScale(b *testing.B) {
	t0 := time.Now()
	m := start(b, scaleScenario(b, 100_000, 500_000))
	b.Logf("seeded and loaded 100000 clients, 500000 positions in %v", time.Since(t0).Round(time.Millisecond))
	paths := []struct{ name, path string }{
		{"baseline_status_list", "/panel/order/status"},
		{"orders_first_page", "/panel/order"},
		{"orders_status", "/panel/order/filter/order_status/3"},
		{"orders_paid_brand", "/panel/order/filter/is_payed/1/brand/BOSCH"},
		{"orders_name_part", "/panel/order/filter/name/%D0%B0%D0%BC%D0%BE%D1%80%D1%82"},
		{"orders_client_name", "/panel/order/filter/client_name/%D0%B8%D0%B2%D0%B0%D0%BD%D0%BE%D0%B2"},
		{"orders_dates_archived", "/panel/order/filter/date_from/2026-01-01/date_to/2026-01-31/unignore_archived/1/per_page/150"},
		{"orders_deep_page", "/panel/order/filter/page/2000"},
		{"orders_ids", "/panel/order/filter/order_ids/1,250000,499999"},
		{"clients_first_page", "/panel/client"},
		{"clients_name", "/panel/client/filter/client_name/%D0%BF%D0%B5%D1%82%D1%80"},
		{"clients_phone", "/panel/client/filter/phone/%2B7(900)000-00-00"},
		{"clients_group_manager", "/panel/client/filter/client_group/2/manager_id/1/per_page/150"},
	}
	for _, p := range paths {
		b.Run(p.name, func(b *testing.B) {
			durs := make([]time.Duration, 0, b.N)
			for b.Loop() {
				t0 := time.Now()
				r := m.call("GET", p.path, "", owner)
				durs = append(durs, time.Since(t0))
				if r.Status != 200 {
					b.Fatalf("%d %s", r.Status, r.Body)
				}
			}
			report(b, durs)
		})
	}
	b.Run("baseline_scan_of_the_file", func(b *testing.B) {
		// A scan takes seconds: five are enough for its percentiles, and
		// ns/op is not meaningful here, only p50-ms and p99-ms.
		var durs []time.Duration
		for range min(b.N, 5) {
			t0 := time.Now()
			n := 0
			err := m.Srv.Store().View("saplab.orders", func(tx *state.Tx) error {
				return tx.ForEach("saplab.orders", func(_, v []byte) error {
					var o struct {
						StatusID int64 `json:"status_id"`
					}
					if err := json.Unmarshal(v, &o); err != nil {
						return err
					}
					if o.StatusID == 3 {
						n++
					}
					return nil
				})
			})
			durs = append(durs, time.Since(t0))
			if err != nil || n == 0 {
				b.Fatal(err, n)
			}
		}
		report(b, durs)
	})
}

func report(b *testing.B, durs []time.Duration) {
	slices.Sort(durs)
	q := func(p float64) float64 {
		return float64(durs[min(len(durs)-1, int(p*float64(len(durs))))].Microseconds()) / 1000
	}
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
}

// TestScale_small runs the scale scenario's machinery on a fiftieth of the
// size in the normal test run (skipped with -short): the generator and the
// load of a file of several megabytes (bbolt pages split, the mapping
// grown) work, and a filtered page answers. BenchmarkScale runs the full
// size; at a tenth of it this test was most of the package's time.
func TestScale_small(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds 12 000 rows")
	}
	m := start(t, scaleScenario(t, 2_000, 10_000))
	// Speed is BenchmarkScale's job; this checks the machinery only.
	r := m.get("/panel/order/filter/order_status/3/is_payed/0")
	if r.Status != 200 || !strings.Contains(string(r.Body), `"pages":`) {
		t.Fatalf("%d %s", r.Status, r.Body[:min(300, len(r.Body))])
	}
	// The generated clients are stored and listed.
	var c storedClient
	m.state("clients/2003", &c)
	if c.ID != 2003 {
		t.Fatalf("client 2003: %+v", c)
	}
}
