package request_test

import (
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/request"
)

func TestFrom(t *testing.T) {
	c := echo.New().NewContext(httptest.NewRequest("GET", "/", nil), httptest.NewRecorder())
	if request.From(c) != nil {
		t.Fatal("an Info before any was attached")
	}
	i := &request.Info{API: "carreta"}
	request.Attach(c, i)
	if request.From(c) != i {
		t.Fatal("From does not return the attached Info")
	}
}

// TestCarry: the carrying context gives From its Info, and its Error hands
// the error handler the carrying context itself, so the renderer finds the
// Info too.
func TestCarry(t *testing.T) {
	e := echo.New()
	var rendered *request.Info
	e.HTTPErrorHandler = func(_ error, c echo.Context) { rendered = request.From(c) }
	c := e.NewContext(httptest.NewRequest("GET", "/", nil), httptest.NewRecorder())
	i := &request.Info{API: "saplab"}
	var into request.Context
	cc := request.Carry(&into, c, i)
	if request.From(cc) != i {
		t.Fatal("From does not return the carried Info")
	}
	if request.From(c) != nil {
		t.Fatal("the context underneath has an Info: Carry set its store")
	}
	cc.Error(echo.ErrNotFound)
	if rendered != i {
		t.Fatalf("the error handler saw Info %v, want the carried one", rendered)
	}
}

func TestInfo_Vendor(t *testing.T) {
	for api, want := range map[string]bool{"amapi": true, "saplab": true, request.Admin: false, "": false} {
		if got := (&request.Info{API: api}).Vendor(); got != want {
			t.Errorf("Vendor() of %q = %v, want %v", api, got, want)
		}
	}
}
