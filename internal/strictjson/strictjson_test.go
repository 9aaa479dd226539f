package strictjson_test

import (
	"testing"

	"github.com/mockserver/mockserver/internal/strictjson"
)

func TestDecode(t *testing.T) {
	type v struct {
		A int `json:"a"`
	}
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{`{"a": 1}`, true},
		{` {"a": 1} ` + "\n", true},
		{`{"b": 1}`, false},
		{`{"a": 1} {"a": 2}`, false},
		{`{"a": 1} x`, false},
		{`{"a": "1"}`, false},
		{``, false},
	} {
		var got v
		err := strictjson.Decode([]byte(tc.in), &got)
		if (err == nil) != tc.ok {
			t.Errorf("Decode(%q) error = %v, want ok %v", tc.in, err, tc.ok)
		}
		if tc.ok && got.A != 1 {
			t.Errorf("Decode(%q) = %+v", tc.in, got)
		}
	}
}
