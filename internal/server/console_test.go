package server_test

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

	"github.com/mockserver/mockserver/internal/servertest"
)

// openStream asks for GET path on a raw connection and reads the answer's
// head and the stream's first comment: by then the stream has subscribed.
// The caller decides when (and whether) to read on.
func openStream(t *testing.T, m *servertest.Mock, path string) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.Dial("tcp", m.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: mock\r\n\r\n", path)
	br := bufio.NewReaderSize(conn, 1<<20)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream; charset=utf-8" {
		t.Fatalf("stream answered %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// The body is chunked; read it through the response so the chunk
	// framing is taken off.
	body := bufio.NewReaderSize(resp.Body, 1<<20)
	if line, err := body.ReadString('\n'); err != nil || line != ": mockserver journal stream\n" {
		t.Fatalf("first line %q, %v", line, err)
	}
	if line, err := body.ReadString('\n'); err != nil || line != "\n" {
		t.Fatalf("the comment ends with %q, %v", line, err)
	}
	return conn, body
}

// sseEvent is one Server-Sent Event.
type sseEvent struct{ name, id, data string }

// nextEvent reads the next event, skipping comments.
func nextEvent(t *testing.T, r *bufio.Reader) sseEvent {
	t.Helper()
	var ev sseEvent
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended: %v", err)
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "" && ev.name != "":
			return ev
		case strings.HasPrefix(line, "event: "):
			ev.name = line[len("event: "):]
		case strings.HasPrefix(line, "id: "):
			ev.id = line[len("id: "):]
		case strings.HasPrefix(line, "data: "):
			ev.data = line[len("data: "):]
		}
	}
}

func TestStream_backlogThenLiveEntriesFiltered(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{Scenario: "empty"})
	m.Do(t, http.MethodGet, "/v1/profile/?api_key=x", nil)
	m.Do(t, http.MethodGet, "/panel/client", nil)
	_, r := openStream(t, m, "/__admin/requests/stream?api=carreta")
	ev := nextEvent(t, r)
	if ev.name != "request" || ev.id != "1" || !strings.Contains(ev.data, `"path":"/v1/profile/"`) {
		t.Fatalf("first event %+v, want the held carreta request 1", ev)
	}
	m.Do(t, http.MethodGet, "/panel/client", nil) // another API: filtered out
	m.Do(t, http.MethodPost, "/v1/order/", strings.NewReader(`{"x": "кириллица"}`), "Authorization", "Token secret")
	ev = nextEvent(t, r)
	var e struct {
		ID      uint64              `json:"id"`
		Path    string              `json:"path"`
		Body    string              `json:"body"`
		Headers map[string][]string `json:"headers"`
	}
	if err := json.Unmarshal([]byte(ev.data), &e); err != nil {
		t.Fatal(err)
	}
	if ev.name != "request" || e.ID != 4 || e.Path != "/v1/order/" || e.Body != `{"x": "кириллица"}` || e.Headers["Authorization"][0] != "Token [redacted]" {
		t.Fatalf("live event %+v (%+v), want entry 4, its body, Authorization redacted", ev, e)
	}
}

func TestStream_refusesBadParameters(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{Scenario: "empty"})
	for _, c := range []struct{ query, want string }{
		{"?apii=carreta", `unknown parameter \"apii\"`},
		{"?backlog=5000", "backlog must be an integer from 0 to 1000"},
		{"?api=nope", "api must be one of"},
	} {
		r := m.Do(t, http.MethodGet, "/__admin/requests/stream"+c.query, nil)
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), c.want) {
			t.Errorf("%s: %d %s, want 400 saying %s", c.query, r.Status, r.Body, c.want)
		}
	}
}

// A console tab that stops reading never slows a vendor request: the
// stream's connection fills up and its handler blocks in a write, the
// subscription's buffer fills, and every request after that is still
// answered and recorded (were the recording path to wait, the loop would
// hang). Once the reader reads again, it is told how many entries it lost.
func TestStream_stalledReaderNeverBlocksVendorRequests(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("moves some 26 MB through a stalled connection")
	}
	m := servertest.Start(t, servertest.Options{Scenario: "empty"})
	// A small buffer makes the stall cheap: 64 entries, then the socket's.
	m.Srv.Journal().SetSubscriberBuffer(64)
	_, r := openStream(t, m, "/__admin/requests/stream?backlog=0")
	// Each entry keeps 64 KiB of body: 400 of them are far more than the
	// subscription's buffer and the connection's socket buffers hold.
	body := bytes.Repeat([]byte("x"), 64<<10)
	const n = 400
	client := &http.Client{}
	for i := range n {
		resp, err := client.Post(m.URL+"/v1/order/", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if got := m.Srv.Journal().Len(); got != n {
		t.Fatalf("the journal holds %d entries, want all %d", got, n)
	}
	// Read on: the entries it kept come, then word of those it lost.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	found := make(chan string, 1)
	go func() {
		for ctx.Err() == nil {
			line, err := r.ReadString('\n')
			if err != nil {
				found <- "stream ended: " + err.Error()
				return
			}
			if line == "event: dropped\n" {
				data, _ := r.ReadString('\n')
				found <- data
				return
			}
		}
	}()
	select {
	case data := <-found:
		if !strings.HasPrefix(data, `data: {"dropped":`) {
			t.Fatalf("after the stall: %q, want a dropped event", data)
		}
	case <-ctx.Done():
		t.Fatal("no dropped event after the stall")
	}
}

// Interrupt (a shutdown, a world's deletion) ends every stream at once, so
// a console tab never holds a shutdown up.
func TestStream_endsOnInterrupt(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{Scenario: "empty"})
	_, r := openStream(t, m, "/__admin/requests/stream")
	m.Srv.Journal().Interrupt()
	if rest, err := io.ReadAll(r); err != nil || len(rest) != 0 {
		t.Fatalf("after Interrupt the stream sent %q, %v; want its end", rest, err)
	}
}

func TestStateRows_pageFilterAndTotal(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{})
	all := m.Do(t, http.MethodGet, "/__admin/state/saplab/clients", nil)
	var rows []map[string]any
	if err := json.Unmarshal(all.Body, &rows); err != nil || len(rows) < 10 {
		t.Fatalf("all clients: %v, %d rows", err, len(rows))
	}
	total := fmt.Sprint(len(rows))
	if all.Header.Get("X-Total-Count") != total {
		t.Fatalf("X-Total-Count %q, want %s", all.Header.Get("X-Total-Count"), total)
	}
	page := m.Do(t, http.MethodGet, "/__admin/state/saplab/clients?limit=3&offset=2&order=desc", nil)
	var got []map[string]any
	_ = json.Unmarshal(page.Body, &got)
	if len(got) != 3 || got[0]["id"] != rows[len(rows)-3]["id"] || page.Header.Get("X-Total-Count") != total {
		t.Fatalf("page: %d rows from id %v, total %s; want 3 from id %v, total %s",
			len(got), got[0]["id"], page.Header.Get("X-Total-Count"), rows[len(rows)-3]["id"], total)
	}
	// A client's ledger: where.client_id, and q over the row's text.
	client := fmt.Sprint(rows[0]["id"])
	ledger := m.Do(t, http.MethodGet, "/__admin/state/saplab/transactions?where.client_id="+client, nil)
	var txs []map[string]any
	_ = json.Unmarshal(ledger.Body, &txs)
	for _, tx := range txs {
		if fmt.Sprint(tx["client_id"]) != client {
			t.Fatalf("where.client_id=%s listed %v", client, tx)
		}
	}
	name := rows[0]["name"].(string)
	found := m.Do(t, http.MethodGet, "/__admin/state/saplab/clients?q="+strings.ToUpper(strings.Fields(name)[0]), nil)
	if !strings.Contains(string(found.Body), name) {
		t.Fatalf("q found %s, want %s", found.Body, name)
	}
	for query, want := range map[string]string{
		"?limt=3":           `unknown parameter \"limt\"`,
		"?limit=0":          "limit must be an integer from 1 to 1000",
		"?offset=-1":        "offset must be an integer from 0",
		"?order=up":         "order must be asc or desc",
		"?where.clientid=1": `where.clientid: no row of saplab/clients has a field \"clientid\"`,
		"?limit=1&limit=2":  "limit is given 2 times",
	} {
		r := m.Do(t, http.MethodGet, "/__admin/state/saplab/clients"+query, nil)
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), want) {
			t.Errorf("%s: %d %s, want 400 saying %s", query, r.Status, r.Body, want)
		}
	}
}

func TestAdminSaplabClient_showsDebtAndGroup(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{})
	r := m.Do(t, http.MethodGet, "/__admin/saplab/clients/1", nil)
	c := envelope(t, r.Body)
	for _, k := range []string{"balance", "debt", "blocked_debt", "group", "name"} {
		if _, ok := c[k]; !ok || r.Status != http.StatusOK {
			t.Fatalf("%d %s lacks %s", r.Status, r.Body, k)
		}
	}
	for _, id := range []string{"999999", "abc"} {
		r := m.Do(t, http.MethodGet, "/__admin/saplab/clients/"+id, nil)
		if want := `{"error":"no saplab client with id \"` + id + `\""}` + "\n"; r.Status != http.StatusNotFound || string(r.Body) != want {
			t.Errorf("client %s: %d %s, want 404 %s", id, r.Status, r.Body, want)
		}
	}
}

func TestConsole_servedOnTheRootOnlyAndNotJournaled(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{Scenario: "empty"})
	page := m.Do(t, http.MethodGet, "/", nil)
	if page.Status != http.StatusOK || !bytes.Contains(page.Body, []byte("<title>mockserver console</title>")) ||
		!strings.Contains(page.Header.Get("Content-Security-Policy"), "connect-src 'self'") {
		t.Fatalf("GET /: %d %s %q", page.Status, page.Header, page.Body)
	}
	for _, asset := range []string{"/console/app.js", "/console/app.css"} {
		if r := m.Do(t, http.MethodGet, asset, nil); r.Status != http.StatusOK || len(r.Body) < 1000 {
			t.Fatalf("%s: %d, %d bytes", asset, r.Status, len(r.Body))
		}
	}
	if n := m.Srv.Journal().Len(); n != 0 {
		t.Fatalf("the console's own files are in the journal: %d entries", n)
	}
	w := envelope(t, m.Do(t, http.MethodPost, "/__admin/worlds", nil).Body)
	if r := m.Do(t, http.MethodGet, w["prefix"].(string)+"/", nil); r.Status != http.StatusNotFound {
		t.Fatalf("a world's / answered %d, want 404: the console is the root's", r.Status)
	}
}
