package redact_test

import (
	"testing"

	"github.com/mockserver/mockserver/internal/redact"
)

// TestJSON_keysAsTheyDecode: a member's name matches as JSON decodes it,
// escaped or not; a key with a control byte or invalid UTF-8 matches no
// name (JSON refuses or changes it).
func TestJSON_keysAsTheyDecode(t *testing.T) {
	names := []string{"password", "_"}
	for body, want := range map[string]string{
		`{"password":"x","name":"y"}`:         `{"password":"` + redact.Marker + `","name":"y"}`,
		`{"pass\u0077ord":"x"}`:               `{"pass\u0077ord":"` + redact.Marker + `"}`,
		`{"\u005f":1,"__":2}`:                 `{"\u005f":"` + redact.Marker + `","__":2}`,
		"{\"pass\x01word\":\"x\"}":            "{\"pass\x01word\":\"x\"}",
		"{\"password\xff\":\"x\"}":            "{\"password\xff\":\"x\"}",
		`{"Password":"x","passwords":"y"}`:    `{"Password":"x","passwords":"y"}`,
		`{"a":{"password":true},"_":[1,"2"]}`: `{"a":{"password":"` + redact.Marker + `"},"_":[1,"2"]}`,
	} {
		if got := string(redact.JSON([]byte(body), names)); got != want {
			t.Errorf("JSON(%s) = %s, want %s", body, got, want)
		}
	}
}
