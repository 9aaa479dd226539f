package carreta_test

import (
	"bytes"
	"encoding/binary"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/mockserver/mockserver/internal/server"
	"github.com/mockserver/mockserver/internal/servertest"
	bolt "go.etcd.io/bbolt"
)

// BenchmarkWriteCPU is the processor time of each API's durable write
// (bench/run.sh writes: carreta's order, amapi's create-order, saplab's
// pay) through the whole server in process, on a scratch file (no fsync),
// next to a plain commit of the same order body in a bare handler on a
// bbolt file without fsync: what a write costs besides its fsyncs, which a
// lone writer pays in series with them (issue 16). cpu-us/op is the
// process's user and system time (getrusage) per write, garbage
// collection included, which the machine's other load sways less than
// ns/op; -cpuprofile shows where it goes.
//
//	go test ./internal/carreta/ -run '^$' -bench WriteCPU -benchtime 3000x
func BenchmarkWriteCPU(b *testing.B) {
	m := servertest.Start(b, servertest.Options{Config: server.Config{ScratchDB: true}})
	h := m.Srv.Handler()
	order := benchFile(b, "carreta-order.json")
	const json = "application/json"
	for _, e := range []struct {
		name, method, path string
		body               []byte
		headers            []string
	}{
		{"carreta_order", http.MethodPost, "/v1/order/?api_key=demo-key", order, []string{"Content-Type", json}},
		{"amapi_create_order", http.MethodPost, "/api/create-order", benchFile(b, "amapi-order.json"),
			[]string{"Content-Type", json, "Authorization", "Bearer 1|DemoTokenDemoTokenDemoTokenDemoTokenDemo"}},
		{"saplab_pay", http.MethodGet, "/panel/order/pay/19", nil, []string{"Authorization", "Basic Nzk5OTAwMDAwMDA6ZGVtbw=="}},
	} {
		b.Run(e.name, func(b *testing.B) {
			cpuPerOp(b, func() int {
				req := httptest.NewRequest(e.method, e.path, bytes.NewReader(e.body))
				req.RemoteAddr = "127.0.0.1:40000"
				for j := 0; j+1 < len(e.headers); j += 2 {
					req.Header.Set(e.headers[j], e.headers[j+1])
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				return rec.Code
			})
		})
	}
	b.Run("plain", func(b *testing.B) {
		db := rawDB(b, &bolt.Options{NoSync: true, InitialMmapSize: 1 << 20})
		plain := plainHandler(db, []byte(`{"id":1}`))
		cpuPerOp(b, func() int {
			rec := httptest.NewRecorder()
			plain.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(order)))
			return rec.Code
		})
	})
}

// cpuPerOp runs do b.N times (and once before, unmeasured), failing on an
// answer that is not a 2xx, and reports the process's CPU time per call.
func cpuPerOp(b *testing.B, do func() int) {
	if code := do(); code/100 != 2 {
		b.Fatalf("status %d", code)
	}
	b.ReportAllocs()
	t0 := cpuTime(b)
	b.ResetTimer()
	for range b.N {
		if code := do(); code/100 != 2 {
			b.Fatalf("status %d", code)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime(b)-t0)/1e3/float64(b.N), "cpu-us/op")
}

// cpuTime is the process's user and system time so far, in nanoseconds.
func cpuTime(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// plainHandler commits each request body under the next sequence number
// of one bucket, in a transaction of its own, and answers answer (201).
func plainHandler(db *bolt.DB, answer []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in bytes.Buffer
		_, _ = in.ReadFrom(r.Body)
		err := db.Update(func(tx *bolt.Tx) error {
			bk := tx.Bucket([]byte("orders"))
			id, _ := bk.NextSequence()
			return bk.Put(binary.BigEndian.AppendUint64(nil, id), in.Bytes())
		})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(answer)
	})
}

// benchFile is a request body of bench/run.sh.
func benchFile(b *testing.B, name string) []byte {
	data, err := os.ReadFile(filepath.Join("..", "..", "bench", name))
	if err != nil {
		b.Fatal(err)
	}
	return data
}
