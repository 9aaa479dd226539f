package contract

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/mockserver/mockserver/internal/jsonschema"
	"gopkg.in/yaml.v3"
)

// This file reads a document into the few structures the checks need. The
// documents are ours and fixed at build time; what the OpenAPI 3.1
// meta-schema says of them is checked by the package's tests
// (documents_test.go), not at every start.

// object is a mapping of a document, as the YAML decoder gives it.
type object = map[string]any

// methods are the operation keys of a path item, in the order OpenAPI
// lists them.
var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// document is one parsed OpenAPI document.
type document struct {
	root     object
	paths    []*pathItem // in document order
	security []requirement
	schemes  object // components.securitySchemes
	compiler *jsonschema.Compiler
	base     string // the URL the compiler knows the document by
}

// pathItem is one path of the document.
type pathItem struct {
	template string
	ops      []*operation // in the order of methods
}

// operation is one method of a path.
type operation struct {
	method    string // lower case, as the document writes it
	params    []*parameter
	security  []requirement // nil: the document's
	body      *requestBody
	responses object // status → response object, refs resolved on use
	at        []string
}

// parameter is one parameter of an operation (its path item's included).
type parameter struct {
	name, in string
	required bool
	raw      object // the parameter object, for the routing extensions
	schema   *jsonschema.Schema
	types    []string // the schema's types, to read a text value as one
	at       []string // the pointer to the parameter
}

// requestBody is an operation's request body.
type requestBody struct {
	required bool
	content  object // media type → media type object
}

// requirement is one security requirement: every scheme it names must be
// satisfied; an empty one is anonymous access.
type requirement []string

// parseDocument reads a document's YAML and compiles what the checks need;
// api names it in the compiler's URLs.
func parseDocument(api string, src []byte) (*document, error) {
	var n yaml.Node
	if err := yaml.Unmarshal(src, &n); err != nil {
		return nil, err
	}
	if len(n.Content) == 0 {
		return nil, fmt.Errorf("the document is empty")
	}
	v, err := jsonValue(n.Content[0])
	if err != nil {
		return nil, err
	}
	root, ok := v.(object)
	if !ok {
		return nil, fmt.Errorf("the document is not a mapping")
	}
	d := &document{root: root, base: "mem://docs/openapi/" + api + ".json", compiler: jsonschema.NewCompiler()}
	if err := d.checkRefs(root, "#"); err != nil {
		return nil, err
	}
	if err := d.compiler.AddResource(d.base, root); err != nil {
		return nil, err
	}
	d.schemes, _ = d.lookup("components", "securitySchemes").(object)
	if d.security, err = requirements(root["security"]); err != nil {
		return nil, fmt.Errorf("security: %w", err)
	}
	for _, tmpl := range pathOrder(n.Content[0]) {
		item, err := d.pathItem(tmpl)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", tmpl, err)
		}
		d.paths = append(d.paths, item)
	}
	return d, nil
}

// checkRefs checks that every $ref in v (at the pointer at) names a part
// of the document: a broken one would otherwise pass unseen until a check
// needs it, and then silently check nothing.
func (d *document) checkRefs(v any, at string) error {
	switch c := v.(type) {
	case object:
		if ref, ok := c["$ref"].(string); ok {
			parts := refParts(ref)
			if parts == nil || d.walk(parts) == nil {
				return fmt.Errorf("%s: $ref %q names nothing in the document", at, ref)
			}
		}
		for _, k := range sortedKeys(c) {
			if err := d.checkRefs(c[k], at+"/"+token(k)); err != nil {
				return err
			}
		}
	case []any:
		for i, x := range c {
			if err := d.checkRefs(x, at+"/"+strconv.Itoa(i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// pathOrder lists the keys of the document's paths as written.
func pathOrder(root *yaml.Node) []string {
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != "paths" {
			continue
		}
		var out []string
		ps := root.Content[i+1].Content
		for j := 0; j+1 < len(ps); j += 2 {
			out = append(out, ps[j].Value)
		}
		return out
	}
	return nil
}

// pathItem reads the path tmpl and its operations.
func (d *document) pathItem(tmpl string) (*pathItem, error) {
	item, _ := d.resolveAt([]string{"paths", tmpl})
	p := &pathItem{template: tmpl}
	shared, err := d.parameters(item["parameters"], []string{"paths", tmpl, "parameters"})
	if err != nil {
		return nil, err
	}
	for _, m := range methods {
		raw, ok := item[m].(object)
		if !ok {
			continue
		}
		at := []string{"paths", tmpl, m}
		own, err := d.parameters(raw["parameters"], append(at, "parameters"))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m, err)
		}
		op := &operation{method: m, params: merge(shared, own), at: at}
		op.responses, _ = raw["responses"].(object)
		if sec, ok := raw["security"]; ok {
			if op.security, err = requirements(sec); err != nil {
				return nil, fmt.Errorf("%s: security: %w", m, err)
			}
			if op.security == nil {
				op.security = []requirement{} // security: [] turns the document's off
			}
		}
		if rb, ok := d.resolve(raw["requestBody"]).(object); ok {
			op.body = &requestBody{content: asObject(rb["content"])}
			op.body.required, _ = rb["required"].(bool)
		}
		p.ops = append(p.ops, op)
	}
	return p, nil
}

// parameters reads a parameters list whose pointer is at.
func (d *document) parameters(v any, at []string) ([]*parameter, error) {
	list, _ := v.([]any)
	var out []*parameter
	for i, pv := range list {
		raw, ok := d.resolve(pv).(object)
		if !ok {
			return nil, fmt.Errorf("parameter %d is not an object", i)
		}
		p := &parameter{raw: raw, at: append(append([]string{}, at...), strconv.Itoa(i))}
		p.name, _ = raw["name"].(string)
		p.in, _ = raw["in"].(string)
		p.required, _ = raw["required"].(bool)
		if real := d.schemaAt(append(p.at, "schema")); real != nil {
			var err error
			if p.schema, err = d.compile(real); err != nil {
				return nil, fmt.Errorf("parameter %s: %w", p.name, err)
			}
			p.types = d.types(raw["schema"])
		}
		out = append(out, p)
	}
	return out, nil
}

// merge is a path item's parameters with an operation's, the operation's
// replacing one of the same name and place.
func merge(shared, own []*parameter) []*parameter {
	out := append([]*parameter{}, own...)
	for _, s := range shared {
		replaced := false
		for _, o := range own {
			replaced = replaced || o.name == s.name && o.in == s.in
		}
		if !replaced {
			out = append(out, s)
		}
	}
	return out
}

// requirements reads a security requirement list.
func requirements(v any) ([]requirement, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("not a list")
	}
	out := []requirement{}
	for _, rv := range list {
		r := requirement{}
		for name := range asObject(rv) {
			r = append(r, name)
		}
		out = append(out, r)
	}
	return out, nil
}

// lookup is the value at the pointer parts in the document, or nil; a
// $ref on the way is followed, not one at the end.
func (d *document) lookup(parts ...string) any {
	v, _ := d.locate(parts, false)
	return v
}

// resolveAt is the object at the pointer parts, every $ref on the way and
// at the end followed, and the pointer it really is at.
func (d *document) resolveAt(parts []string) (object, []string) {
	v, real := d.locate(parts, true)
	return asObject(v), real
}

// schemaAt is the real pointer of the schema at the pointer parts (a $ref
// on the way followed), or nil when there is none. A $ref at the end is
// left to the schema compiler: 3.1 lets a schema have siblings beside it.
func (d *document) schemaAt(parts []string) []string {
	v, real := d.locate(parts, false)
	if v == nil {
		return nil
	}
	return real
}

// locate walks the pointer parts from the root, following a $ref wherever
// it meets one on the way (and at the end when last), and returns the
// value found, or nil, and the pointer where it really is.
func (d *document) locate(parts []string, last bool) (any, []string) {
	var v any = d.root
	real := make([]string, 0, len(parts))
	for _, p := range parts {
		v, real = d.follow(v, real)
		if v = child(v, p); v == nil {
			return nil, nil
		}
		real = append(real, p)
	}
	if last {
		v, real = d.follow(v, real)
	}
	return v, real
}

// follow is what v's $ref names, and where, when v is a reference; else v
// at real.
func (d *document) follow(v any, real []string) (any, []string) {
	for range 32 { // a cycle of refs would otherwise never end
		ref, ok := asObject(v)["$ref"].(string)
		if !ok {
			return v, real
		}
		real = refParts(ref)
		if real == nil {
			return nil, nil
		}
		v = d.walk(real)
	}
	return nil, nil
}

// walk is the value at parts, no $ref followed, or nil.
func (d *document) walk(parts []string) any {
	var v any = d.root
	for _, p := range parts {
		v = child(v, p)
	}
	return v
}

// child is the member p of a mapping or a sequence, or nil.
func child(v any, p string) any {
	switch c := v.(type) {
	case object:
		return c[p]
	case []any:
		if i, err := strconv.Atoi(p); err == nil && i >= 0 && i < len(c) {
			return c[i]
		}
	}
	return nil
}

// resolve follows v's $ref, if it has one, to what it names.
func (d *document) resolve(v any) any {
	v, _ = d.follow(v, nil)
	return v
}

// refParts is a local reference ("#/components/...") as pointer parts, or
// nil for any other.
func refParts(ref string) []string {
	ptr, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil
	}
	var parts []string
	for _, p := range strings.Split(ptr, "/") {
		p, _ = url.PathUnescape(p)
		parts = append(parts, strings.NewReplacer("~1", "/", "~0", "~").Replace(p))
	}
	return parts
}

// compile compiles the schema at the pointer parts.
func (d *document) compile(parts []string) (*jsonschema.Schema, error) {
	var frag strings.Builder
	for _, p := range parts {
		frag.WriteString("/" + url.PathEscape(token(p)))
	}
	return d.compiler.Compile(d.base + "#" + frag.String())
}

// types is the types a schema allows at its top (its refs followed, its
// allOf parts included), to read text (a query value, a form field) as
// the number it is meant to be.
func (d *document) types(v any) []string {
	s, _ := d.resolve(v).(object)
	var out []string
	switch t := s["type"].(type) {
	case string:
		out = append(out, t)
	case []any:
		for _, x := range t {
			if name, ok := x.(string); ok {
				out = append(out, name)
			}
		}
	}
	for _, part := range asSlice(s["allOf"]) {
		out = append(out, d.types(part)...)
	}
	return out
}

// property is the schema of key in an object schema, or nil; the parts of
// an allOf (a required list beside a shared $ref) are searched too.
func (d *document) property(schema any, key string) any {
	s, _ := d.resolve(schema).(object)
	if p, ok := asObject(s["properties"])[key]; ok {
		return p
	}
	for _, part := range asSlice(s["allOf"]) {
		if p := d.property(part, key); p != nil {
			return p
		}
	}
	return nil
}

// asObject is v as a mapping, or nil.
func asObject(v any) object {
	o, _ := v.(object)
	return o
}

// asSlice is v as a sequence, or nil.
func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// jsonValue is a YAML node as the values encoding/json decodes (numbers
// as json.Number, which the schema validator reads exactly), mapping keys
// as text whatever they look like ("200").
func jsonValue(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.AliasNode:
		return jsonValue(n.Alias)
	case yaml.MappingNode:
		out := make(object, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := jsonValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			out[n.Content[i].Value] = v
		}
		return out, nil
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := jsonValue(c)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case int, int64, uint64:
		return json.Number(fmt.Sprint(x)), nil
	case float64:
		return json.Number(strconv.FormatFloat(x, 'g', -1, 64)), nil
	}
	return v, nil
}
