package redact

import (
	"encoding/json"
	"slices"
	"testing"
)

// FuzzNamed: named's byte comparison of an unescaped key agrees with
// decoding the key, for the vendors' secret names.
func FuzzNamed(f *testing.F) {
	for _, s := range []string{`"password"`, `"api_key"`, `"pass\u0077ord"`, "\"a\x01\"", "\"password\xff\"", `"_"`, `""`} {
		f.Add(s)
	}
	names := []string{"password", "password_confirmation", "old_password", "api_key", "_"}
	f.Fuzz(func(t *testing.T, key string) {
		if len(key) < 2 || key[0] != '"' || key[len(key)-1] != '"' {
			return
		}
		var s string
		want := json.Unmarshal([]byte(key), &s) == nil && slices.Contains(names, s)
		if got := named([]byte(key), names); got != want {
			t.Errorf("named(%q) = %v, decoding says %v", key, got, want)
		}
	})
}
