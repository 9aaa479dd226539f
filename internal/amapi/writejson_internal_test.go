package amapi

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
)

// TestWriteJSON: writeJSON answers as echo's Blob with application/json:
// the status, the body, and the Content-Type unless one is already set; a
// later Add to the header does not write the shared value.
func TestWriteJSON(t *testing.T) {
	e := echo.New()
	for _, preset := range []string{"", "text/plain"} {
		rec := httptest.NewRecorder()
		c := e.NewContext(httptest.NewRequest(http.MethodGet, "/api/test", nil), rec)
		if preset != "" {
			c.Response().Header().Set(echo.HeaderContentType, preset)
		}
		writeJSON(c, http.StatusTeapot, []byte(`{"a":1}`))
		want := preset
		if want == "" {
			want = echo.MIMEApplicationJSON
		}
		if rec.Code != http.StatusTeapot || rec.Body.String() != `{"a":1}` || rec.Header().Get(echo.HeaderContentType) != want {
			t.Fatalf("preset %q: %d %q %q", preset, rec.Code, rec.Body, rec.Header())
		}
		c.Response().Header().Add(echo.HeaderContentType, "x/y")
	}
	if len(jsonType) != 1 || jsonType[0] != echo.MIMEApplicationJSON {
		t.Fatalf("the shared Content-Type changed: %q", jsonType)
	}
}
