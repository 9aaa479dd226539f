package carreta_test

import (
	"net/http/httptest"
	"testing"

	"github.com/mockserver/mockserver/internal/servertest"
)

// BenchmarkRatioOrderCreateLone: durable POST /v1/order/ from one client
// against a bare net/http server that commits each request body in a
// bbolt transaction of its own (fsync included) and answers with the
// mock's answer: bench/run.sh's `plain` reference, in process, through
// loopback, in 250 ms slices that alternate 16 times. The ratio is issue
// 16's "at c=1 at least 0.9x of a plain commit per request"; it is the
// in-process check of a change to what an order writes (bench/README.md,
// "Fewer pages per write"), where the slices, unlike bench/run.sh's
// seconds-long rounds, share the machine's moments.
//
//	go test ./internal/carreta/ -run '^$' -bench RatioOrderCreateLone -benchtime 1x
func BenchmarkRatioOrderCreateLone(b *testing.B) {
	m := servertest.Start(b, servertest.Options{})
	o := search(b, m, "oc47")[0]
	bodyJSON := offerBody(o, 4, "bench")
	plain := plainServer(b, post(b, m, "/v1/order/?api_key=demo-key", bodyJSON).Body)
	cm, cp := client(), client()
	interleave(b, 1, 16,
		func() error { return postOrder(cm, m.URL+"/v1/order/?api_key=demo-key", bodyJSON) },
		func() error { return postOrder(cp, plain.URL, bodyJSON) })
}

// plainServer answers every request with answer (201) once it has
// committed the request body under the next sequence number of one bucket,
// in a transaction of its own: a plain durable commit per request.
func plainServer(b *testing.B, answer []byte) *httptest.Server {
	s := httptest.NewServer(plainHandler(rawDB(b, nil), answer))
	b.Cleanup(s.Close)
	return s
}
