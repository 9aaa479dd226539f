package phpform_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/saplab/phpform"
)

// dump prints a value as PHP's var_export would order it, compactly:
// strings quoted, arrays as [k=>v,...].
func dump(v *phpform.Value) string {
	if !v.IsArray() {
		return fmt.Sprintf("%q", v.String())
	}
	parts := make([]string, 0, len(v.Keys()))
	for _, k := range v.Keys() {
		parts = append(parts, k+"=>"+dump(v.Get(k)))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func TestParseQuery(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "name=Web&discount=1", `[name=>"Web",discount=>"1"]`},
		{"last plain value wins in the first slot", "a=1&b=2&a=3", `[a=>"3",b=>"2"]`},
		{"nested keys", "wholesalers[inn]=123&wholesalers[kpp]=456", `[wholesalers=>[inn=>"123",kpp=>"456"]]`},
		{"append", "a[]=x&a[]=y", `[a=>[0=>"x",1=>"y"]]`},
		{"append after an integer key", "a[5]=x&a[]=y", `[a=>[5=>"x",6=>"y"]]`},
		{"append after a string key starts at 0", "a[k]=x&a[]=y", `[a=>[k=>"x",0=>"y"]]`},
		{"deep nesting", "a[b][c][]=1", `[a=>[b=>[c=>[0=>"1"]]]]`},
		{"plain replaced by array", "a=1&a[k]=2", `[a=>[k=>"2"]]`},
		{"array replaced by plain", "a[k]=2&a=1", `[a=>"1"]`},
		{"plus and percent decode", "name=%D0%9D%D0%BE%D0%B2%D1%8B%D0%B9+%D1%81%D0%BF%D0%BE%D1%81%D0%BE%D0%B1", `[name=>"Новый способ"]`},
		{"raw utf-8 as curl --data sends it", "name=Новый способ&min_price=1000", `[name=>"Новый способ",min_price=>"1000"]`},
		{"invalid percent kept literally", "a=100%&b=%zz", `[a=>"100%",b=>"%zz"]`},
		{"encoded brackets nest", "w%5Binn%5D=1", `[w=>[inn=>"1"]]`},
		{"no equals sign is an empty value", "status&x=1", `[status=>"",x=>"1"]`},
		{"empty pairs skipped", "&&a=1&", `[a=>"1"]`},
		{"dots and spaces in names become underscores", "a.b=1&c d=2", `[a_b=>"1",c_d=>"2"]`},
		{"leading spaces dropped", "  a=1", `[a=>"1"]`},
		{"unclosed bracket becomes underscore", "a[b=1", `[a_b=>"1"]`},
		{"empty name ignored", "=1&[a]=2&[b=3", `[]`},
		{"text after the last bracket ignored", "a[b]c=1", `[a=>[b=>"1"]]`},
		{"dots inside brackets kept", "a[b.c]=1", `[a=>[b.c=>"1"]]`},
		{"value with equals signs", "a=b=c", `[a=>"b=c"]`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := phpform.ParseQuery(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := dump(v); got != tc.want {
				t.Fatalf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestParseQuery_rejects(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want error
	}{
		{"invalid utf-8 in a value", "a=%ff%fe", phpform.ErrInvalidUTF8},
		{"invalid utf-8 in a name", "%c3=1", phpform.ErrInvalidUTF8},
		{"too many fields", strings.Repeat("a[]=1&", phpform.MaxVars+1), phpform.ErrTooManyVars},
		{"too deep", "a" + strings.Repeat("[x]", phpform.MaxNesting+1) + "=1", phpform.ErrTooDeep},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := phpform.ParseQuery(tc.in)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestParseBody(t *testing.T) {
	mp := "--XX\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nWeb\r\n" +
		"--XX\r\nContent-Disposition: form-data; name=\"w[inn]\"\r\n\r\n123\r\n" +
		"--XX\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n\r\nfile\r\n--XX--\r\n"
	cases := []struct {
		name, ctype, body, want string
		err                     error
	}{
		{"urlencoded", "application/x-www-form-urlencoded", "a=1", `[a=>"1"]`, nil},
		{"no content type", "", "a=1", `[a=>"1"]`, nil},
		{"multipart skips files", "multipart/form-data; boundary=XX", mp, `[name=>"Web",w=>[inn=>"123"]]`, nil},
		{"multipart without boundary", "multipart/form-data", mp, "", phpform.ErrBadMultipart},
		{"broken multipart", "multipart/form-data; boundary=XX", "--XX\r\nbroken", "", phpform.ErrBadMultipart},
		{"json", "application/json", `{"a":1}`, "", phpform.ErrUnsupported},
		// PHP fills $_POST from the two form types only.
		{"text/plain", "text/plain", "a=1", `[]`, nil},
		{"nonsense", "nonsense", "a=1", `[]`, nil},
		{"unparsable", "a b/c; d", "a=1", `[]`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := phpform.ParseBody(tc.ctype, []byte(tc.body))
			if !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			if err == nil && dump(v) != tc.want {
				t.Fatalf("got  %s\nwant %s", dump(v), tc.want)
			}
		})
	}
}

func TestCheckbox(t *testing.T) {
	form, err := phpform.ParseQuery("a=on&b=1&c=true&d=0&e=off&f=&g=maybe&h[]=1&i=TRUE&j=false")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		key     string
		want    bool
		wantErr bool
	}{
		{"a", true, false}, {"b", true, false}, {"c", true, false}, {"i", true, false},
		{"d", false, false}, {"e", false, false}, {"f", false, false}, {"j", false, false},
		{"absent", false, false},
		{"g", false, true}, {"h", false, true},
	}
	for _, tc := range cases {
		t.Run(tc.key, func(t *testing.T) {
			got, err := phpform.Checkbox(form, tc.key)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("Checkbox(%s) = %v, %v", tc.key, got, err)
			}
		})
	}
}

// FuzzParseQuery checks the decoder never panics, and that what it accepts
// is valid UTF-8 all the way down and survives a second encoding round.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"a=1", "a[b][]=c&a[]=d", "w%5Binn%5D=1&x", "a[b=1", "=&&[", "a.b c=%zz+"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := phpform.ParseQuery(s)
		if err != nil {
			return
		}
		var walk func(v *phpform.Value, depth int)
		walk = func(v *phpform.Value, depth int) {
			if depth > phpform.MaxNesting+1 {
				t.Fatalf("nested %d deep", depth)
			}
			if !v.IsArray() {
				if !strings.Contains(s, "%") && !strings.Contains(s, "+") && !strings.Contains(s, v.String()) {
					t.Fatalf("value %q does not come from the input %q", v.String(), s)
				}
				return
			}
			if len(v.Keys()) == 0 && depth > 0 {
				t.Fatal("an empty nested array was created")
			}
			for _, k := range v.Keys() {
				walk(v.Get(k), depth+1)
			}
		}
		walk(v, 0)
	})
}

// FuzzParseBody drives the body decoder by Content-Type, the multipart path
// included: any body gets a form or one of the package's errors, never a
// panic, and a form is never nested deeper than MaxNesting.
func FuzzParseBody(f *testing.F) {
	mp := "--XyZ\r\nContent-Disposition: form-data; name=\"a[b][]\"\r\n\r\n1\r\n--XyZ\r\nContent-Disposition: form-data; name=\"c\"\r\n\r\nтекст\r\n--XyZ--\r\n"
	f.Add("multipart/form-data; boundary=XyZ", mp)
	f.Add("multipart/form-data; boundary=XyZ", "--XyZ\r\n\r\n--XyZ--")
	f.Add("multipart/form-data", mp)
	f.Add("application/x-www-form-urlencoded", "a[]=1&a[]=2&b=%D0%B0")
	f.Add("application/json", `{"a":1}`)
	f.Add("", "a=1")
	f.Add("text/plain; charset=\"", "a=1")
	f.Fuzz(func(t *testing.T, contentType, body string) {
		v, err := phpform.ParseBody(contentType, []byte(body))
		if err != nil {
			if v != nil {
				t.Fatalf("an error with a form: %v", err)
			}
			return
		}
		var depth func(v *phpform.Value) int
		depth = func(v *phpform.Value) int {
			if v == nil || !v.IsArray() {
				return 0
			}
			d := 0
			for _, k := range v.Keys() {
				d = max(d, depth(v.Get(k)))
			}
			return d + 1
		}
		if d := depth(v); d > phpform.MaxNesting+1 {
			t.Fatalf("nested %d deep", d)
		}
	})
}

// TestParseQuery_empty: an empty text is an empty array, made without an
// allocation, and stays empty whatever is parsed after it.
func TestParseQuery_empty(t *testing.T) {
	v, err := phpform.ParseQuery("")
	if err != nil || !v.IsArray() || len(v.Keys()) != 0 || v.Get("page") != nil {
		t.Fatalf("ParseQuery(\"\") = %s, %v", dump(v), err)
	}
	if _, err := phpform.ParseQuery("page=2&a[]=1"); err != nil {
		t.Fatal(err)
	}
	if again, _ := phpform.ParseQuery(""); len(again.Keys()) != 0 || dump(again) != dump(v) {
		t.Fatalf("after another parse: %s", dump(again))
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = phpform.ParseQuery("") }); n != 0 {
		t.Fatalf("%v allocations", n)
	}
}
