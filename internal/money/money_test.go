package money_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/mockserver/mockserver/internal/money"
)

func TestParse(t *testing.T) {
	cases := []struct {
		in    string
		want  money.Amount
		fixed string
		trim  string
		err   error
	}{
		{"152.02", 15202, "152.02", "152.02", nil},
		{"152", 15200, "152.00", "152", nil},
		{"3959.00", 395900, "3959.00", "3959", nil},
		{"473.5", 47350, "473.50", "473.5", nil},
		{"-100", -10000, "-100.00", "-100", nil},
		{"-0.5", -50, "-0.50", "-0.5", nil},
		{"0", 0, "0.00", "0", nil},
		{"1.230", 123, "1.23", "1.23", nil},
		{"1.234", 0, "", "", money.ErrRange},
		{"1000000001", 0, "", "", money.ErrRange},
		{"", 0, "", "", money.ErrSyntax},
		{"1,5", 0, "", "", money.ErrSyntax},
		{"+1", 0, "", "", money.ErrSyntax},
		{".5", 0, "", "", money.ErrSyntax},
		{"5.", 0, "", "", money.ErrSyntax},
		{"1e3", 0, "", "", money.ErrSyntax},
		{"-", 0, "", "", money.ErrSyntax},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := money.Parse(c.in)
			if !errors.Is(err, c.err) {
				t.Fatalf("Parse(%q) error = %v, want %v", c.in, err, c.err)
			}
			if err != nil {
				return
			}
			if got != c.want || got.Fixed2() != c.fixed || got.Trim() != c.trim {
				t.Fatalf("Parse(%q) = %d %q %q, want %d %q %q", c.in, got, got.Fixed2(), got.Trim(), c.want, c.fixed, c.trim)
			}
		})
	}
}

func TestFromFloat(t *testing.T) {
	if a, err := money.FromFloat(12554.0); err != nil || a != 1255400 {
		t.Fatalf("FromFloat(12554.0) = %d, %v", a, err)
	}
	if a, err := money.FromFloat(0.1 + 0.2); err != nil || a != 30 {
		t.Fatalf("FromFloat(0.3) = %d, %v", a, err)
	}
	if _, err := money.FromFloat(1e300); !errors.Is(err, money.ErrRange) {
		t.Fatalf("FromFloat(1e300) error = %v", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"152.02", "-1", "0.00", "1e5", "99999999999.99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := money.Parse(s)
		if err != nil {
			return
		}
		if a > money.Max || a < -money.Max {
			t.Fatalf("Parse(%q) = %d beyond Max", s, a)
		}
		back, err := money.Parse(a.Fixed2())
		if err != nil || back != a {
			t.Fatalf("round trip of %q: %q -> %d, %v", s, a.Fixed2(), back, err)
		}
		if back, err := money.Parse(a.Trim()); err != nil || back != a {
			t.Fatalf("trim round trip of %q: %q -> %d, %v", s, a.Trim(), back, err)
		}
	})
}

// TestFixed2MatchesFmt pins Fixed2 and AppendFixed2 to the fmt text they
// replaced, at the edges of the sign, the cents and int64.
func TestFixed2MatchesFmt(t *testing.T) {
	old := func(v int64) string {
		sign := ""
		if v < 0 {
			sign = "-"
			v = -v
		}
		return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
	}
	for _, v := range []int64{0, 1, 9, 10, 99, 100, 101, 15202, 710, -1, -50, -99, -100, -15202,
		math.MaxInt64, math.MinInt64, math.MinInt64 + 1, int64(money.Max), -int64(money.Max)} {
		a := money.Amount(v)
		if got, want := a.Fixed2(), old(v); got != want {
			t.Errorf("Fixed2(%d) = %q, want %q", v, got, want)
		}
		if got, want := string(a.AppendFixed2([]byte("x"))), "x"+old(v); got != want {
			t.Errorf("AppendFixed2(%d) = %q, want %q", v, got, want)
		}
	}
}

// AppendQuoted writes what json.Marshal writes of an Amount.
func TestAppendQuotedIsMarshal(t *testing.T) {
	for _, v := range []int64{0, 1, -1, 5, -50, 15202, -12345, math.MaxInt64, math.MinInt64} {
		want, err := json.Marshal(money.Amount(v))
		if err != nil {
			t.Fatal(err)
		}
		if got := money.Amount(v).AppendQuoted([]byte("x")); string(got) != "x"+string(want) {
			t.Errorf("AppendQuoted(%d) = %s, json.Marshal x%s", v, got, want)
		}
	}
}
