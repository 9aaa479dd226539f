package strictjson_test

import (
	"testing"

	"github.com/mockserver/mockserver/internal/strictjson"
)

func TestSkipSpace(t *testing.T) {
	for _, c := range []struct {
		in   string
		i    int
		want int
	}{
		{"", 0, 0}, {"x", 0, 0}, {" \t\r\nx", 0, 4}, {"a  ", 1, 3}, {"\u00a0", 0, 0}, {"  ", 5, 5},
	} {
		if got := strictjson.SkipSpace([]byte(c.in), c.i); got != c.want {
			t.Errorf("SkipSpace(%q, %d) = %d, want %d", c.in, c.i, got, c.want)
		}
	}
}

func TestStringEnd(t *testing.T) {
	for _, c := range []struct {
		in   string
		i    int
		want int
	}{
		{`""`, 0, 2}, {`"ab" x`, 0, 4}, {`x "a"`, 2, 5}, {`"a\"b"`, 0, 6}, {`"a\\"b`, 0, 5},
		{`"abc`, 0, -1}, {`"a\"`, 0, -1}, {`"\`, 0, -1},
	} {
		if got := strictjson.StringEnd([]byte(c.in), c.i); got != c.want {
			t.Errorf("StringEnd(%q, %d) = %d, want %d", c.in, c.i, got, c.want)
		}
	}
}
