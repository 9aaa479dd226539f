package gojson

import (
	"encoding/json"
	"testing"
	"time"
	"unicode/utf8"
)

// marshal is json.Marshal's bytes of v, or nil when it fails.
func marshal(t testing.TB, v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return data
}

var strings = []string{
	"", "plain", `quote " and \ backslash`, "<script>&amp;</script>",
	"\b\f\n\r\t\x00\x01\x1f\x7f", "Фильтр масляный № 1", "line\u2028para\u2029end",
	"bad \xff byte", "\xc3", "\xed\xa0\x80 surrogate", "emoji 🚗", "/slash", "\u00e9\u0301",
}

func TestAppendString(t *testing.T) {
	for _, s := range strings {
		if got, want := string(AppendString(nil, s)), string(marshal(t, s)); got != want {
			t.Errorf("AppendString(%q) = %s, json.Marshal %s", s, got, want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range strings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(AppendString([]byte("x"), s)), "x"+string(marshal(t, s)); got != want {
			t.Errorf("AppendString(%q) = %s, json.Marshal %s", s, got, want)
		}
	})
}

func TestAppendTime(t *testing.T) {
	msk := time.FixedZone("MSK", 3*3600)
	for _, tm := range []time.Time{
		{}, time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 16, 0, 0, 123456789, msk),
		time.Date(2026, 12, 1, 16, 0, 0, 120000000, time.FixedZone("", -90*60)),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", 24*3600)),
	} {
		got, ok := AppendTime(nil, tm)
		want := marshal(t, tm)
		if ok != (want != nil) || ok && string(got) != string(want) {
			t.Errorf("AppendTime(%v) = %s, %v; json.Marshal %s", tm, got, ok, want)
		}
	}
}

func TestKey(t *testing.T) {
	if got := string(Key(Key([]byte("{"), "a"), "b_2")); got != `{"a":,"b_2":` {
		t.Errorf("Key = %s", got)
	}
}

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
	got, ok := Unquote([]byte(raw))
	var want string
	err := json.Unmarshal([]byte(raw), &want)
	if ok && (err != nil || got != want) {
		t.Errorf("Unquote(%q) = %q; json.Unmarshal %q, %v", raw, got, want, err)
	}
	quoted := len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"'
	if !ok && err == nil && quoted && utf8Valid(raw) && !hasControl(raw) {
		t.Errorf("Unquote(%q) left a valid token to json.Unmarshal", raw)
	}
}

func utf8Valid(s string) bool { return utf8.ValidString(s) }

func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' {
			return true
		}
	}
	return false
}
