package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/mockserver/mockserver/internal/servertest"
)

// BenchmarkSearchWithStream is carreta's search GET through the whole echo
// stack in process, with no journal stream open and with one read at full
// speed over loopback, as a console reads it: -cpuprofile shows what an
// open console costs a request.
//
//	go test -run '^$' -bench SearchWithStream ./internal/server/
func BenchmarkSearchWithStream(b *testing.B) {
	const path = "/v1/search/?q=oc47&api_key=demo-key"
	run := func(b *testing.B, stream bool) {
		m := servertest.Start(b, servertest.Options{})
		if stream {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, m.URL+"/__admin/requests/stream?backlog=0", nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			go func() { _, _ = io.Copy(io.Discard, resp.Body); resp.Body.Close() }()
			if m.Srv.Journal().Subscribers() == 0 {
				// The stream subscribes before it sends its headers, which
				// Do has read.
				b.Fatal("the stream did not subscribe")
			}
		}
		h := m.Srv.Handler()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.RemoteAddr = "127.0.0.1:40000"
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				h.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
	b.Run("none", func(b *testing.B) { run(b, false) })
	b.Run("reading", func(b *testing.B) { run(b, true) })
}
