package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/journal"
	"github.com/mockserver/mockserver/internal/server"
	"github.com/mockserver/mockserver/internal/servertest"
)

// failsafe bounds every raw connection of these tests: a server that never
// closes one fails the test here instead of hanging it. No assertion is
// about time; this only turns a hang into a failure.
const failsafe = 20 * time.Second

// dial opens a raw connection to addr and writes raw on it.
func dial(t *testing.T, addr, raw string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	_ = c.SetDeadline(time.Now().Add(failsafe))
	if raw != "" {
		if _, err := io.WriteString(c, raw); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// untilClosed reads c until the server closes it and returns what came:
// the signal that the server cut the connection.
func untilClosed(t *testing.T, c net.Conn) string {
	t.Helper()
	b, err := io.ReadAll(c)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("the server never closed the connection (read %q)", b)
	}
	return string(b)
}

// roundTrip sends a whole request on c and reads its answer.
func roundTrip(t *testing.T, c net.Conn, br *bufio.Reader, raw string) *http.Response {
	t.Helper()
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// get is an ordinary client's GET on a fresh connection.
func get(t *testing.T, url string) int {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: failsafe}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

const health = "GET /__admin/health HTTP/1.1\r\nHost: mock\r\n\r\n"

// The three forms of slowloris are cut by the configured timeouts: headers
// that never end (ReadHeaderTimeout), a body that never ends, by length or
// chunked (ReadTimeout: the body reader fails and the request is a 400 in
// the API's shape, never a 5xx), and a keep-alive connection left idle
// (IdleTimeout). The test reads each connection until the server closes it.
//
// Only the slow headers meet a 50 ms ReadHeaderTimeout; the other cases'
// server gives headers the failsafe, so a whole request that a loaded
// machine is slow to read is never cut as a slow one (a body read after
// its 50 ms ReadTimeout has passed fails at once, and is the same 400).
// That lets every connection start at once, and the test wait out one
// timeout instead of four in a row (it waited 0.3 s, the package's only
// serial test, with nothing beside it).
func TestTimeouts_cutSlowClients(t *testing.T) {
	t.Parallel()
	headers, _ := servertest.Serve(t, server.Config{ReadHeaderTimeout: 50 * time.Millisecond})
	srv, _ := servertest.Serve(t, server.Config{ReadHeaderTimeout: failsafe,
		ReadTimeout: 50 * time.Millisecond, IdleTimeout: 50 * time.Millisecond})
	addr := srv.Addr()
	cases := []struct {
		name string
		conn net.Conn
	}{
		{"slow_headers", dial(t, headers.Addr(), "GET /api/user HTTP/1.1\r\nHost: mock\r\nX-Slow: ")},
		{"slow_body", dial(t, addr, "POST /v1/order/?api_key=demo-key HTTP/1.1\r\nHost: mock\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\"")},
		{"chunked_body_never_ends", dial(t, addr, "POST /panel/client HTTP/1.1\r\nHost: mock\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")},
	}
	idle := dial(t, addr, "")
	br := bufio.NewReader(idle)
	if resp := roundTrip(t, idle, br, health); resp.StatusCode != http.StatusOK {
		t.Fatalf("health: %d", resp.StatusCode)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := untilClosed(t, c.conn)
			if strings.HasPrefix(got, "HTTP/1.1 5") {
				t.Fatalf("a slow client got a 5xx: %q", got)
			}
		})
	}
	t.Run("idle_keep_alive", func(t *testing.T) {
		if rest, _ := io.ReadAll(br); len(rest) != 0 {
			t.Fatalf("after the answer, an idle connection got %q", rest)
		}
		untilClosed(t, idle) // io.ReadAll above returned: the server closed it
	})
	for _, s := range []*server.Server{headers, srv} {
		if get(t, "http://"+s.Addr()+"/__admin/health") != http.StatusOK {
			t.Fatal("an ordinary client was not served after the slow ones")
		}
	}
	if n := srv.Journal().Count(journalAll); n != 2 {
		t.Fatalf("%d requests journaled, want the two cut bodies (400) only", n)
	}
	if n := headers.Journal().Count(journalAll); n != 0 {
		t.Fatalf("%d requests journaled by the slow headers' server, want none", n)
	}
}

// At the connection cap, idle and slowloris connections (which have not
// sent a whole request, or whose body never ends) give way to a new
// client, oldest first; a flood of connections that send nothing (the fd
// exhaustion of issue 14) does not lock an ordinary client out either.
// Timeouts are left longer than the test's failsafe: the cap alone does
// it, and a connection that does not give way fails the test instead of
// being cut by a timeout.
func TestMaxConns_quietConnectionsGiveWay(t *testing.T) {
	t.Parallel()
	srv, _ := servertest.Serve(t, server.Config{MaxConns: 4, ReadHeaderTimeout: 2 * failsafe})
	addr := srv.Addr()
	// All four slots are taken: two connections start a request they
	// never finish, two answer one and stay idle. The two slowloris ones
	// are dialled first, so they are the oldest quiet ones in the order
	// the server accepted them (one accept loop, in the order the kernel
	// queued them), and the idle ones' answers show all four accepted.
	// (When all four answered first and two then went slowloris, which
	// of them had gone quiet first was the order in which net/http's
	// connection goroutines reported "idle", not the order of the answers:
	// one run in 16 evicted the second, and the first was cut only by
	// the 10 s ReadHeaderTimeout, which the test then waited out.)
	var held []net.Conn
	for range 2 {
		held = append(held, dial(t, addr, "GET /api/user HTTP/1.1\r\nX-Slow: "))
	}
	for range 2 {
		conn := dial(t, addr, "")
		if resp := roundTrip(t, conn, bufio.NewReader(conn), health); resp.StatusCode != http.StatusOK {
			t.Fatalf("health: %d", resp.StatusCode)
		}
		held = append(held, conn)
	}
	if get(t, "http://"+addr+"/__admin/health") != http.StatusOK {
		t.Fatal("a new client was not served at the cap")
	}
	untilClosed(t, held[0]) // the connection quiet longest made room
	for i := 0; i < 64; i++ {
		dial(t, addr, "") // connections that never send a byte
	}
	if get(t, "http://"+addr+"/v1/profile/?api_key=demo-key") != http.StatusOK {
		t.Fatal("an ordinary client was locked out by a flood of silent connections")
	}
	// Bodies that never end: their requests are in progress, but a
	// connection whose body is still coming gives way like an idle one.
	for i := 0; i < 8; i++ {
		dial(t, addr, "POST /panel/client/form HTTP/1.1\r\nHost: mock\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
	}
	if get(t, "http://"+addr+"/__admin/health") != http.StatusOK {
		t.Fatal("an ordinary client was locked out by bodies that never end")
	}
}

// A shutdown does not wait for connections that never sent a request: net/http
// would give each 5 s, longer than this server's ShutdownTimeout of 1 s, and
// Serve would fail with a deadline.
func TestShutdown_closesUnusedConnections(t *testing.T) {
	t.Parallel()
	srv, stop := servertest.Serve(t, server.Config{ShutdownTimeout: time.Second})
	silent := dial(t, srv.Addr(), "")
	// Connections are accepted in order: once a later one is served, the
	// silent one has been accepted and is the server's.
	if get(t, "http://"+srv.Addr()+"/__admin/health") != http.StatusOK {
		t.Fatal("health")
	}
	if err := stop(); err != nil {
		t.Fatalf("Serve: %v (an unused connection held the shutdown up)", err)
	}
	untilClosed(t, silent)
}

// A journal wait and a fault delay outlast the read and write timeouts:
// they move their own deadlines (request.Unhurried), and the listener's
// timeouts neither cancel them nor cut their answers. A slowloris
// connection opened after both started, and cut by the same timeouts, is
// the signal that the deadlines they started with have passed.
//
// The timeouts are 500 ms, not the 50 ms of the other timeout tests: every
// request here goes on a new connection, and at a load of 17 one of them
// (the fault's arming) was cut before its headers had been read, a failure
// of the machine and not of the rule; the slowloris signal makes the test
// wait out the timeout once, in the background, while the binary's other
// tests run.
func TestTimeouts_waitsAndDelaysOutlastThem(t *testing.T) {
	const timeout = 500 * time.Millisecond
	srv, _ := servertest.Serve(t, server.Config{ReadHeaderTimeout: timeout,
		ReadTimeout: timeout, WriteTimeout: timeout})
	base := "http://" + srv.Addr()
	release := make(chan time.Time)
	delaying := make(chan struct{}, 1)
	srv.Faults().SetTimer(func(time.Duration) <-chan time.Time {
		delaying <- struct{}{}
		return release
	})
	client := &http.Client{Timeout: failsafe}
	post, err := client.Post(base+"/__admin/faults", "application/json",
		strings.NewReader(`{"id": "slow", "api": "carreta", "path": "/v1/profile/", "action": {"delay": "5m"}}`))
	if err != nil || post.StatusCode != http.StatusCreated {
		t.Fatalf("arming the delay: %v %v", post, err)
	}
	post.Body.Close()
	type answer struct {
		status int
		body   string
		err    error
	}
	ask := func(url string, out chan<- answer) {
		resp, err := client.Get(url)
		if err != nil {
			out <- answer{err: err}
			return
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		out <- answer{resp.StatusCode, string(b), err}
	}
	waited, delayed := make(chan answer, 1), make(chan answer, 1)
	go ask(base+"/__admin/requests/wait?path=/api/**&timeout=60s", waited)
	go ask(base+"/v1/profile/?api_key=demo-key", delayed)
	for srv.Journal().Waiting() == 0 {
		runtime.Gosched()
	}
	<-delaying
	signal := dial(t, srv.Addr(), "GET / HTTP/1.1\r\n")
	// The rest goes on in the background from here: the signal's close
	// (the timeouts have passed), a request the wait counts, the wait's
	// answer, the delay released and its answer, in that order, with
	// nothing pending longer than the half second. The checks come in a
	// parallel subtest. All of the above runs before t.Parallel, among the
	// serial tests at the binary's start (a few ms: a server start and four
	// requests), so the half second starts at once and passes beside the
	// other tests, holding no parallel slot idle; the test's cleanup then
	// runs without a slot.
	type outcome struct {
		cut             string // what the signal read before the server closed it
		cutErr          error
		test            int // the status of the request the wait counts
		testErr         error
		waited, delayed answer
	}
	outcomes := make(chan outcome, 1)
	go func() {
		var o outcome
		var b []byte
		b, o.cutErr = io.ReadAll(signal) // the timeouts have passed
		o.cut = string(b)
		if resp, err := client.Get(base + "/api/test"); err != nil {
			o.testErr = err
		} else {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			o.test = resp.StatusCode
		}
		o.waited = <-waited
		close(release)
		o.delayed = <-delayed
		outcomes <- o
	}()
	t.Parallel()
	t.Run("outlasted", func(t *testing.T) {
		t.Parallel()
		o := <-outcomes
		if errors.Is(o.cutErr, os.ErrDeadlineExceeded) {
			t.Fatalf("the server never closed the connection (read %q)", o.cut)
		}
		if o.testErr != nil || o.test >= 500 {
			t.Fatalf("GET /api/test: %d %v", o.test, o.testErr)
		}
		if a := o.waited; a.err != nil || a.status != http.StatusOK || a.body != `{"count":1}`+"\n" {
			t.Fatalf("the wait answered %d %q (%v), want 200 and its count", a.status, a.body, a.err)
		}
		if a := o.delayed; a.err != nil || a.status != http.StatusOK {
			t.Fatalf("the delayed request answered %d %q (%v), want 200", a.status, a.body, a.err)
		}
	})
}

var journalAll = journal.Filter{}

// encodeJSON is v as c.JSON encodes it.
func encodeJSON(t *testing.T, v any) string {
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestRequests_streamedBytes holds the streamed listing to the bytes the
// one-value encoding gave (c.JSON of {"requests": [...]}), HTML escapes and
// Cyrillic included, and an empty journal to {"requests":[]}.
func TestRequests_streamedBytes(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{})
	if r := m.Do(t, http.MethodGet, "/__admin/requests", nil); string(r.Body) != `{"requests":[]}`+"\n" || r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("empty journal: %q %q", r.Body, r.Header.Get("Content-Type"))
	}
	m.Do(t, http.MethodGet, "/v1/search/?q=<oc47>&api_key=demo-key", nil, "X-Note", "a&b <c> привет")
	m.Do(t, http.MethodPost, "/api/login", strings.NewReader(`{"email":"<x>@example.com","password":"p"}`), "Content-Type", "application/json")
	for i := 0; i < 40; i++ { // past the 32 KiB the stream writes at once
		m.Do(t, http.MethodPost, "/panel/client", strings.NewReader("name="+strings.Repeat("я", 600)))
	}
	want := encodeJSON(t, map[string]any{"requests": m.Srv.Journal().List(journalAll)})
	if r := m.Do(t, http.MethodGet, "/__admin/requests", nil); string(r.Body) != want {
		t.Fatalf("streamed listing differs from the one-value encoding\ngot:  %.300s\nwant: %.300s", r.Body, want)
	}
}

// TestFaults_longPathHoldsNoOneUp holds a request whose 20,000-segment path
// is being matched against a rule with two ** (the hook stops it mid-match)
// and shows another vendor request, and the control API, answered
// meanwhile: matching holds no lock. Before, the injector's one mutex was
// held for the whole match (13 s for this path) and every request waited.
func TestFaults_longPathHoldsNoOneUp(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{})
	if r := m.Do(t, http.MethodPost, "/__admin/faults", strings.NewReader(`{"id": "deep", "api": "any", "path": "/**/a/**/b", "action": {"status": 503}}`)); r.Status != http.StatusCreated {
		t.Fatalf("arming: %d %s", r.Status, r.Body)
	}
	long := "/v1" + strings.Repeat("/x", 20_000)
	entered, release := make(chan struct{}), make(chan struct{})
	m.Srv.Faults().SetMatchHook(func(p string) {
		if p == long {
			close(entered)
			<-release
		}
	})
	done := make(chan error, 1)
	go func() {
		r, err := m.Send(http.MethodGet, long, nil)
		if err == nil && r.Status >= 500 {
			err = errors.New("the long path got " + string(r.Body))
		}
		done <- err
	}()
	<-entered
	if r := m.Do(t, http.MethodGet, "/v1/profile/?api_key=demo-key", nil); r.Status != http.StatusOK {
		t.Fatalf("another request while the long one matches: %d %s", r.Status, r.Body)
	}
	if r := m.Do(t, http.MethodGet, "/__admin/faults/deep", nil); r.Status != http.StatusOK {
		t.Fatalf("the control API: %d", r.Status)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
