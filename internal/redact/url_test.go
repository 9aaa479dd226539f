package redact

import (
	"strings"
	"testing"
)

// URL redacts the named parameters wherever a URL carries a
// query a page reads: its query, and a fragment's own query or pairs (a
// client-side route, "#/search?api_key=", or an implicit grant's
// "#access_token="), which a client that sets the header itself (not a
// browser) keeps. Everything else, and a value without a secret, is kept
// as sent.
func TestURL(t *testing.T) {
	t.Parallel()
	names := []string{"api_key"}
	for _, c := range []struct{ in, want string }{
		{"http://h/p", "http://h/p"},
		{"http://h/p?q=1", "http://h/p?q=1"},
		{"http://h/p?api_key=S", "http://h/p?api_key=[redacted]"},
		{"http://h/p?api_key=S&api_key=T", "http://h/p?api_key=[redacted]&api_key=[redacted]"},
		{"http://h/p?api%5Fkey=S", "http://h/p?api%5Fkey=[redacted]"},
		{"http://h/p?api_key=", "http://h/p?api_key="},
		{"http://h/p?api_key=a+b#top", "http://h/p?api_key=[redacted]#top"},
		{"http://h/p#/r?api_key=S", "http://h/p#/r?api_key=[redacted]"},
		{"http://h/p?lang=ru#/r?api_key=S", "http://h/p?lang=ru#/r?api_key=[redacted]"},
		{"http://h/p?api_key=S#/r?api_key=T", "http://h/p?api_key=[redacted]#/r?api_key=[redacted]"},
		{"http://h/p#api_key=S&x=1", "http://h/p#api_key=[redacted]&x=1"},
		{"http://h/p#top", "http://h/p#top"},
		{"/v1/profile/?api_key=S", "/v1/profile/?api_key=[redacted]"},
	} {
		if got := URL(c.in, names); got != c.want {
			t.Errorf("URL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// HasQueryOrFragment holds for a value with a "?" or a "#" anywhere, and
// only then, as strings.ContainsAny(v, "?#") did.
func TestHasQueryOrFragment(t *testing.T) {
	for _, v := range []string{"", "/", "/v1/order/189333/history/", "?", "#", "/p?q", "/p#f", "/p#f?q",
		"http://shop.example/?api_key=k", "%3F", "/a/b/c/d/e/f/g/h/i?", "ü?", "🙂#"} {
		if got, want := HasQueryOrFragment(v), strings.ContainsAny(v, "?#"); got != want {
			t.Errorf("HasQueryOrFragment(%q) = %v, want %v", v, got, want)
		}
	}
}
