package carreta

import (
	"encoding/json"
	"testing"
)

// jsonString reads what encoding/json reads, with or without escapes, and
// refuses what is not a string.
func TestJSONString(t *testing.T) {
	for _, raw := range []string{
		`""`, `"OC47"`, `"Фильтр масляный"`, `"a\"b"`, `"\u0041\n"`, `"\\"`, `"tab\tand slash\/"`,
		`"\ud83d\ude00"`, `"\u00e9"`, "\"\u007f\"",
	} {
		var want string
		if err := json.Unmarshal([]byte(raw), &want); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		if got, ok := jsonString(json.RawMessage(raw)); !ok || got != want {
			t.Errorf("jsonString(%s) = %q, %v; want %q", raw, got, ok, want)
		}
	}
	for _, raw := range []string{`1`, `true`, `{}`, `[]`, `1.5`, `"`} {
		if got, ok := jsonString(json.RawMessage(raw)); ok {
			t.Errorf("jsonString(%s) = %q, true; want false", raw, got)
		}
	}
}
