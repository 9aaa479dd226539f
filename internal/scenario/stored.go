package scenario

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/mockserver/mockserver/internal/seal"
	"github.com/mockserver/mockserver/internal/slotmemo"
)

// storedFile is one file of a scenario's extends chain as it was read: what
// a state file of an earlier version keeps (legacy).
type storedFile struct {
	File   string `json:"file"`
	Source []byte `json:"source"`
}

// legacy is what state files of earlier versions hold: every file of the
// extends chain as written, plaintext secrets included.
type legacy struct {
	Chain []storedFile `json:"mockserver_scenario_chain"`
}

// stored is what Stored writes: the scenario's file name and its sealed
// document (sealedSource). Its key names the format, so that ParseStored
// and IsSealed tell it from the earlier ones.
type stored struct {
	Sealed *sealedFile `json:"mockserver_sealed_scenario"`
}

type sealedFile struct {
	File string `json:"file"`
	// Source is YAML text (not bytes, which JSON would write in base64):
	// what the file holds is readable, and a scan of it for a secret
	// finds one if it were there.
	Source string `json:"source"`
}

// Stored is the scenario as a state file keeps it, so that a restart and
// /__admin/reset return to the scenario that seeded it without the file
// system and without its plaintext secrets (issue 14): the effective
// document (extends: resolved, as Effective shows it) with every password,
// token and api_key sealed (sealedSource), which ParseStored reads back
// and seeds byte-identical state from. It is made once per scenario.
func (sc *Scenario) Stored() ([]byte, error) {
	doc, err := sc.sealedSource()
	if err != nil {
		return nil, err
	}
	return json.Marshal(stored{Sealed: &sealedFile{File: sc.File, Source: string(doc)}})
}

// SameSources reports whether two scenarios seed the same state: their
// sealed documents are the same bytes. File names do not count (--scenario
// ./a.yaml and a.yaml are one scenario), nor do comments or how a document
// is split between a file and its bases.
func (sc *Scenario) SameSources(other *Scenario) bool {
	a, errA := sc.sealedSource()
	b, errB := other.sealedSource()
	return errA == nil && errB == nil && bytes.Equal(a, b)
}

// sealedSource is the scenario's effective document as YAML with its
// secrets sealed: each API lists its section's secrets with the value that
// replaces each (its Seal), and nothing else of the document changes but
// what plainTree drops (comments, anchors, aliases, merge keys, extends:).
// It is made once and kept: a Scenario never changes once parsed, and the
// bcrypt hashes of its passwords cost a millisecond each.
func (sc *Scenario) sealedSource() ([]byte, error) {
	sc.sealed.once.Do(func() { sc.sealed.doc, sc.sealed.err = sc.seal() })
	return sc.sealed.doc, sc.sealed.err
}

// seal makes sealedSource's document.
func (sc *Scenario) seal() ([]byte, error) {
	nodes := 0
	root, err := plainTree(sc.root, &nodes)
	if err != nil {
		return nil, err
	}
	secrets, err := sc.secrets()
	if err != nil {
		return nil, err
	}
	for _, s := range secrets {
		n := lookup(root, s.Path)
		if n == nil || n.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("seal the scenario: no value at %v", s.Path)
		}
		n.Value, n.Tag, n.Style = s.Value, "!!str", yaml.DoubleQuotedStyle
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// secrets are every API's secrets in the scenario, each with its sealed
// value.
func (sc *Scenario) secrets() ([]seal.Secret, error) {
	amapi, err := sc.Amapi.Seal(sc.Seed)
	if err != nil {
		return nil, err
	}
	saplab, err := sc.Saplab.Seal(sc.Seed)
	if err != nil {
		return nil, err
	}
	return append(append(amapi, sc.Carreta.Seal()...), saplab...), nil
}

// errAliasing is plainTree's refusal of a document whose aliases expand
// past the node bound.
var errAliasing = errors.New("seal the scenario: its aliases expand to too many nodes")

// plainTree is a copy of the document n with what a secret could hide in,
// or be reached through, taken out: no comments (a commented-out password
// is still one), aliases replaced by a copy of what they name and merge
// keys (<<) by the keys they merge (so that each secret has one node, at
// its path), no anchors, no !replace tags, and at the top no extends:.
// The copy decodes to the same values. *nodes counts the nodes made,
// bounded by twice MaxNodes; yaml.v3 bounds aliasing when it decodes,
// which the scenario has passed, so the bound is a backstop.
func plainTree(n *yaml.Node, nodes *int) (*yaml.Node, error) {
	if n == nil {
		return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}, nil
	}
	out, err := plainNode(n, nodes)
	if err != nil {
		return nil, err
	}
	return withoutKey(out, "extends"), nil
}

func plainNode(n *yaml.Node, nodes *int) (*yaml.Node, error) {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if *nodes++; *nodes > 2*maxNodes {
		return nil, errAliasing
	}
	out := &yaml.Node{Kind: n.Kind, Style: n.Style, Tag: n.Tag, Value: n.Value, Line: n.Line, Column: n.Column}
	if out.Tag == replaceTag {
		out.Tag = ""
	}
	if n.Kind == yaml.MappingNode {
		return out, plainMapping(out, n, nodes)
	}
	for _, c := range n.Content {
		pc, err := plainNode(c, nodes)
		if err != nil {
			return nil, err
		}
		out.Content = append(out.Content, pc)
	}
	return out, nil
}

// plainMapping fills out with the pairs of the mapping n: its own keys,
// then those its merge keys bring that it has not (a key written in the
// mapping wins, and of the merged mappings the first that has a key, as
// YAML's merge key means and yaml.v3 decodes).
func plainMapping(out, n *yaml.Node, nodes *int) error {
	have := map[string]bool{}
	var merged []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if isMerge(k) {
			merged = append(merged, v)
			continue
		}
		have[k.Value] = true
		if err := appendPair(out, k, v, nodes); err != nil {
			return err
		}
	}
	for _, m := range merged {
		for m.Kind == yaml.AliasNode {
			m = m.Alias
		}
		sources := []*yaml.Node{m}
		if m.Kind == yaml.SequenceNode {
			sources = m.Content
		}
		for _, src := range sources {
			for src.Kind == yaml.AliasNode {
				src = src.Alias
			}
			flat, err := plainNode(src, nodes)
			if err != nil {
				return err
			}
			for i := 0; i+1 < len(flat.Content); i += 2 {
				if k := flat.Content[i]; !have[k.Value] {
					have[k.Value] = true
					out.Content = append(out.Content, k, flat.Content[i+1])
				}
			}
		}
	}
	return nil
}

// appendPair appends the plain copies of k and v to the mapping out.
func appendPair(out, k, v *yaml.Node, nodes *int) error {
	pk, err := plainNode(k, nodes)
	if err != nil {
		return err
	}
	pv, err := plainNode(v, nodes)
	if err != nil {
		return err
	}
	out.Content = append(out.Content, pk, pv)
	return nil
}

// isMerge reports whether k is YAML's merge key, as yaml.v3 reads one.
func isMerge(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && (k.Tag == "" || k.Tag == "!" || k.Tag == "!!merge" || k.Tag == "tag:yaml.org,2002:merge")
}

// lookup is the node at p (mapping keys and sequence indexes) in a plain
// tree, or nil.
func lookup(n *yaml.Node, p []any) *yaml.Node {
	for _, part := range p {
		var next *yaml.Node
		switch k := part.(type) {
		case string:
			for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == k {
					next = n.Content[i+1]
				}
			}
		case int:
			if n.Kind == yaml.SequenceNode && k >= 0 && k < len(n.Content) {
				next = n.Content[k]
			}
		}
		if next == nil {
			return nil
		}
		n = next
	}
	return n
}

// IsSealed reports whether data, a state file's stored scenario, is in the
// form Stored writes; a state file of an earlier version holds its
// scenario's sources as written, plaintext secrets included, which the
// server seals when it opens the file.
func IsSealed(data []byte) bool {
	var st stored
	return json.Unmarshal(data, &st) == nil && st.Sealed != nil
}

// ParseStored rebuilds a scenario from what Stored wrote; where (the state
// file) is named in problem messages. It also reads what earlier versions
// stored: the sources of the whole extends chain, or (earlier still) the
// bare YAML source, whose extends: can only name an embedded scenario.
//
// A sealed document read before is not parsed again (storedParses): a
// test process starts hundreds of servers on copies of a few seeded states
// (servertest), and parsing the stored document was a third of such a
// start. The Scenario is shared, as a shipped one is (parseShipped):
// nothing changes a Scenario once parsed.
func ParseStored(where string, data []byte) (*Scenario, error) {
	doc := string(data)
	if sc, ok := storedParses.Lookup(doc); ok {
		return sc, nil
	}
	var st stored
	if err := json.Unmarshal(data, &st); err != nil || st.Sealed == nil {
		return parseLegacy(where, data)
	}
	sc, err := parseSealed(where, st.Sealed)
	if err == nil {
		// where is only in a failure's messages, and the sealed form
		// names its own file: the same data is the same Scenario.
		storedParses.Keep(doc, sc)
	}
	return sc, err
}

// storedParses keeps the Scenarios of the sealed documents ParseStored
// read last, by the document (up to maxStoredDoc bytes; a longer one is
// parsed every time).
var storedParses = slotmemo.New[*Scenario](maxStoredDoc)

// maxStoredDoc bounds a document storedParses holds: the default
// scenario's is some 13 KB.
const maxStoredDoc = 1 << 20

// parseSealed rebuilds the scenario of a sealed document stored in where.
func parseSealed(where string, sealed *sealedFile) (*Scenario, error) {
	label := fmt.Sprintf("%s (as stored in %s)", sealed.File, where)
	noBases := func(name, _ string, _ int) (string, []byte, bool, error) {
		return "", nil, false, fmt.Errorf("a stored scenario extends nothing, got %q", name)
	}
	sc, err := parse(label, []byte(sealed.Source), 0, noBases)
	if err != nil {
		return nil, err
	}
	sc.File = sealed.File // the name it had, so a reset stores the same bytes again
	return sc, nil
}

// parseLegacy reads a scenario a state file of an earlier version stored.
func parseLegacy(where string, data []byte) (*Scenario, error) {
	var st legacy
	if err := json.Unmarshal(data, &st); err != nil || len(st.Chain) == 0 {
		return parse("(scenario stored in "+where+")", data, 0, inDir(""))
	}
	label := func(f storedFile) string { return fmt.Sprintf("%s (as stored in %s)", f.File, where) }
	find := func(name, _ string, depth int) (string, []byte, bool, error) {
		if depth >= len(st.Chain) {
			return "", nil, false, fmt.Errorf("the stored scenario lacks the base %q", name)
		}
		return label(st.Chain[depth]), st.Chain[depth].Source, false, nil
	}
	sc, err := parse(label(st.Chain[0]), st.Chain[0].Source, 0, find)
	if err != nil {
		return nil, err
	}
	sc.File = st.Chain[0].File
	return sc, nil
}
