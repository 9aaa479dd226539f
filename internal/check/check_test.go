package check_test

import (
	"testing"

	"github.com/mockserver/mockserver/internal/check"
	"gopkg.in/yaml.v3"
)

func TestIsEmail(t *testing.T) {
	for s, want := range map[string]bool{
		"demo@example.com": true,
		"a@b":              true,
		"иван@пример.рф":   true,
		"Ваша электронная почта":  false,
		"demo.example.com":        false,
		"Demo <demo@example.com>": false,
		"":                        false,
		"a@":                      false,
	} {
		if got := check.IsEmail(s); got != want {
			t.Errorf("IsEmail(%q) = %v, want %v", s, got, want)
		}
	}
}

// A problem sits on the line of the node it is about, or of its parent
// when the key is missing.
func TestChecker_placesProblems(t *testing.T) {
	var doc yaml.Node
	src := "a:\n  b:\n    - x\n    - y\nc: 1\n"
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	c := check.New("f.yaml", doc.Content[0])
	c.Fail(check.At("a", "b", 1), "second")
	c.Fail(check.At("a", "missing"), "parent")
	c.Required(check.At("c"), " ")
	want := "f.yaml:4: second\nf.yaml:2: parent\nf.yaml:5: c is required"
	if got := c.Problems().Error(); got != want {
		t.Errorf("problems:\n%s\nwant:\n%s", got, want)
	}
}
