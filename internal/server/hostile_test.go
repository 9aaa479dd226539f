package server_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/server"
	"github.com/mockserver/mockserver/internal/servertest"
)

// hostile is one request of the corpus, sent byte for byte on a raw
// connection.
type hostile struct {
	name string
	raw  string
	// lax marks a request the mock accepts today where the real stack
	// refuses it (issue 14, item 8: NUL in saplab text, lone surrogates,
	// a nonsense Content-Type, carreta's image/png, HEAD on saplab's
	// actions). Here it is held only to no 5xx and a bounded time, not to
	// "no state change": the exact refusals are pinned by the vendor
	// packages' tests, so this corpus passes before and after they land.
	lax bool
	// goStatus is the status net/http itself answers before any handler
	// runs, which the mock cannot change (docs/decisions.md, "Hostile
	// requests"); 0: the answer is the mock's and must be below 500.
	goStatus int
	// closed: the server cuts the connection without an answer (a slow
	// client past its timeout).
	closed bool
}

const owner = "Authorization: Basic " // + base64("79990000000:demo")

func hostileCorpus() []hostile {
	auth := owner + base64.StdEncoding.EncodeToString([]byte("79990000000:demo")) + "\r\n"
	get := func(target, headers string) string {
		return "GET " + target + " HTTP/1.1\r\nHost: mock\r\n" + headers + "Connection: close\r\n\r\n"
	}
	post := func(target, ctype, body, headers string) string {
		return fmt.Sprintf("POST %s HTTP/1.1\r\nHost: mock\r\nContent-Type: %s\r\nContent-Length: %d\r\n%sConnection: close\r\n\r\n%s",
			target, ctype, len(body), headers, body)
	}
	head := func(target string) string {
		return "HEAD " + target + " HTTP/1.1\r\nHost: mock\r\n" + auth + "Connection: close\r\n\r\n"
	}
	many := strings.Builder{}
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&many, "X-H%d: %d\r\n", i, i)
	}
	longPath := "/v1" + strings.Repeat("/x", 20_000) + "/"
	return []hostile{
		// Huge headers: under net/http's 1 MiB the request is served (and
		// journaled cut); over it, net/http's own 431.
		{name: "header_of_1000_KiB", raw: get("/v1/profile/?api_key=demo-key", "X-Big: "+strings.Repeat("a", 1000<<10)+"\r\n")},
		{name: "header_of_2_MiB", raw: get("/v1/profile/?api_key=demo-key", "X-Big: "+strings.Repeat("a", 2<<20)+"\r\n"), goStatus: 431},
		{name: "5000_headers", raw: get("/panel/client", auth+many.String())},
		// Long paths with ** rules armed (the test arms them): linear.
		{name: "long_path_carreta", raw: get(longPath, "")},
		{name: "long_path_saplab", raw: get("/panel"+strings.Repeat("/client", 10_000), auth)},
		{name: "long_query", raw: get("/v1/search/?api_key=demo-key&q="+strings.Repeat("oc47", 200_000), "")},
		{name: "journal_filter_three_double_stars", raw: get("/__admin/requests/count?path=/**/x/**/x/**/y", "")},
		// Bad encodings.
		{name: "bad_percent_escape", raw: get("/v1/%zz/", ""), goStatus: 0},
		{name: "percent_nul_in_path", raw: get("/v1/order/%00/?api_key=demo-key", "")},
		{name: "invalid_utf8_in_query", raw: get("/v1/search/?q=%ff%fe%80&api_key=demo-key", "")},
		{name: "invalid_utf8_in_header", raw: get("/v1/profile/?api_key=demo-key", "X-Note: \xff\xfe\xfd\r\n")},
		{name: "invalid_utf8_json", raw: post("/api/login", "application/json", "{\"email\":\"\xff\xfe\",\"password\":\"x\"}", "")},
		{name: "invalid_utf8_form", raw: post("/panel/client/form", "application/x-www-form-urlencoded", "fio=\xff\xfe", auth), lax: true},
		{name: "raw_nul_in_request_line", raw: "GET /v1/\x00/ HTTP/1.1\r\nHost: mock\r\n\r\n", goStatus: 0},
		// Odd Transfer-Encoding and framing.
		{name: "transfer_encoding_gzip_chunked", raw: "POST /api/login HTTP/1.1\r\nHost: mock\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", goStatus: 501},
		{name: "transfer_encoding_identity", raw: "POST /api/login HTTP/1.1\r\nHost: mock\r\nTransfer-Encoding: identity\r\n\r\n", goStatus: 501},
		{name: "transfer_encoding_twice", raw: "POST /api/login HTTP/1.1\r\nHost: mock\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", goStatus: 501},
		{name: "transfer_encoding_and_length", raw: "POST /api/login HTTP/1.1\r\nHost: mock\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n"},
		{name: "bad_chunk_size", raw: "POST /api/login HTTP/1.1\r\nHost: mock\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"},
		{name: "negative_content_length", raw: "POST /api/login HTTP/1.1\r\nHost: mock\r\nContent-Length: -1\r\n\r\n"},
		{name: "content_length_beyond_limit", raw: "POST /v1/order/?api_key=demo-key HTTP/1.1\r\nHost: mock\r\nContent-Length: 99999999999\r\nConnection: close\r\n\r\n"},
		// Protocol versions and methods.
		{name: "http_9_9", raw: "GET /v1/profile/?api_key=demo-key HTTP/9.9\r\nHost: mock\r\n\r\n", goStatus: 505},
		{name: "http_2_0_in_plain_text", raw: "GET /v1/profile/?api_key=demo-key HTTP/2.0\r\nHost: mock\r\n\r\n", goStatus: 505},
		{name: "http_1_0_without_host", raw: "GET /v1/profile/?api_key=demo-key HTTP/1.0\r\n\r\n"},
		{name: "http_1_1_without_host", raw: "GET /v1/profile/?api_key=demo-key HTTP/1.1\r\n\r\n"},
		{name: "method_of_10_KiB", raw: get("/v1/order/", "")[:0] + strings.Repeat("M", 10<<10) + " /v1/order/ HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n\r\n"},
		{name: "expect_unknown", raw: get("/v1/profile/?api_key=demo-key", "Expect: teapot\r\n")},
		// Lone surrogates in JSON strings.
		{name: "lone_surrogate_amapi_login", raw: post("/api/login", "application/json", `{"email":"\ud800@example.com","password":"x"}`, "")},
		{name: "lone_surrogate_carreta_order", raw: post("/v1/order/?api_key=demo-key", "application/json", `{"items":[{"offer":"\udc00","quantity":1}],"comment":"\ud800"}`, ""), lax: true},
		{name: "lone_surrogate_admin_faults", raw: post("/__admin/faults", "application/json", `{"id":"\ud800","api":"any","path":"/x","action":{"status":503}}`, ""), lax: true},
		// NUL in text, wrong Content-Types.
		{name: "nul_in_saplab_text", raw: post("/panel/client/form", "application/x-www-form-urlencoded", "fio=a%00b&phone=79995550101", auth), lax: true},
		{name: "nonsense_content_type_saplab", raw: post("/panel/client/form", "nonsense", "fio=x&phone=79995550102", auth), lax: true},
		{name: "image_png_carreta", raw: post("/v1/order/?api_key=demo-key", "image/png", `{"items":[]}`, ""), lax: true},
		{name: "json_to_saplab_form", raw: post("/panel/client/form", "application/json", `{"fio":"x"}`, auth), lax: true},
		{name: "form_to_amapi_json", raw: post("/api/login", "application/x-www-form-urlencoded", "email=a&password=b", "")},
		// HEAD on saplab's actions (GET routes that change state).
		{name: "head_pay", raw: head("/panel/order/pay/20"), lax: true},
		{name: "head_deny", raw: head("/panel/order/deny/21"), lax: true},
		{name: "head_archive", raw: head("/panel/order/archive/22"), lax: true},
		{name: "head_documents", raw: head("/panel/order/documents/23"), lax: true},
		// A slow client: headers that never end are cut by the
		// (configured) header timeout, without an answer.
		{name: "slow_headers", raw: "GET /v1/profile/?api_key=demo-key HTTP/1.1\r\nHost: mock\r\nX-Slow: ", closed: true},
	}
}

// TestHostileCorpus sends each request of the corpus on a raw connection
// and holds the mock to: no 5xx of its own (the few net/http answers
// before any handler are pinned to what net/http says), no change of
// state (the snapshot's bytes; lax requests excepted, above), an answer
// within the connection's deadline (hit, the test fails), and a server
// that still serves.
//
// Two servers take the corpus: a slow client's request (closed) goes to
// one that cuts headers after 50 ms, every other to one whose header
// timeout no request meets however loaded the machine (a 1000 KiB header
// once missed a 500 ms one), so the test waits on no timer but the 50 ms.
func TestHostileCorpus(t *testing.T) {
	t.Parallel()
	client := &http.Client{Timeout: failsafe}
	patient := corpusServer(t, client, server.Config{ReadHeaderTimeout: failsafe / 2})
	impatient := corpusServer(t, client, server.Config{ReadHeaderTimeout: 50 * time.Millisecond})
	// The state each request must leave as it found: taken once per
	// server, and again only after a lax request (which may change it),
	// rather than before every request (a snapshot copies the whole
	// state file: two per request were most of this test's CPU).
	last := map[string][32]byte{}
	for _, addr := range []string{patient, impatient} {
		last[addr] = snapshot(t, client, "http://"+addr)
	}
	for _, h := range hostileCorpus() {
		t.Run(h.name, func(t *testing.T) {
			addr := patient
			if h.closed {
				addr = impatient
			}
			base := "http://" + addr
			before := last[addr]
			status, line := sendRaw(t, addr, h.raw)
			t.Log(line)
			switch {
			case h.closed:
				if status != 0 {
					t.Fatalf("got %q, want the connection cut", line)
				}
			case h.goStatus != 0:
				if status != h.goStatus {
					t.Fatalf("got %q, want net/http's %d", line, h.goStatus)
				}
			case status == 0 || status >= 500:
				t.Fatalf("got %q, want an answer below 500", line)
			}
			after := snapshot(t, client, base)
			if !h.lax && after != before {
				t.Fatal("the state changed")
			}
			last[addr] = after
		})
	}
	// The servers' stop at the test's end waits out net/http's half-second
	// pause after each answer given before its request was read (the 431s,
	// the 413s: rstAvoidanceDelay), idle. The last check is a parallel
	// subtest so that the stop runs without a parallel slot (testing runs
	// the cleanup of a test with parallel subtests without one), and it
	// runs after the binary's other tests, by when the pauses are over.
	t.Run("still_serves", func(t *testing.T) {
		t.Parallel()
		for _, addr := range []string{patient, impatient} {
			if st := get(t, "http://"+addr+"/v1/profile/?api_key=demo-key"); st != http.StatusOK {
				t.Fatalf("after the corpus, an ordinary request got %d", st)
			}
		}
	})
}

// corpusServer serves the default scenario with cfg for the corpus and
// returns its address: the deep ** rules armed, and the clock frozen, so
// no automatic status move changes the state between two snapshots.
func corpusServer(t *testing.T, client *http.Client, cfg server.Config) string {
	t.Helper()
	srv, _ := servertest.Serve(t, cfg)
	base := "http://" + srv.Addr()
	for _, rule := range []string{
		`{"id": "deep2", "api": "any", "path": "/**/a/**/b", "action": {"status": 503}}`,
		`{"id": "deep3", "api": "any", "path": "/**/x/**/x/**/y", "action": {"status": 503}}`,
	} {
		resp, err := client.Post(base+"/__admin/faults", "application/json", strings.NewReader(rule))
		if err != nil || resp.StatusCode != http.StatusCreated {
			t.Fatalf("arming %s: %v %v", rule, resp, err)
		}
		resp.Body.Close()
	}
	resp, err := client.Post(base+"/__admin/clock", "application/json", strings.NewReader(`{"freeze": true}`))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("freezing the clock: %v %v", resp, err)
	}
	resp.Body.Close()
	return srv.Addr()
}

// sendRaw writes raw on a new connection and returns the answer's status
// and status line (0 and "" when the server closed without one). The
// connection's deadline bounds the whole exchange: hitting it fails the
// test.
func sendRaw(t *testing.T, addr, raw string) (int, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(failsafe))
	// The write runs beside the read: a server that answers before it has
	// read everything (431) stops reading, and the write then fails.
	go func() { _, _ = io.WriteString(c, raw) }()
	method, _, _ := strings.Cut(raw, " ")
	resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: method})
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("no answer within %s", failsafe)
	}
	if err != nil {
		return 0, "" // closed without an answer
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body) // the answer is whole in time
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("the answer %q never ended", resp.Status)
	}
	line := resp.Proto + " " + resp.Status
	if resp.StatusCode >= 500 {
		line += ": " + string(body)
	}
	return resp.StatusCode, line
}

// snapshot is a digest of the state file's consistent copy.
func snapshot(t *testing.T, client *http.Client, base string) [32]byte {
	t.Helper()
	resp, err := client.Get(base + "/__admin/snapshot")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	h := sha256.New()
	if _, err := io.Copy(h, resp.Body); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("snapshot: %d %v", resp.StatusCode, err)
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum
}
