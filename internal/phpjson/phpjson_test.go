package phpjson_test

import (
	"bytes"
	"testing"
	"unicode/utf8"

	"github.com/mockserver/mockserver/internal/phpjson"
)

func TestMarshal(t *testing.T) {
	cases := []struct {
		name string
		in   any
		want string
	}{
		{"cyrillic and slash", map[string]string{"message": "Неправильный логин (электронная почта) и/или пароль."},
			`{"message":"\u041d\u0435\u043f\u0440\u0430\u0432\u0438\u043b\u044c\u043d\u044b\u0439 \u043b\u043e\u0433\u0438\u043d (\u044d\u043b\u0435\u043a\u0442\u0440\u043e\u043d\u043d\u0430\u044f \u043f\u043e\u0447\u0442\u0430) \u0438\/\u0438\u043b\u0438 \u043f\u0430\u0440\u043e\u043b\u044c."}`},
		{"astral plane as surrogate pair", "😀", `"\ud83d\ude00"`},
		{"html is not escaped", "<a href=\"x\">&</a>", `"<a href=\"x\">&<\/a>"`},
		{"controls", "a\nb\tc\x01", `"a\nb\tc\u0001"`},
		{"key order kept", phpjson.Object{{"status", "error"}, {"email", "x"}, {"phone", nil}},
			`{"status":"error","email":"x","phone":null}`},
		{"struct order kept", struct {
			B bool   `json:"signedUp"`
			T string `json:"token"`
		}{true, "2|x"}, `{"signedUp":true,"token":"2|x"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := phpjson.Marshal(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Fatalf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

// Escape's fast paths must agree with the plain rune-by-rune definition.
func FuzzEscape(f *testing.F) {
	f.Add([]byte(`{"name":"Фильтр масляный 3/64Gb","x":"😀é\xc3"}`))
	f.Fuzz(func(t *testing.T, src []byte) {
		var want []byte
		for i := 0; i < len(src); {
			c := src[i]
			if c < utf8.RuneSelf {
				if c == '/' {
					want = append(want, '\\', '/')
				} else {
					want = append(want, c)
				}
				i++
				continue
			}
			r, size := utf8.DecodeRune(src[i:])
			want = phpjson.AppendRuneEscape(want, r)
			i += size
		}
		if got := phpjson.Escape(nil, src); !bytes.Equal(got, want) {
			t.Fatalf("Escape(%q) = %q, want %q", src, got, want)
		}
	})
}
