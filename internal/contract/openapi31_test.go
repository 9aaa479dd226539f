package contract_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/mockserver/mockserver/docs/openapi"
	"github.com/mockserver/mockserver/internal/jsonschema"
	"github.com/mockserver/mockserver/internal/jsonschema/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"gopkg.in/yaml.v3"
)

// metaSchema is the OpenAPI 3.1 specification's own JSON Schema of a
// document (https://spec.openapis.org/oas/3.1/schema/2022-10-07), vendored
// in testdata: it closes every object of the specification
// (unevaluatedProperties: false, extensions aside), so a misspelt field
// fails, and lists the values of fixed fields such as a parameter's "in".
var metaSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	src, err := os.ReadFile("testdata/oas-3.1-schema.json")
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(src))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	const url = "https://spec.openapis.org/oas/3.1/schema/2022-10-07"
	if err := c.AddResource(url, doc); err != nil {
		return nil, err
	}
	return c.Compile(url)
})

// openAPI31Problems lists how a document (YAML or JSON) departs from the
// OpenAPI 3.1 meta-schema, one line per failed keyword; none for a valid
// document.
func openAPI31Problems(t *testing.T, src []byte) []string {
	t.Helper()
	sch, err := metaSchema()
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return []string{err.Error()}
	}
	// Through JSON, as a tool reads the document: a mapping key that is not
	// text (an unquoted 200) stops here.
	b, err := json.Marshal(doc)
	if err != nil {
		return []string{"not a JSON document: " + err.Error()}
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return []string{err.Error()}
	}
	if version, _ := v.(map[string]any)["openapi"].(string); version != "3.1.0" {
		return []string{fmt.Sprintf("openapi %q, want 3.1.0", version)}
	}
	err = sch.Validate(v)
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return []string{err.Error()}
	}
	var out []string
	var leaves func(e *jsonschema.ValidationError)
	leaves = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			msg := e.ErrorKind.LocalizedString(printer)
			if _, ok := e.ErrorKind.(*kind.FalseSchema); ok {
				msg = "not a field of the specification" // unevaluatedProperties: false
			}
			out = append(out, "/"+strings.Join(e.InstanceLocation, "/")+": "+msg)
		}
		for _, c := range e.Causes {
			leaves(c)
		}
	}
	leaves(ve)
	return out
}

// printer words the meta-schema's failures.
var printer = message.NewPrinter(language.English)

// documents are the documents as YAML decodes them, parsed once for all
// the tests.
var documents = sync.OnceValues(func() (map[string]map[string]any, error) {
	out := map[string]map[string]any{}
	for _, api := range openapi.APIs {
		src, _ := openapi.Source(api)
		var doc map[string]any
		if err := yaml.Unmarshal(src, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", api, err)
		}
		out[api] = doc
	}
	return out, nil
})

// document is api's document as YAML decodes it.
func document(t *testing.T, api string) map[string]any {
	t.Helper()
	docs, err := documents()
	if err != nil {
		t.Fatal(err)
	}
	return docs[api]
}

// resolve is v, or what its $ref names in doc ("#/components/..."), as a
// mapping.
func resolve(doc map[string]any, v any) map[string]any {
	for range 32 {
		m, _ := v.(map[string]any)
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		v = doc
		for _, p := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			p = strings.NewReplacer("~1", "/", "~0", "~").Replace(p)
			v, _ = v.(map[string]any)[p]
		}
	}
	return nil
}

// mapping is v as a mapping, or nil.
func mapping(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// operationKeys are the keys of a path item that are operations.
var operationKeys = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}
