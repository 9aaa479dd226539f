package strictjson_test

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/mockserver/mockserver/internal/strictjson"
)

var tokens = []string{
	`""`, `"plain"`, `"\u0424\u0438\u043b\u044c\u0442\u0440"`, `"a\"b\\c\/d\b\f\n\r\t"`, `"\ud83d\ude97 car"`,
	`"\ud83d lone"`, `"\ude97"`, `"\ud83d\u0041"`, `"\u00e9\u0301"`, `"\'"`, `"\x"`, `"\u12"`, `"\u12g4"`,
	"\"ctl\x01\"", "\"bad\xff\"", `"a"b"`, `"\"`, `noquote`, `"`, `"Фильтр"`,
}

func TestUnquote(t *testing.T) {
	for _, raw := range tokens {
		checkUnquote(t, raw)
	}
}

func FuzzUnquote(f *testing.F) {
	for _, raw := range tokens {
		f.Add(raw)
	}
	f.Fuzz(checkUnquote)
}

// checkUnquote: whatever Unquote reads, json.Unmarshal reads the same.
func checkUnquote(t *testing.T, raw string) {
	got, ok := strictjson.Unquote([]byte(raw))
	var want string
	err := json.Unmarshal([]byte(raw), &want)
	if ok && (err != nil || got != want) {
		t.Errorf("Unquote(%q) = %q; json.Unmarshal %q, %v", raw, got, want, err)
	}
	quoted := len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"'
	if !ok && err == nil && quoted && utf8.ValidString(raw) && !hasControl(raw) {
		t.Errorf("Unquote(%q) left a valid token to json.Unmarshal", raw)
	}
}

func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' {
			return true
		}
	}
	return false
}
