package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/request"
)

func TestBody(t *testing.T) {
	e := echo.New()
	// Under the server: the bytes it kept, not a second read of the stream.
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("stream"))
	c := e.NewContext(req, httptest.NewRecorder())
	request.Attach(c, &request.Info{Body: []byte("kept")})
	if b, err := api.Body(c); err != nil || string(b) != "kept" {
		t.Fatalf("with the server's copy: %q, %v", b, err)
	}
	// Alone: the handler reads the body itself.
	c = e.NewContext(httptest.NewRequest(http.MethodPost, "/", strings.NewReader("stream")), httptest.NewRecorder())
	if b, err := api.Body(c); err != nil || string(b) != "stream" {
		t.Fatalf("without the server: %q, %v", b, err)
	}
	c = e.NewContext(httptest.NewRequest(http.MethodGet, "/", nil), httptest.NewRecorder())
	if b, err := api.Body(c); err != nil || b != nil {
		t.Fatalf("no body: %q, %v", b, err)
	}
}

// TestWriteJSON: WriteJSON writes what echo's JSONBlob writes (the
// Content-Type application/json unless one is set, the status, the body,
// no other header), and a later Add to one answer's Content-Type does not
// reach the next answer through the shared value.
func TestWriteJSON(t *testing.T) {
	e := echo.New()
	for _, preset := range []string{"", "text/plain"} {
		got, want := httptest.NewRecorder(), httptest.NewRecorder()
		for _, w := range []*httptest.ResponseRecorder{got, want} {
			if preset != "" {
				w.Header().Set(echo.HeaderContentType, preset)
			}
		}
		api.WriteJSON(e.NewContext(httptest.NewRequest(http.MethodGet, "/", nil), got), http.StatusTeapot, []byte(`{"a":1}`))
		_ = e.NewContext(httptest.NewRequest(http.MethodGet, "/", nil), want).JSONBlob(http.StatusTeapot, []byte(`{"a":1}`))
		if got.Code != want.Code || got.Body.String() != want.Body.String() ||
			got.Header().Get(echo.HeaderContentType) != want.Header().Get(echo.HeaderContentType) || len(got.Header()) != len(want.Header()) {
			t.Errorf("preset %q: %d %v %q, JSONBlob %d %v %q", preset, got.Code, got.Header(), got.Body, want.Code, want.Header(), want.Body)
		}
		got.Header().Add(echo.HeaderContentType, "x/y")
	}
	next := httptest.NewRecorder()
	api.WriteJSON(e.NewContext(httptest.NewRequest(http.MethodGet, "/", nil), next), http.StatusOK, nil)
	if v := next.Header()[echo.HeaderContentType]; len(v) != 1 || v[0] != echo.MIMEApplicationJSON {
		t.Fatalf("the next answer's Content-Type: %q", v)
	}
}
