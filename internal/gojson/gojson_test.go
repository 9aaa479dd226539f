package gojson

import (
	"encoding/json"
	"testing"
	"time"
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
