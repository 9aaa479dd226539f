package server_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"

	"github.com/mockserver/mockserver/internal/logline"
	"github.com/mockserver/mockserver/internal/server"
)

// BenchmarkReads is every small GET of the default scenario (bench/run.sh
// reads) through the whole server in process, with the request log line
// formatted as serve formats it (text, info, appended in place in a batch
// as serve's logwriter takes it, then dropped: lineSink), against a bare
// handler writing the same bytes: what the mock adds to a request besides
// the network (issue 16). allocs/op is the figure to watch; -cpuprofile
// shows where the time goes.
//
//	go test -run '^$' -bench Reads -benchmem ./internal/server/
func BenchmarkReads(b *testing.B) {
	h := benchHandler(b)
	const owner = "Basic Nzk5OTAwMDAwMDA6ZGVtbw==" // saplab's demo owner
	for _, e := range []struct{ name, path, auth string }{
		{"carreta_search", "/v1/search/?q=oc47&api_key=demo-key", ""},
		{"carreta_orders", "/v1/order/?api_key=demo-key", ""},
		{"carreta_profile", "/v1/profile/?api_key=demo-key", ""},
		{"carreta_order", "/v1/order/189333/?api_key=demo-key", ""},
		{"carreta_history", "/v1/order/189333/history/?api_key=demo-key", ""},
		{"amapi_test", "/api/test", ""},
		{"amapi_test_token", "/api/test", "Bearer 1|DemoTokenDemoTokenDemoTokenDemoTokenDemo"},
		{"saplab_groups", "/panel/client/group", owner},
		{"saplab_orders", "/panel/order", owner},
		{"saplab_client_form", "/panel/client/form/2", owner},
		{"saplab_ledger", "/panel/client/balance/2", owner},
	} {
		req := httptest.NewRequest(http.MethodGet, e.path, nil)
		req.RemoteAddr = "127.0.0.1:40000"
		if e.auth != "" {
			req.Header.Set("Authorization", e.auth)
		}
		first := httptest.NewRecorder()
		h.ServeHTTP(first, req)
		if first.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", e.path, first.Code, first.Body)
		}
		body, ctype := first.Body.Bytes(), first.Header().Get("Content-Type")
		run := func(b *testing.B, h http.Handler) {
			w := &discard{h: http.Header{}}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				clear(w.h)
				h.ServeHTTP(w, req)
			}
		}
		b.Run(e.name+"/mock", func(b *testing.B) { run(b, h) })
		b.Run(e.name+"/bare", func(b *testing.B) {
			run(b, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", ctype)
				_, _ = w.Write(body)
			}))
		})
	}
}

// discard is a ResponseWriter that drops the answer.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

// benchHandler is the whole server on a scratch file of the default
// scenario, with the request log line formatted as serve formats it (text,
// info, appended in place in a batch, as serve's logwriter takes it, and
// dropped: lineSink): what BenchmarkReads and BenchmarkWrites drive.
func benchHandler(b *testing.B) http.Handler {
	log := slog.New(logline.New("text", &lineSink{}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	srv, err := server.New(server.Config{DB: filepath.Join(b.TempDir(), "state.db"), ScratchDB: true}, log)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Close() })
	return srv.Handler()
}

// lineSink is a logline.Batch that drops each line once it is appended:
// the request line is formatted in place as in serve's logwriter.Writer,
// whose batch would grow without end in a benchmark's loop that never
// lets the writer's goroutine run (its bytes would count in B/op).
type lineSink struct {
	mu  sync.Mutex
	buf []byte
}

func (s *lineSink) Begin() []byte               { s.mu.Lock(); return s.buf[:0] }
func (s *lineSink) End(b []byte)                { s.buf = b; s.mu.Unlock() }
func (s *lineSink) Write(p []byte) (int, error) { return len(p), nil }
