package server_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkWrites is bench/run.sh writes in process without the disk: each
// API's durable write (carreta's order, amapi's create-order, saplab's pay)
// through the whole server on a scratch file, which commits without fsync,
// so ns/op is the CPU a write costs besides its fsync (issue 16: at one
// writer that CPU is spent between two fsyncs, in series with them).
// -cpuprofile shows where it goes.
//
//	go test -run '^$' -bench Writes -benchmem ./internal/server/
func BenchmarkWrites(b *testing.B) {
	h := benchHandler(b)
	read := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join("..", "..", "bench", name))
		if err != nil {
			b.Fatal(err)
		}
		return data
	}
	for _, e := range []struct {
		name, method, path string
		body               []byte
		headers            []string
	}{
		{"carreta_order", http.MethodPost, "/v1/order/?api_key=demo-key", read("carreta-order.json"),
			[]string{"Content-Type", "application/json"}},
		{"amapi_create_order", http.MethodPost, "/api/create-order", read("amapi-order.json"),
			[]string{"Content-Type", "application/json", "Authorization", "Bearer 1|DemoTokenDemoTokenDemoTokenDemoTokenDemo"}},
		{"saplab_pay", http.MethodGet, "/panel/order/pay/19", nil,
			[]string{"Authorization", "Basic Nzk5OTAwMDAwMDA6ZGVtbw=="}},
	} {
		b.Run(e.name, func(b *testing.B) {
			w := &discard{h: http.Header{}}
			b.ReportAllocs()
			for i := range b.N + 1 {
				if i == 1 {
					b.ResetTimer()
				}
				req := httptest.NewRequest(e.method, e.path, bytes.NewReader(e.body))
				req.RemoteAddr = "127.0.0.1:40000"
				for j := 0; j+1 < len(e.headers); j += 2 {
					req.Header.Set(e.headers[j], e.headers[j+1])
				}
				clear(w.h)
				if i == 0 {
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code/100 != 2 {
						b.Fatalf("%s: %d %s", e.path, rec.Code, rec.Body)
					}
					continue
				}
				h.ServeHTTP(w, req)
			}
		})
	}
}
