package amapi_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/amapi"
	"github.com/mockserver/mockserver/internal/password"
)

func input(t *testing.T, body string) amapi.Input {
	t.Helper()
	in, err := amapi.DecodeInput([]byte(body))
	if err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	return in
}

func TestDecodeInput(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body, err string
	}{
		{"object", `{"a":1}`, ""},
		{"empty", ``, ""},
		{"whitespace", " \n\t", ""},
		{"object_then_space", "{}\n", ""},
		{"not_json", `{a:1}`, amapi.MsgBodyNotJSON},
		{"truncated", `{"a":`, amapi.MsgBodyNotJSON},
		{"trailing", `{} []`, amapi.MsgBodyNotJSON},
		{"list", `[]`, amapi.MsgBodyNotObject},
		{"number", `5`, amapi.MsgBodyNotObject},
		{"bad_utf8", "{\"a\":\"\xc3\x28\"}", amapi.MsgBodyNotUTF8},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := amapi.DecodeInput([]byte(tc.body))
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.err {
				t.Fatalf("error %q, want %q", got, tc.err)
			}
		})
	}
}

func TestAsInteger(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   any
		want int64
		ok   bool
	}{
		{json.Number("304"), 304, true},
		{json.Number("304.0"), 304, true},
		{json.Number("-7"), -7, true},
		{json.Number("3.04e2"), 304, true},
		{json.Number("304.5"), 0, false},
		{json.Number("1e400"), 0, false},
		{json.Number("99999999999999999999"), 0, false},
		{json.Number("1e20"), 0, false}, // beyond what a float holds exactly
		{"304", 304, true},
		{" 304 ", 304, true},
		{"304.0", 0, false}, // Laravel's integer rule: a string must spell an integer
		{"3e2", 0, false},
		{"", 0, false},
		{true, 0, false},
		{nil, 0, false},
		{[]any{}, 0, false},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.in), func(t *testing.T) {
			got, ok := amapi.AsInteger(tc.in)
			if got != tc.want || ok != tc.ok {
				t.Fatalf("AsInteger(%#v) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestAsNumber(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   any
		want float64
		ok   bool
	}{
		{json.Number("0.00098"), 0.00098, true},
		{json.Number("12554.0"), 12554, true},
		{json.Number("-1"), -1, true},
		{json.Number("1e400"), 0, false},
		{json.Number("-1e400"), 0, false},
		{"55.76", 55.76, true},
		{".5", 0.5, true},
		{"5.", 5, true},
		{"1e3", 1000, true},
		{"0x10", 0, false},
		{"Inf", 0, false},
		{"NaN", 0, false},
		{"1_000", 0, false},
		{"дёшево", 0, false},
		{false, 0, false},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.in), func(t *testing.T) {
			got, ok := amapi.AsNumber(tc.in)
			if got != tc.want || ok != tc.ok {
				t.Fatalf("AsNumber(%#v) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	rules := []amapi.Field{
		{Path: "name", Kind: amapi.String, Required: true, Max: 3},
		{Path: "kind", Kind: amapi.String},
		{Path: "place", Kind: amapi.Object, RequiredIf: &amapi.Condition{Field: "kind", Value: "address"}},
		{Path: "list", Kind: amapi.List, Min: ptr(2)},
		{Path: "list.*", Kind: amapi.Object, Required: true},
		{Path: "list.*.n", Kind: amapi.Integer, Required: true, Min: ptr(1)},
		{Path: "pw", Kind: amapi.Password, Min: ptr(3), Confirmed: true},
	}
	cases := []struct {
		name, body string
		want       []string
	}{
		{"valid", `{"name":"abc","list":[{"n":1},{"n":"2"}],"pw":"   ","pw_confirmation":"   "}`, nil},
		{"required", `{"name":"  "}`, []string{"Поле name обязательно для заполнения."}},
		{"null_is_missing", `{"name":null}`, []string{"Поле name обязательно для заполнения."}},
		{"max_counts_characters", `{"name":"абв"}`, nil},
		{"max", `{"name":"абвг"}`, []string{"Количество символов в значении поля name не может превышать 3."}},
		{"required_if_holds", `{"name":"a","kind":" address "}`, []string{"Поле place обязательно для заполнения, когда kind равно address."}},
		{"required_if_not", `{"name":"a","kind":"pickup"}`, nil},
		{"list_min", `{"name":"a","list":[{"n":1}]}`, []string{"Количество элементов в поле list должно быть не меньше 2."}},
		{"each_element", `{"name":"a","list":[{"n":0},{"n":2.5},{}]}`, []string{
			"Поле list.2 обязательно для заполнения.",
			"Значение поля list.0.n должно быть не меньше 1.",
			"Значение поля list.1.n должно быть целым числом.",
		}},
		{"password_not_trimmed_and_confirmed", `{"name":"a","pw":"abc ","pw_confirmation":"abc"}`, []string{"Значение поля pw не совпадает с подтверждаемым."}},
		{"password_min", `{"name":"a","pw":"ab","pw_confirmation":"ab"}`, []string{"Количество символов в поле pw должно быть не меньше 3."}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := amapi.Validate(input(t, tc.body), rules, nil)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestValidate_checksRunAfterBuiltInRules(t *testing.T) {
	t.Parallel()
	calls := 0
	checks := amapi.Checks{"email": func(v string) string {
		calls++
		if v != "me@example.com" {
			return "not yours"
		}
		return ""
	}}
	rules := []amapi.Field{{Path: "email", Kind: amapi.String, Required: true, Email: true}}
	for body, want := range map[string][]string{
		`{"email":" me@example.com "}`: nil,
		`{"email":"you@example.com"}`:  {"not yours"},
		`{"email":"nope"}`:             {"Значение поля email должно быть действительным электронным адресом."},
	} {
		if got := amapi.Validate(input(t, body), rules, checks); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %q, want %q", body, got, want)
		}
	}
	if calls != 2 {
		t.Fatalf("check ran %d times, want 2 (not for the malformed address)", calls)
	}
}

// A body of many bad items is answered with the first MaxMessages problems,
// in rule order, not one message per field of every item.
func TestValidate_boundsTheMessages(t *testing.T) {
	t.Parallel()
	rules := []amapi.Field{
		{Path: "list.*", Kind: amapi.Object, Required: true},
		{Path: "list.*.n", Kind: amapi.Integer, Required: true, Min: ptr(1)},
		{Path: "list.*.m", Kind: amapi.Integer, Required: true},
	}
	for _, tc := range []struct {
		items, want int
	}{{0, 0}, {1, 2}, {50, 100}, {51, amapi.MaxMessages}, {120_000, amapi.MaxMessages}} {
		body := []byte(`{"list":[`)
		for i := range tc.items {
			if i > 0 {
				body = append(body, ',')
			}
			body = append(body, `{"x":1}`...)
		}
		body = append(body, "]}"...)
		got := amapi.Validate(input(t, string(body)), rules, nil)
		if len(got) != tc.want {
			t.Fatalf("%d items: %d messages, want %d", tc.items, len(got), tc.want)
		}
		if tc.items > 0 && got[0] != "Поле list.0.n обязательно для заполнения." {
			t.Fatalf("%d items: first message %q", tc.items, got[0])
		}
	}
}

func ptr(f float64) *float64 { return &f }

func TestBearerToken(t *testing.T) {
	t.Parallel()
	cases := []struct {
		header, want string
		ok           bool
	}{
		{"Bearer abc", "abc", true},
		{"Bearer 1|abc", "1|abc", true},
		{"Bearer abc, Basic xyz", "abc", true},
		{"Bearer a Bearer b", "b", true},
		{"bearer abc", "", false},
		{"Bearer ", "", false},
		{"Basic abc", "", false},
		{"", "", false},
	}
	for _, tc := range cases {
		got, ok := amapi.BearerToken(tc.header)
		if got != tc.want || ok != tc.ok {
			t.Errorf("BearerToken(%q) = %q, %v; want %q, %v", tc.header, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseToken(t *testing.T) {
	t.Parallel()
	cases := []struct {
		token string
		id    uint64
		hash  string // of what
		ok    bool
	}{
		{"2|secret", 2, "secret", true},
		{"007|secret", 7, "secret", true},
		{"2|a|b", 2, "a|b", true},
		{"1Dg4PfVhaEcve36Z56dk8ab", 0, "1Dg4PfVhaEcve36Z56dk8ab", true},
		{"x|secret", 0, "", false},
		{"|secret", 0, "", false},
		{"2|", 0, "", false},
		{"0|secret", 0, "", false},
		{"99999999999999999999999|s", 0, "", false},
		{"", 0, "", false},
	}
	for _, tc := range cases {
		ref, ok := amapi.ParseToken(tc.token)
		want := amapi.TokenRef{}
		if tc.ok {
			want = amapi.TokenRef{ID: tc.id, Hash: amapi.HashToken(tc.hash)}
		}
		if ok != tc.ok || ref != want {
			t.Errorf("ParseToken(%q) = %+v, %v; want %+v, %v", tc.token, ref, ok, want, tc.ok)
		}
	}
	// Sanctum's column: hash('sha256', 'secret').
	if got := amapi.HashToken("secret"); got != "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b" {
		t.Fatalf("HashToken = %s", got)
	}
}

func TestOrderCode(t *testing.T) {
	t.Parallel()
	form := regexp.MustCompile(`^[A-Z]{2}[0-9]{4}-[0-9]{5}$`)
	seen := map[string]bool{}
	for id := uint64(1); id <= 2000; id++ {
		c := amapi.OrderCode(42, id, 0)
		if !form.MatchString(c) || seen[c] {
			t.Fatalf("order %d: %q (malformed or repeated)", id, c)
		}
		seen[c] = true
		if amapi.OrderCode(42, id, 0) != c {
			t.Fatal("not reproducible")
		}
	}
	if amapi.OrderCode(42, 1, 0) != "DG1501-81811" {
		t.Fatal("codes of seed 42 changed: scenarios replayed by users would give other codes")
	}
	if amapi.OrderCode(42, 1, 1) == amapi.OrderCode(42, 1, 0) || amapi.OrderCode(43, 1, 0) == amapi.OrderCode(42, 1, 0) {
		t.Fatal("attempt and seed must change the code")
	}
}

func TestTokenForms(t *testing.T) {
	t.Parallel()
	forty := strings.Repeat("a", 40)
	cases := []struct {
		token         string
		sanctum, bare bool
	}{
		{"2|" + forty, true, false},
		{"02|" + forty, false, false},
		{"2|" + forty + "a", false, false},
		{"2|" + strings.Repeat("a", 39), false, false},
		{"2|" + strings.Repeat("a", 39) + "-", false, false},
		{"1Dg4PfVhaEcve36Z56dk8ab", false, true},
		{strings.Repeat("a", 16), false, true},
		{strings.Repeat("a", 15), false, false},
		{strings.Repeat("a", 255), false, true},
		{strings.Repeat("a", 256), false, false},
		{"with space here!", false, false},
		{"AZaz09" + strings.Repeat("m", 10), false, true},
		// Each byte just outside the three ranges, and a letter that is
		// not ASCII, in a token of the right length.
		{strings.Repeat("a", 15) + "/", false, false},
		{strings.Repeat("a", 15) + ":", false, false},
		{strings.Repeat("a", 15) + "@", false, false},
		{strings.Repeat("a", 15) + "[", false, false},
		{strings.Repeat("a", 15) + "`", false, false},
		{strings.Repeat("a", 15) + "{", false, false},
		{strings.Repeat("a", 14) + "я", false, false},
		{strings.Repeat("a", 16) + "\n", false, false},
	}
	for _, tc := range cases {
		if got := amapi.SanctumToken.MatchString(tc.token); got != tc.sanctum {
			t.Errorf("SanctumToken(%q) = %v, want %v", tc.token, got, tc.sanctum)
		}
		if got := amapi.IsBareToken(tc.token); got != tc.bare {
			t.Errorf("IsBareToken(%q) = %v, want %v", tc.token, got, tc.bare)
		}
	}
}

func TestFitsBigint(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]bool{
		"1": true, "9223372036854775807": true,
		"9223372036854775808": false, "18446744073709551615": false, "99999999999999999999": false,
	} {
		if got := amapi.FitsBigint(id); got != want {
			t.Errorf("FitsBigint(%s) = %v, want %v", id, got, want)
		}
	}
}

func TestBcryptInput(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		password string
		want     int
	}{
		{"", 0},
		{"secret-pass", 11},
		{strings.Repeat("a", password.MaxBytes), password.MaxBytes},
		{strings.Repeat("a", password.MaxBytes+1), password.MaxBytes},
		{strings.Repeat("я", 50), password.MaxBytes}, // 100 bytes: cut mid-rune, as PHP does
	} {
		got := amapi.BcryptInput(tc.password)
		if len(got) != tc.want || string(got) != tc.password[:tc.want] {
			t.Errorf("BcryptInput(%d bytes) = %d bytes, want the first %d", len(tc.password), len(got), tc.want)
		}
	}
}

func TestEmailKey(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"demo@example.com": "demo@example.com", " Demo@Example.COM ": "demo@example.com", "ПЁТР@пример.рф": "пётр@пример.рф",
	} {
		if got := string(amapi.EmailKey(in)); got != want {
			t.Errorf("EmailKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRestamp(t *testing.T) {
	at := func(s string) *string { return &s }
	const now = "2026-11-30 12:00:01"
	for _, tc := range []struct {
		name     string
		lastUsed *string
		updated  string
		want     bool
	}{
		{"never used", nil, "2026-11-30 12:00:01", true},
		{"used this second", at(now), now, false},
		{"used the second before", at("2026-11-30 12:00:00"), "2026-11-30 12:00:00", true},
		{"used this second, updated before", at(now), "2026-11-30 12:00:00", true},
		{"used later (the clock was set back)", at("2026-11-30 12:00:02"), "2026-11-30 12:00:02", true},
	} {
		if got := amapi.Restamp(tc.lastUsed, tc.updated, now); got != tc.want {
			t.Errorf("%s: restamp = %v, want %v", tc.name, got, tc.want)
		}
	}
}
