package strictjson_test

import (
	"testing"

	"github.com/mockserver/mockserver/internal/strictjson"
)

func TestLoneSurrogate(t *testing.T) {
	cases := []struct {
		in   string
		want bool
	}{
		{`{"a":"\ud800"}`, true},
		{`{"a":"x\uDBFFy"}`, true},
		{`{"a":"\udc00"}`, true},
		{`{"\ud800":1}`, true},
		{`{"a":"\ud800\u0041"}`, true},
		{`{"a":"\ud800\\udc00"}`, true}, // an escaped backslash, then text
		{`{"a":"\ud83d\ude00"}`, false}, // a pair: 😀
		{`{"a":"\u0041\u00e9"}`, false},
		{`{"a":"\\ud800"}`, false}, // an escaped backslash and text
		{`{"a":"😀"}`, false},
		{`{"a":"\ud800`, true},
		{`{"a":"\u12"}`, false}, // malformed: the decoder's to refuse
		{`\ud800`, false},       // not in a string
		{``, false},
	}
	for _, c := range cases {
		if got := strictjson.LoneSurrogate([]byte(c.in)); got != c.want {
			t.Errorf("LoneSurrogate(%s) = %v, want %v", c.in, got, c.want)
		}
	}
}
