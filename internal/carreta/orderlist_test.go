package carreta_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/mockserver/mockserver/internal/servertest"
)

// TestAnswers_contentLength: every answer carries its length, as Django's
// CommonMiddleware sends it, the long ones (a full list page, written
// whole) as the short ones; none is sent chunked, HEAD included.
func TestAnswers_contentLength(t *testing.T) {
	t.Parallel()
	m := start(t, servertest.Options{Scenario: "name: s\nextends: default\ncarreta:\n  generate: {orders: 150, orders_account: demo-key}\n"})
	for _, path := range []string{"/v1/order/?api_key=demo-key", "/v1/order/?api_key=demo-key&page=2", "/v1/profile/?api_key=demo-key", "/v1/search/?q=oc47&api_key=demo-key"} {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			req, err := http.NewRequest(method, m.URL+path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("%s %s: %d, %v", method, path, resp.StatusCode, err)
			}
			if len(resp.TransferEncoding) != 0 || resp.ContentLength < 0 {
				t.Errorf("%s %s: Transfer-Encoding %v, Content-Length %d", method, path, resp.TransferEncoding, resp.ContentLength)
			}
			if method == http.MethodGet && resp.ContentLength != int64(len(body)) {
				t.Errorf("%s: Content-Length %d of %d bytes", path, resp.ContentLength, len(body))
			}
			if path == "/v1/order/?api_key=demo-key" && method == http.MethodGet && len(body) < 10_000 {
				t.Errorf("the first page is %d bytes: not a long answer", len(body))
			}
		}
	}
}
