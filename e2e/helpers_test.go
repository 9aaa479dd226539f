package e2e_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/journal"
	"github.com/mockserver/mockserver/internal/servertest"
)

// Demo identities of the default scenario (SPEC §3).
const (
	amapiToken  = "1|DemoTokenDemoTokenDemoTokenDemoTokenDemo"
	carretaKey  = "demo-key"
	saplabOwner = "Basic Nzk5OTAwMDAwMDA6ZGVtbw==" // 79990000000:demo
)

// withFaults is the default scenario with the given faults: section.
func withFaults(faults string) string {
	return "name: test\nextends: default\nseed: 42\nfaults:\n" + faults
}

// arm posts rules to the control API and fails the test unless they are armed.
func arm(t *testing.T, m *servertest.Mock, rules string) {
	t.Helper()
	r := m.Do(t, "POST", "/__admin/faults", strings.NewReader(rules), "Content-Type", "application/json")
	if r.Status != http.StatusCreated {
		t.Fatalf("arming %s: %d %s", rules, r.Status, r.Body)
	}
}

// raw sends one request over a fresh TCP connection and returns every byte
// the server sent until it closed the connection: the only way to see a
// drop (nothing) or a truncation (a short body) as a client's socket does.
func raw(t *testing.T, m *servertest.Mock, method, path, body string, headers ...string) []byte {
	t.Helper()
	conn, err := net.Dial("tcp", m.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	var req bytes.Buffer
	fmt.Fprintf(&req, "%s %s HTTP/1.1\r\nHost: mock\r\nConnection: close\r\nContent-Length: %d\r\n", method, path, len(body))
	for i := 0; i+1 < len(headers); i += 2 {
		fmt.Fprintf(&req, "%s: %s\r\n", headers[i], headers[i+1])
	}
	req.WriteString("\r\n" + body)
	if _, err := conn.Write(req.Bytes()); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(conn)
	if err != nil {
		t.Fatalf("reading until the server closes: %v (got %q)", err, got)
	}
	return got
}

// parse reads a raw response; the body is what arrived, and short reports
// whether it is shorter than the Content-Length announced.
func parse(t *testing.T, data []byte) (resp *http.Response, body []byte, short bool) {
	t.Helper()
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(data)), nil)
	if err != nil {
		t.Fatalf("not an HTTP response: %v\n%q", err, data)
	}
	body, err = io.ReadAll(resp.Body)
	return resp, body, err == io.ErrUnexpectedEOF
}

// entries lists the journal through the control API.
func entries(t *testing.T, m *servertest.Mock, query string) []journal.Entry {
	t.Helper()
	r := m.Do(t, "GET", "/__admin/requests?"+query, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("journal: %d %s", r.Status, r.Body)
	}
	var out struct{ Requests []journal.Entry }
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatal(err)
	}
	return out.Requests
}

// last is the newest journal entry.
func last(t *testing.T, m *servertest.Mock) journal.Entry {
	t.Helper()
	es := entries(t, m, "")
	if len(es) == 0 {
		t.Fatal("the journal is empty")
	}
	return es[len(es)-1]
}

// statuses sends n requests and lists the statuses they got.
func statuses(t *testing.T, m *servertest.Mock, n int, method, path string, headers ...string) []int {
	t.Helper()
	out := make([]int, n)
	for i := range out {
		out[i] = m.Do(t, method, path, nil, headers...).Status
	}
	return out
}

// hitPattern turns statuses into a string, X for the fault's status and .
// for any other, so a sequence reads at a glance.
func hitPattern(got []int, faultStatus int) string {
	var b strings.Builder
	for _, s := range got {
		if s == faultStatus {
			b.WriteByte('X')
		} else {
			b.WriteByte('.')
		}
	}
	return b.String()
}

// pause is one fault delay a request has reached, held until the test ends
// it.
type pause struct {
	d   time.Duration    // the delay the rule drew for the request
	end chan<- time.Time // close it (or send) to end the delay
}

// holdDelays takes over the waiting of m's fault delays: each delay a
// request reaches is sent on the channel returned and lasts until the test
// ends it, so no test waits for a delay in real time, and receiving from
// the channel is how a test knows a request is inside its delay. A client
// that leaves still ends its delay, and the test's end ends them all.
func holdDelays(m *servertest.Mock) <-chan pause {
	ch := make(chan pause, 64)
	m.Srv.Faults().SetTimer(func(d time.Duration) <-chan time.Time {
		end := make(chan time.Time, 1)
		ch <- pause{d: d, end: end}
		return end
	})
	return ch
}

// sent is what a request sent from another goroutine got.
type sent struct {
	r   servertest.Response
	err error
}

// response is the response, failing the test (on its own goroutine) if
// the request failed.
func (s sent) response(t *testing.T) servertest.Response {
	t.Helper()
	if s.err != nil {
		t.Fatal(s.err)
	}
	return s.r
}

// sendAsync sends a request from a goroutine of its own, for a test that
// acts while the request is in flight. The goroutine never touches t:
// failures come back on the channel, for the test's goroutine to report.
func sendAsync(m *servertest.Mock, method, path string, body io.Reader, headers ...string) <-chan sent {
	done := make(chan sent, 1)
	go func() {
		r, err := m.Send(method, path, body, headers...)
		done <- sent{r, err}
	}()
	return done
}

// leaveDuringDelay sends GET path from a client that gives up once the
// request has reached its delay (from delays, holdDelays's channel), and
// returns what the client got: an error, unless it was answered anyway.
func leaveDuringDelay(m *servertest.Mock, path string, delays <-chan pause) <-chan error {
	ctx, cancel := context.WithCancel(context.Background())
	gave := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, m.URL+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		gave <- err
	}()
	<-delays
	cancel()
	return gave
}
