package amapi

import (
	"encoding/json"
	"slices"
	"testing"
)

// expand names every field it yields with its whole dotted path, though
// the names share one buffer: deep and wide lists (index 10 after 9, a
// list in a list), and a name still right when a sibling came before it.
func TestExpand_namesEachField(t *testing.T) {
	var in map[string]any
	doc := `{"a":{"b":1},"items":[{"tags":["x","y"]},{},5,{"tags":[]},` +
		`{"x":1},{"x":1},{"x":1},{"x":1},{"x":1},{"x":1},{"tags":["z"]}]}`
	if err := json.Unmarshal([]byte(doc), &in); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		want []string
	}{
		{"a.b", []string{"a.b"}},
		{"a.c.d", []string{"a.c.d"}},
		{"items.*", []string{"items.0", "items.1", "items.2", "items.3", "items.4", "items.5",
			"items.6", "items.7", "items.8", "items.9", "items.10"}},
		{"items.*.tags.*", []string{"items.0.tags.0", "items.0.tags.1", "items.10.tags.0"}},
		{"items.*.tags", []string{"items.0.tags", "items.3.tags", "items.4.tags", "items.5.tags",
			"items.6.tags", "items.7.tags", "items.8.tags", "items.9.tags", "items.10.tags"}},
	} {
		var got []string
		buf := []byte("left over")
		for at := range expand(in, c.path, &buf) {
			got = append(got, at.name())
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: %q, want %q", c.path, got, c.want)
		}
	}
}
