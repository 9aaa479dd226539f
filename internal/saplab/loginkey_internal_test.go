package saplab

import (
	"crypto/sha256"
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
		if got, want := loginKey(tc.digits, tc.pw), sha256.Sum256([]byte(tc.digits+"\x00"+tc.pw)); got != want {
			t.Errorf("loginKey(%q, %d bytes) = %x, want %x", tc.digits, len(tc.pw), got, want)
		}
	}
}
