package scenario

import (
	"fmt"

	"github.com/mockserver/mockserver/internal/check"
	"gopkg.in/yaml.v3"
)

// The bounds of a scenario document (issue 14). A scenario is read from a
// file, from a state file or from a posted body (which the server's body
// limit bounds first), and each was unbounded: 80,000 keys in one mapping
// cost half a minute of CPU, because yaml.v3 checks a mapping's keys for
// duplicates pair by pair when it decodes. The default scenario is some
// 14 KB, 2,700 nodes and at most 20 keys in a mapping, far inside all three.
const (
	// MaxSourceBytes is the largest scenario file, in bytes.
	MaxSourceBytes = 4 << 20
	// MaxNodes is the most YAML nodes (scalars, lists, mappings, aliases)
	// a scenario may have.
	MaxNodes = 500_000
	// MaxMappingKeys is the most keys one mapping may have. Every mapping
	// of a scenario is a row or a section with a few dozen fields at most
	// (its lists are sequences), and this bound is what keeps yaml.v3's
	// duplicate-key check, quadratic in a mapping's keys, to a few
	// milliseconds per document: at most MaxNodes*MaxMappingKeys/4
	// comparisons in all.
	MaxMappingKeys = 256
)

// maxNodes is MaxNodes; a test lowers it (export_test.go) rather than
// build half a million nodes.
var maxNodes = MaxNodes

// tooBig is the problem of a source over MaxSourceBytes, found before any
// parsing.
func tooBig(file string, src []byte) *check.Problem {
	if len(src) <= MaxSourceBytes {
		return nil
	}
	return &check.Problem{File: file, Message: fmt.Sprintf("the scenario is %d bytes; at most %d (%d MiB) are read", len(src), MaxSourceBytes, MaxSourceBytes>>20)}
}

// overLimits is the first bound of the document under root it breaks: more
// than MaxNodes nodes, or a mapping of more than MaxMappingKeys keys (on
// the line of its first key over the bound). It walks the tree once, with
// an explicit stack, and does not follow aliases, so it is linear in the
// document and cannot be made to loop.
func overLimits(file string, root *yaml.Node) *check.Problem {
	nodes := 0
	stack := []*yaml.Node{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		nodes++
		if nodes > maxNodes {
			return &check.Problem{File: file, Line: n.Line, Message: fmt.Sprintf("the scenario has more than %d YAML nodes", maxNodes)}
		}
		if n.Kind == yaml.MappingNode && len(n.Content) > 2*MaxMappingKeys {
			return &check.Problem{File: file, Line: n.Content[2*MaxMappingKeys].Line,
				Message: fmt.Sprintf("this mapping has %d keys; at most %d are read", len(n.Content)/2, MaxMappingKeys)}
		}
		if n.Kind != yaml.AliasNode {
			stack = append(stack, n.Content...)
		}
	}
	return nil
}
