package server

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/journal"
)

// A handler that panics must not kill the process nor leak an HTML page: the
// client gets the owning API's error envelope.
func TestPanic_isRecoveredInTheAPIsShape(t *testing.T) {
	t.Parallel()
	s, err := New(Config{DB: filepath.Join(t.TempDir(), "s.db")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	boom := func(echo.Context) error { panic("boom") }
	s.echo.GET("/v1/boom/", boom, s.gated)
	s.echo.GET("/panel/boom", boom, s.gated)
	for path, key := range map[string]string{"/v1/boom/": `"error": `, "/panel/boom": `"status":"error"`} {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusInternalServerError {
			t.Fatalf("%s: status %d", path, rec.Code)
		}
		if !strings.Contains(rec.Body.String(), key) || !strings.HasPrefix(rec.Header().Get("Content-Type"), echo.MIMEApplicationJSON) {
			t.Fatalf("%s: %q is not the API's JSON envelope", path, rec.Body.String())
		}
		if s.Journal().Count(journal.Filter{Path: path}) != 1 {
			t.Fatalf("%s: the panicking request was not journaled", path)
		}
	}
}
