package carreta

import (
	"strings"
	"testing"
)

// TestKeySums: the api keys' memo answers keyHash, the first time and
// again, for a key it holds and for one too long to hold.
func TestKeySums(t *testing.T) {
	for _, k := range []string{"", "demo-key", "demo-kez", strings.Repeat("k", 129)} {
		for range 2 {
			if got, want := keySums.Get(k, keySum), keyHash(k); got != want {
				t.Fatalf("keySums(%q) = %x, want %x", k, got, want)
			}
		}
	}
}

// TestEscaped is strings.ContainsAny(s, "%+") on names and values,
// multi-byte and invalid UTF-8 among them.
func TestEscaped(t *testing.T) {
	for _, s := range []string{"", "api_key", "a%20b", "a+b", "%", "+", "ключ", "ключ+", "\xff%", "\xff", "q=oc47"} {
		if got, want := escaped(s), strings.ContainsAny(s, "%+"); got != want {
			t.Errorf("escaped(%q) = %v, want %v", s, got, want)
		}
	}
}
