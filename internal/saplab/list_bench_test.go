package saplab_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkListOrders is the server's share of GET /panel/order on the
// default scenario (the first page, 20 positions, about 40 KB of escaped
// Russian) against a bare handler writing the same bytes, in process: the
// whole echo stack with auth, the view, the row cache and the encoder.
func BenchmarkListOrders(b *testing.B) {
	m := start(b, "")
	want := m.get("/panel/order")
	if want.Status != http.StatusOK {
		b.Fatalf("%d %s", want.Status, want.Body)
	}
	run := func(b *testing.B, h http.Handler) {
		req := httptest.NewRequest(http.MethodGet, "/panel/order", nil)
		req.Header.Set("Authorization", basic(owner))
		b.ReportAllocs()
		b.SetBytes(int64(len(want.Body)))
		b.ResetTimer()
		w := &discard{h: http.Header{}}
		for range b.N {
			clear(w.h)
			w.code = 0
			h.ServeHTTP(w, req)
			if w.code != http.StatusOK {
				b.Fatalf("%d", w.code)
			}
		}
	}
	b.Run("mock", func(b *testing.B) { run(b, m.Srv.Handler()) })
	b.Run("bare", func(b *testing.B) {
		run(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(want.Body)
		}))
	})
}

// discard is a ResponseWriter that keeps only the status.
type discard struct {
	h    http.Header
	code int
}

func (d *discard) Header() http.Header { return d.h }
func (d *discard) Write(p []byte) (int, error) {
	if d.code == 0 {
		d.code = http.StatusOK
	}
	return len(p), nil
}
func (d *discard) WriteHeader(code int) { d.code = code }
