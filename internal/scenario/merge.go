package scenario

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// replaceTag, on a value of a scenario that extends another, makes that
// value replace the base's whole instead of merging with it:
//
//	amapi: !replace        # no demo users: only these
//	  users: [{email: a@example.com, ...}]
const replaceTag = "!replace"

// identity names, for each list of rows a scenario merges by key, the
// fields that say which rows are the same identity. A row of the scenario
// that extends whose key matches a base row merges into it, field by field;
// any other row is added after the base's. Lists not named here (tokens,
// allowed_ips, carreta orders, saplab transactions, ...) have no identity
// of their own: the scenario's list replaces the base's.
var identity = map[string][]string{
	"amapi.users":           {"email"},
	"carreta.accounts":      {"api_key"},
	"carreta.catalog":       {"code", "maker"},
	"carreta.statuses":      {"id"},
	"saplab.points":         {"id"},
	"saplab.manager_groups": {"id"},
	"saplab.employees":      {"phone"},
	"saplab.shipping_types": {"id"},
	"saplab.statuses":       {"id"},
	"saplab.groups":         {"id"},
	"saplab.distributors":   {"id"},
	"saplab.clients":        {"id"},
	"saplab.orders":         {"id"},
	"faults":                {"id"},
}

// notInherited are the top-level keys a scenario never takes from its
// base: they are about the file itself.
var notInherited = map[string]bool{"name": true, "description": true, "extends": true}

// mergeRoot is the effective document of a scenario that extends base:
// over's keys merged onto base's (see mergeNode), without the base's name,
// description and extends. Nodes keep their lines, so a problem in what
// over wrote is reported on its line.
func mergeRoot(base, over *yaml.Node) *yaml.Node {
	trimmed := *base
	trimmed.Content = nil
	for i := 0; i+1 < len(base.Content); i += 2 {
		if !notInherited[base.Content[i].Value] {
			trimmed.Content = append(trimmed.Content, base.Content[i], base.Content[i+1])
		}
	}
	merged := mergeNode("", &trimmed, over)
	// The scenario's own name and description first, as a file starts.
	var head, rest []*yaml.Node
	for i := 0; i+1 < len(merged.Content); i += 2 {
		if notInherited[merged.Content[i].Value] {
			head = append(head, merged.Content[i], merged.Content[i+1])
		} else {
			rest = append(rest, merged.Content[i], merged.Content[i+1])
		}
	}
	merged.Content = append(head, rest...)
	return merged
}

// mergeNode merges over onto base, never changing either: mappings key by
// key, lists of rows with an identity (see identity) by key, anything else
// (scalars, other lists, a change of kind) replaced by over's. A node of
// over tagged !replace replaces the base's whole.
func mergeNode(path string, base, over *yaml.Node) *yaml.Node {
	if over.Tag == replaceTag {
		return untag(over)
	}
	switch {
	case base == nil || base.Kind != over.Kind:
		return untag(over)
	case over.Kind == yaml.MappingNode:
		return mergeMapping(path, base, over)
	case over.Kind == yaml.SequenceNode && identity[path] != nil:
		return mergeRows(path, base, over, identity[path])
	}
	return untag(over)
}

// mergeMapping merges two mappings key by key: base's keys in their order,
// then over's new ones.
func mergeMapping(path string, base, over *yaml.Node) *yaml.Node {
	out := *over
	out.Content = make([]*yaml.Node, 0, len(base.Content)+len(over.Content))
	taken := map[string]bool{}
	for i := 0; i+1 < len(base.Content); i += 2 {
		key := base.Content[i].Value
		val := base.Content[i+1]
		if o := mappingValue(over, key); o != nil {
			val = mergeNode(join(path, key), val, o)
			taken[key] = true
		}
		out.Content = append(out.Content, base.Content[i], val)
	}
	for i := 0; i+1 < len(over.Content); i += 2 {
		if !taken[over.Content[i].Value] {
			out.Content = append(out.Content, over.Content[i], untag(over.Content[i+1]))
		}
	}
	return &out
}

// mergeRows merges two lists of rows by the identity fields keys.
func mergeRows(path string, base, over *yaml.Node, keys []string) *yaml.Node {
	out := *over
	out.Content = append([]*yaml.Node(nil), base.Content...)
	at := map[string]int{}
	for i, row := range base.Content {
		if k, ok := rowKey(row, keys); ok {
			at[k] = i
		}
	}
	for _, row := range over.Content {
		k, ok := rowKey(row, keys)
		if i, found := at[k]; ok && found {
			out.Content[i] = mergeNode(path+"[]", out.Content[i], row)
			continue
		}
		out.Content = append(out.Content, untag(row))
	}
	return &out
}

// rowKey is the identity of a row: its keys' values, or false when the
// row is not a mapping that has them all.
func rowKey(row *yaml.Node, keys []string) (string, bool) {
	if row.Kind != yaml.MappingNode {
		return "", false
	}
	parts := make([]string, len(keys))
	for i, k := range keys {
		v := mappingValue(row, k)
		if v == nil || v.Kind != yaml.ScalarNode {
			return "", false
		}
		parts[i] = v.Value
	}
	return strings.Join(parts, "\x00"), true
}

// mappingValue is the value of key in the mapping m, or nil.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// untag is n without the !replace tag, at any depth, so that the decoder
// sees plain YAML; n itself is not changed.
func untag(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	out := *n
	if out.Tag == replaceTag {
		out.Tag = ""
	}
	if len(n.Content) > 0 {
		out.Content = make([]*yaml.Node, len(n.Content))
		for i, c := range n.Content {
			out.Content[i] = untag(c)
		}
	}
	return &out
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// withoutKey is the mapping m without key, for the effective scenario
// validate --print shows (its extends: is resolved).
func withoutKey(m *yaml.Node, key string) *yaml.Node {
	out := *m
	out.Content = nil
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != key {
			out.Content = append(out.Content, m.Content[i], m.Content[i+1])
		}
	}
	return &out
}
