package scenario_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/scenario"
	"gopkg.in/yaml.v3"
)

// manyKeys is a scenario whose saplab section is one mapping of n keys,
// as the hostile scenario was (80,000 keys, 789 KB).
func manyKeys(n int) []byte {
	var b strings.Builder
	b.WriteString("name: many\nseed: 1\nsaplab:\n")
	for i := range n {
		fmt.Fprintf(&b, "  key%d: 1\n", i)
	}
	return []byte(b.String())
}

// A mapping over the bound is refused on the line of its first key too
// many, before anything decodes it (the 80,000 keys took half a
// minute of CPU); one at the bound is read (and its unknown keys are the
// problem). Ten times the bound shows the refusal and its count as well
// as the 80,000 did: parsing those was most of this package's
// test time (a quarter of a second, two under the race detector), and
// BenchmarkParse_manyKeys still measures the document.
func TestParse_limits(t *testing.T) {
	many := 10 * scenario.MaxMappingKeys
	_, err := scenario.Parse("many.yaml", manyKeys(many))
	want := fmt.Sprintf("many.yaml:%d: this mapping has %d keys; at most %d are read", 4+scenario.MaxMappingKeys, many, scenario.MaxMappingKeys)
	if err == nil || err.Error() != want {
		t.Fatalf("%d keys: %v\nwant %s", many, err, want)
	}
	_, err = scenario.Parse("bound.yaml", manyKeys(scenario.MaxMappingKeys))
	if err == nil || !strings.HasPrefix(err.Error(), `bound.yaml:4: unknown key "key0"`) {
		t.Fatalf("at the bound: %v", err)
	}
	big := make([]byte, scenario.MaxSourceBytes+1)
	_, err = scenario.Parse("big.yaml", big)
	want = fmt.Sprintf("big.yaml: the scenario is %d bytes; at most %d (4 MiB) are read", len(big), scenario.MaxSourceBytes)
	if err == nil || err.Error() != want {
		t.Fatalf("a large file: %v\nwant %s", err, want)
	}
	defer scenario.SetMaxNodes(100)()
	_, err = scenario.Parse("nodes.yaml", []byte("name: deep\nseed: 1\nx: ["+strings.Repeat("[],", 100)+"]\n"))
	want = "nodes.yaml:3: the scenario has more than 100 YAML nodes"
	if err == nil || err.Error() != want {
		t.Fatalf("many nodes: %v\nwant %s", err, want)
	}
}

// BenchmarkParse_manyKeys measures the refusal of the 80,000-key
// scenario. Compare with the same document under yaml.v3 alone
// (BenchmarkParse_manyKeysUnbounded, -benchtime=1x: it takes seconds).
func BenchmarkParse_manyKeys(b *testing.B) {
	src := manyKeys(80_000)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := scenario.Parse("many.yaml", src); err == nil {
			b.Fatal("accepted")
		}
	}
}

// BenchmarkParse_manyKeysUnbounded is the baseline: the same document
// decoded by yaml.v3 alone, as the loader did before the bounds.
func BenchmarkParse_manyKeysUnbounded(b *testing.B) {
	src := manyKeys(80_000)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		var v map[string]any
		if err := yaml.Unmarshal(src, &v); err != nil {
			b.Fatal(err)
		}
	}
}
