package request_test

import (
	"testing"

	"github.com/mockserver/mockserver/internal/request"
)

// Fixes holds for the very bytes declared with Fix, not for a copy of
// them, a part of them, or on an Info that has none.
func TestInfo_Fixes(t *testing.T) {
	body := []byte(`{"objects": []}`)
	var i request.Info
	if i.Fixes(body) {
		t.Fatal("nothing was declared, yet Fixes holds")
	}
	i.Fix(body)
	cases := []struct {
		name string
		b    []byte
		want bool
	}{
		{"the same bytes", body, true},
		{"a copy", append([]byte(nil), body...), false},
		{"the first half", body[:len(body)/2], false},
		{"empty", body[:0], false},
	}
	for _, c := range cases {
		if got := i.Fixes(c.b); got != c.want {
			t.Errorf("%s: Fixes %v, want %v", c.name, got, c.want)
		}
	}
	var none *request.Info
	none.Fix(body) // a handler run without the server: no Info, no panic
	if none.Fixes(body) {
		t.Error("a nil Info fixes bytes")
	}
}
