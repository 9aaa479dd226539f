package redact_test

import (
	"encoding/json"
	"testing"

	"github.com/mockserver/mockserver/internal/redact"
)

func TestQuery(t *testing.T) {
	names := []string{"api_key"}
	cases := []struct{ in, want string }{
		{"", ""},
		{"q=oc47", "q=oc47"},
		{"api_key=demo-key", "api_key=[redacted]"},
		{"q=oc47&api_key=demo-key&page=2", "q=oc47&api_key=[redacted]&page=2"},
		// Every occurrence (Django reads the last), names decoded.
		{"api_key=a&api%5Fkey=b", "api_key=[redacted]&api%5Fkey=[redacted]"},
		// An empty or missing value is no secret; other names untouched.
		{"api_key=&api_key&x=api_key", "api_key=&api_key&x=api_key"},
		{"api_keys=x&my_api_key=y", "api_keys=x&my_api_key=y"},
		{"api_key=%zz&q=1", "api_key=[redacted]&q=1"},
		// Empty parts and a secret last or first are kept in place.
		{"&&api_key=x&", "&&api_key=[redacted]&"},
		{"a=1&&b=2&api_key=x", "a=1&&b=2&api_key=[redacted]"},
		{"api_key=x&&a=1&api_key=y&", "api_key=[redacted]&&a=1&api_key=[redacted]&"},
	}
	for _, c := range cases {
		if got := redact.Query(c.in, names); got != c.want {
			t.Errorf("Query(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestBody(t *testing.T) {
	names := []string{"password", "password_confirmation", "old_password"}
	const mp = "multipart/form-data; boundary=XX"
	cases := []struct{ name, ct, in, want string }{
		{"json login", "application/json",
			`{"email":"a@b.c","password":"s3cr3t-pass"}`,
			`{"email":"a@b.c","password":"[redacted]"}`},
		{"json all three, spaces kept", "application/json",
			`{ "old_password" : "old", "password": "new\"pass", "password_confirmation":"new\"pass" }`,
			`{ "old_password" : "[redacted]", "password": "[redacted]", "password_confirmation":"[redacted]" }`},
		{"json non-string values", "application/json",
			`{"password":12345678,"password_confirmation":true,"x":{"password":null}}`,
			`{"password":"[redacted]","password_confirmation":"[redacted]","x":{"password":"[redacted]"}}`},
		{"json escaped key", "application/json",
			`{"pass\u0077ord":"x"}`, `{"pass\u0077ord":"[redacted]"}`},
		{"json value equal to a name is not a key", "application/json",
			`{"a":"password","b":["password","x"]}`, `{"a":"password","b":["password","x"]}`},
		{"json object value kept, its members looked at", "application/json",
			`{"password":{"password":"x"}}`, `{"password":{"password":"[redacted]"}}`},
		{"broken json redacted as far as read", "application/json",
			`{"password":"abc`, `{"password":"[redacted]"`},
		{"json with no content type", "",
			` {"password":"x"}`, ` {"password":"[redacted]"}`},
		{"form", "application/x-www-form-urlencoded",
			"name=%D0%90&password=secret+pass&status=on", "name=%D0%90&password=[redacted]&status=on"},
		{"form, unknown content type", "text/plain",
			"password=secret", "password=[redacted]"},
		{"multipart", mp,
			"--XX\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nA\r\n--XX\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\nsecret\r\n--XX--\r\n",
			"--XX\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nA\r\n--XX\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\n[redacted]\r\n--XX--\r\n"},
		{"multipart without boundary", "multipart/form-data", "password=x", "password=x"},
		{"nothing secret", "application/json", `{"email":"a@b.c"}`, `{"email":"a@b.c"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := []byte(c.in)
			got := redact.Body(in, c.ct, names)
			if string(got) != c.want {
				t.Fatalf("got  %s\nwant %s", got, c.want)
			}
			if string(in) != c.in {
				t.Fatalf("the request's own body changed: %s", in)
			}
			if json.Valid([]byte(c.in)) && !json.Valid(got) {
				t.Fatalf("valid JSON became invalid: %s", got)
			}
		})
	}
	if got := redact.Body([]byte(`{"password":"x"}`), "application/json", nil); string(got) != `{"password":"x"}` {
		t.Fatalf("no names: %s", got)
	}
}

func TestOmit(t *testing.T) {
	names := []string{"password", "token"}
	cases := []struct{ in, want string }{
		{`{"id":1,"name":"A","password":"$2a$04$x","created_at":"t"}`, `{"id":1,"name":"A","created_at":"t"}`},
		{`{"password":"h","token":"t"}`, `{}`},
		{`{"token":"t","abilities":["*"],"last_used_at":null}`, `{"abilities":["*"],"last_used_at":null}`},
		// A nested member of that name is not the record's own.
		{`{"id":1,"request":{"password":"x"}}`, `{"id":1,"request":{"password":"x"}}`},
		{`{"id":1}`, `{"id":1}`},
		{`["password"]`, `["password"]`},
		{`not json "password"`, `not json "password"`},
	}
	for _, c := range cases {
		if got := redact.Omit([]byte(c.in), names); string(got) != c.want {
			t.Errorf("Omit(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}
