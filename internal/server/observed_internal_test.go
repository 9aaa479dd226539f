package server

import (
	"net"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/request"
)

// TestObserved_doneClearsEveryField: a pooled observed value goes back
// with every field zero, so nothing of one request (its owner, prefix,
// body, fault, taken-over connection, fixed answer, the context it
// carried, the answer the tap kept) reaches the next request's log line
// or journal entry; the check is on the whole value, by reflection, so a
// field added later is covered too.
func TestObserved_doneClearsEveryField(t *testing.T) {
	o := newObserved()
	o.info = request.Info{API: "carreta", Prefix: "/w/x", Body: []byte("b"), Fault: "f", Conn: &net.TCPConn{}, Fixed: []byte("a")}
	c := echo.New().NewContext(httptest.NewRequest("GET", "/", nil), httptest.NewRecorder())
	request.Carry(&o.ctx, c, &o.info)
	o.tap = tap{ResponseWriter: httptest.NewRecorder(), str: "s", buf: []byte("k"), size: 3, head: true, fixed: true, info: &o.info}
	v := reflect.ValueOf(o).Elem()
	for i := range v.NumField() {
		for j := range v.Field(i).NumField() {
			if v.Field(i).Field(j).IsZero() {
				t.Fatalf("the test leaves observed.%s.%s zero: set it", v.Type().Field(i).Name, v.Field(i).Type().Field(j).Name)
			}
		}
	}
	o.done()
	// o is read after done only here, on this goroutine, to see what the
	// pool was handed.
	for i := range v.NumField() {
		if !v.Field(i).IsZero() {
			t.Errorf("done left observed.%s = %+v", v.Type().Field(i).Name, v.Field(i))
		}
	}
}
