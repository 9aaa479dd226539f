package jsonschema

import (
	"strings"
	"testing"
)

// TestDraftsCompileOnFirstUse: nothing is compiled at package init (the
// server's start), and a schema that breaks its draft's meta-schema is
// still refused once a compiler compiles, as upstream's init did it.
func TestDraftsCompileOnFirstUse(t *testing.T) {
	// This is the package's only test, so nothing but init has run.
	if Draft2020.sch != nil || Draft4.sch != nil {
		t.Fatal("the drafts were compiled at package init")
	}
	c := NewCompiler()
	if err := c.AddResource("mem://bad.json", map[string]any{"type": 1}); err != nil {
		t.Fatal(err)
	}
	_, err := c.Compile("mem://bad.json")
	if err == nil || !strings.Contains(err.Error(), "mem://bad.json") {
		t.Fatalf("a schema with type: 1 compiled, err %v", err)
	}
	if Draft2020.sch == nil || Draft4.sch == nil || Draft2020.allVocabs["core"] == nil {
		t.Fatal("the drafts were not compiled by the first Compile")
	}
}
