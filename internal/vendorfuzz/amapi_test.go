package vendorfuzz_test

import (
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/mockserver/mockserver/internal/amapi"
	"github.com/mockserver/mockserver/internal/phpjson"
)

// FuzzDecodeInput feeds arbitrary bodies through request decoding and every
// endpoint's rules: nothing panics, a refusal is one of the body messages,
// and every field message is UTF-8 that encodes.
func FuzzDecodeInput(f *testing.F) {
	files, _ := filepath.Glob("../amapi/testdata/examples/*.http")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			if i := indexBody(data); i >= 0 {
				f.Add(data[i:])
			}
		}
	}
	for _, s := range []string{``, `{}`, `[]`, `null`, `{"items":[{},null,1,{"price":1e400,"quantity":"1.5"}]}`,
		`{"address":[],"deliveryType":"address","password":"x","password_confirmation":["x"]}`, "{\"a\":\"\xff\"}"} {
		f.Add([]byte(s))
	}
	rules := [][]amapi.Field{amapi.RegisterRules, amapi.LoginRules, amapi.ChangePasswordRules,
		amapi.CreateOrderRules, amapi.BuyClickRules, amapi.CallbackRules}
	// The fields each handler reads as strings once its rules pass.
	strs := [][]string{{"name", "email", "password"}, {"email", "password"}, {"email", "old_password", "password"}, nil, nil, nil}
	known := map[string]bool{amapi.MsgBodyNotJSON: true, amapi.MsgBodyNotObject: true, amapi.MsgBodyNotUTF8: true}
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := amapi.DecodeInput(body)
		if err != nil {
			if !known[err.Error()] {
				t.Fatalf("unexpected refusal %q", err)
			}
			return
		}
		for i, r := range rules {
			check := func(string) string { return "" }
			msgs := amapi.Validate(in, r, amapi.Checks{"email": check, "old_password": check})
			if len(msgs) == 0 {
				for _, k := range strs[i] {
					if _, ok := in[k].(string); !ok {
						t.Fatalf("rules %d passed with %s = %#v", i, k, in[k])
					}
				}
			}
			for _, m := range msgs {
				if !utf8.ValidString(m) {
					t.Fatalf("message not UTF-8: %q", m)
				}
			}
			if _, err := phpjson.Marshal(msgs); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func indexBody(data []byte) int {
	for i := 0; i+1 < len(data); i++ {
		if data[i] == '\n' && data[i+1] == '\n' {
			return i + 2
		}
	}
	return -1
}
