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

func TestInfo_Vendor(t *testing.T) {
	for api, want := range map[string]bool{"amapi": true, "saplab": true, request.Admin: false, "": false} {
		if got := (&request.Info{API: api}).Vendor(); got != want {
			t.Errorf("Vendor() of %q = %v, want %v", api, got, want)
		}
	}
}
