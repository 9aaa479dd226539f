package saplab

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
)

// TestLoginKey: the login cache's key is SHA-256 of the digits, a NUL and
// the password, for credentials that fit the stack buffer and for longer
// ones.
func TestLoginKey(t *testing.T) {
	for _, tc := range []struct{ digits, pw string }{
		{"9990000000", "demo"},
		{"", ""},
		{"9990000000", strings.Repeat("p", 300)},
	} {
		if got, want := loginKey(tc.digits, []byte(tc.pw)), sha256.Sum256([]byte(tc.digits+"\x00"+tc.pw)); got != want {
			t.Errorf("loginKey(%q, %d bytes) = %x, want %x", tc.digits, len(tc.pw), got, want)
		}
	}
}

// TestBasicAuth: basicAuth gives what net/http's Request.BasicAuth gives,
// for credentials that fit the stack buffer and for longer ones, and
// refuses what it refuses (another scheme, a scheme folded outside ASCII,
// bad base64, no colon).
func TestBasicAuth(t *testing.T) {
	long := base64.StdEncoding.EncodeToString([]byte("79990000000:" + strings.Repeat("p", 300)))
	for _, auth := range []string{
		"Basic Nzk5OTAwMDAwMDA6ZGVtbw==", // 79990000000:demo
		"basic Nzk5OTAwMDAwMDA6ZGVtbw==",
		"BASIC Nzk5OTAwMDAwMDA6ZGVtbw==",
		"Basic " + long,
		"Basic " + base64.StdEncoding.EncodeToString([]byte(":")),
		"Basic " + base64.StdEncoding.EncodeToString([]byte("a:b:c")),
		"Basic " + base64.StdEncoding.EncodeToString([]byte("no-colon")),
		"Basic ",
		"Basic",
		"",
		"Bearer Nzk5OTAwMDAwMDA6ZGVtbw==",
		"Baſic Nzk5OTAwMDAwMDA6ZGVtbw==",
		"Basic Nzk5OTAwMDAwMDA6ZGVtbw",
		"Basic  Nzk5OTAwMDAwMDA6ZGVtbw==",
		"Basic Nzk5OTAwMDAwMDA6ZGVtbw==\n",
		"Basic !!!!",
	} {
		r := &http.Request{Header: http.Header{"Authorization": {auth}}}
		wantLogin, wantPw, wantOK := r.BasicAuth()
		var buf [basicAuthBuf]byte
		login, pw, ok := basicAuth(auth, buf[:])
		if string(login) != wantLogin || string(pw) != wantPw || ok != wantOK {
			t.Errorf("basicAuth(%.40q) = %q, %.20q, %v; net/http gives %q, %.20q, %v",
				auth, login, pw, ok, wantLogin, wantPw, wantOK)
		}
	}
}

// TestAsciiEqualFold: only ASCII letters are folded.
func TestAsciiEqualFold(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"Basic ", "Basic ", true},
		{"bAsIc ", "Basic ", true},
		{"Basic", "Basic ", false},
		{"Baſic ", "Basic ", false},
		{"Basic_", "Basic ", false},
		{"", "", true},
		{"[", "{", false},
	} {
		if got := asciiEqualFold(tc.a, tc.b); got != tc.want {
			t.Errorf("asciiEqualFold(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// FuzzBasicAuth: for any Authorization value, basicAuth gives what
// net/http's Request.BasicAuth gives (the login, the password, whether
// they were there), so a panel login is accepted and refused as before
// and its answer is the same bytes. Seeded with the table's cases and the
// edges of the stack buffer.
func FuzzBasicAuth(f *testing.F) {
	for _, s := range []string{
		"", "Basic", "Basic ", "basic Og==", "BASIC YTpi", "Bearer YTpi", "Baſic YTpi",
		"Basic Nzk5OTAwMDAwMDA6ZGVtbw==", "Basic Nzk5OTAwMDAwMDA6ZGVtbw", "Basic  YTpi",
		"Basic YTpi\n", "Basic YT\r\npi", "Basic !!!!", "Basic bm8tY29sb24=",
		"Basic " + base64.StdEncoding.EncodeToString([]byte("логин:пароль")),
		"Basic " + base64.StdEncoding.EncodeToString([]byte("\xff\xfe:\x00")),
		"Basic " + base64.StdEncoding.EncodeToString([]byte(strings.Repeat("a", 140)+":")),
		"Basic " + base64.StdEncoding.EncodeToString([]byte(strings.Repeat("a", 400)+":b")),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, auth string) {
		r := &http.Request{Header: http.Header{"Authorization": {auth}}}
		wantLogin, wantPw, wantOK := r.BasicAuth()
		var buf [basicAuthBuf]byte
		login, pw, ok := basicAuth(auth, buf[:])
		if string(login) != wantLogin || string(pw) != wantPw || ok != wantOK {
			t.Fatalf("basicAuth(%q) = %q, %q, %v; net/http gives %q, %q, %v", auth, login, pw, ok, wantLogin, wantPw, wantOK)
		}
	})
}
