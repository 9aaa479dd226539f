package server_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mockserver/mockserver/internal/server"
)

// lockedBuffer is a log destination safe for the server's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.WriteString(string(p))
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// A JSON request log line gives duration_ms as a number of milliseconds;
// the journal's times are in the server clock's zone, Moscow, as every
// vendor time is.
func TestLogs_durationMSAndMoscowJournal(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer
	srv, err := server.New(server.Config{DB: filepath.Join(t.TempDir(), "s.db"), Scenario: ""}, slog.New(slog.NewJSONHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	resp, err := http.Get(ts.URL + "/v1/search/?q=oc47&api_key=demo-key")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var line map[string]any
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, `"msg":"request"`) {
			if err := json.Unmarshal([]byte(l), &line); err != nil {
				t.Fatal(err)
			}
		}
	}
	if ms, ok := line["duration_ms"].(float64); !ok || ms < 0 || line["duration"] != nil {
		t.Fatalf("request log line: %v", line)
	}
	resp, err = http.Get(ts.URL + "/__admin/requests")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var journal struct{ Requests []struct{ Time string } }
	if err := json.NewDecoder(resp.Body).Decode(&journal); err != nil || len(journal.Requests) != 1 {
		t.Fatalf("journal: %v %v", err, journal)
	}
	entries := journal.Requests
	if !strings.HasSuffix(entries[0].Time, "+03:00") {
		t.Fatalf("journal time %q is not in Moscow time", entries[0].Time)
	}
}
