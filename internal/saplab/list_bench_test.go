package saplab_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkReads is the server's share of each GET of the panel on the
// default scenario (the lists, the client form and ledger; GET /panel/order
// is the first page, 20 positions, about 32 KB of escaped Russian) against
// a bare handler writing the same bytes, in process: the whole echo stack
// with auth, the journal, the answer cache (answers.go) and, on a miss,
// the view, the row cache and the encoder. allocs/op is the figure to
// watch; ns/op is noisy on a shared machine.
func BenchmarkReads(b *testing.B) {
	m := start(b, "")
	for _, path := range []string{"/panel/order", "/panel/client", "/panel/client/form/2", "/panel/client/balance/2",
		"/panel/order/status", "/panel/order/shipping_type", "/panel/client/group", "/panel/manager"} {
		want := m.get(path)
		if want.Status != http.StatusOK {
			b.Fatalf("%s: %d %s", path, want.Status, want.Body)
		}
		run := func(b *testing.B, h http.Handler) {
			req := httptest.NewRequest(http.MethodGet, path, nil)
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
		name := strings.TrimPrefix(path, "/panel/")
		b.Run(name+"/mock", func(b *testing.B) { run(b, m.Srv.Handler()) })
		b.Run(name+"/bare", func(b *testing.B) {
			run(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(want.Body)
			}))
		})
	}
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
