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
