package contract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mockserver/mockserver/docs/openapi"
	"gopkg.in/yaml.v3"
)

// Document is api's OpenAPI document as GET /__admin/openapi/{api} serves
// it: with servers set to the running mock (server, e.g.
// "http://127.0.0.1:8080"), in YAML, or in JSON when asJSON. The YAML is the
// file as written, comments and all, but for its servers block; the JSON
// keeps the file's key order, which is the order a reader meets things in.
func Document(api, server string, asJSON bool) ([]byte, error) {
	src, ok := openapi.Source(api)
	if !ok {
		return nil, fmt.Errorf("no OpenAPI document for %q", api)
	}
	servers := "servers:\n  - url: " + server + "\n    description: This mockserver\n"
	out, err := replaceTopLevel(src, "servers", servers)
	if err != nil || !asJSON {
		return out, err
	}
	var root yaml.Node
	if err := yaml.Unmarshal(out, &root); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := writeJSON(&buf, &root); err != nil {
		return nil, err
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, buf.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	return append(pretty.Bytes(), '\n'), nil
}

// replaceTopLevel replaces the block of a top-level key of a YAML file (its
// line and every line indented under it) with block.
func replaceTopLevel(src []byte, key, block string) ([]byte, error) {
	lines := strings.SplitAfter(string(src), "\n")
	start := -1
	for i, l := range lines {
		if strings.HasPrefix(l, key+":") {
			start = i
			break
		}
	}
	if start < 0 {
		return nil, fmt.Errorf("the document has no top-level %s", key)
	}
	end := start + 1
	for end < len(lines) && (strings.HasPrefix(lines[end], " ") || strings.TrimSpace(lines[end]) == "") {
		end++
	}
	out := strings.Join(lines[:start], "") + block + strings.Join(lines[end:], "")
	return []byte(out), nil
}

// writeJSON writes a YAML node as JSON, mappings in their order.
func writeJSON(buf *bytes.Buffer, n *yaml.Node) error {
	switch n.Kind {
	case yaml.DocumentNode:
		return writeJSON(buf, n.Content[0])
	case yaml.AliasNode:
		return writeJSON(buf, n.Alias)
	case yaml.MappingNode:
		return writeSeq(buf, '{', '}', n.Content, 2, func(i int) error {
			if err := writeScalar(buf, n.Content[i].Value); err != nil {
				return err
			}
			buf.WriteByte(':')
			return writeJSON(buf, n.Content[i+1])
		})
	case yaml.SequenceNode:
		return writeSeq(buf, '[', ']', n.Content, 1, func(i int) error { return writeJSON(buf, n.Content[i]) })
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return err
	}
	return writeScalar(buf, v)
}

// writeSeq writes the items of a mapping (step 2) or a sequence (step 1)
// between open and close, separated by commas.
func writeSeq(buf *bytes.Buffer, open, close byte, items []*yaml.Node, step int, item func(int) error) error {
	buf.WriteByte(open)
	for i := 0; i < len(items); i += step {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := item(i); err != nil {
			return err
		}
	}
	buf.WriteByte(close)
	return nil
}

// writeScalar writes v as JSON, leaving <, > and & as they are.
func writeScalar(buf *bytes.Buffer, v any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1) // Encode's newline
	return nil
}
