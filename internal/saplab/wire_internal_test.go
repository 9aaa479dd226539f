package saplab

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
)

// TestWriteJSON: writeJSON writes what echo's JSONBlob writes (the
// Content-Type application/json unless one is set, the status, the body),
// and leaves the shared value it sets as it was.
func TestWriteJSON(t *testing.T) {
	e := echo.New()
	for _, preset := range []string{"", "text/plain"} {
		got, want := httptest.NewRecorder(), httptest.NewRecorder()
		for _, w := range []*httptest.ResponseRecorder{got, want} {
			if preset != "" {
				w.Header().Set("Content-Type", preset)
			}
		}
		writeJSON(e.NewContext(httptest.NewRequest("GET", "/", nil), got), http.StatusTeapot, []byte(`{"a":1}`))
		_ = e.NewContext(httptest.NewRequest("GET", "/", nil), want).JSONBlob(http.StatusTeapot, []byte(`{"a":1}`))
		if got.Code != want.Code || got.Body.String() != want.Body.String() ||
			got.Header().Get("Content-Type") != want.Header().Get("Content-Type") || len(got.Header()) != len(want.Header()) {
			t.Errorf("preset %q: %d %v %q, JSONBlob %d %v %q", preset, got.Code, got.Header(), got.Body, want.Code, want.Header(), want.Body)
		}
	}
	if len(jsonType) != 1 || jsonType[0] != echo.MIMEApplicationJSON {
		t.Fatalf("jsonType changed: %q", jsonType)
	}
}
