package contract_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/docs/openapi"
	"github.com/mockserver/mockserver/internal/contract"
	"github.com/mockserver/mockserver/internal/servertest"
	"github.com/pb33f/go-yaml"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	"github.com/pb33f/libopenapi/datamodel"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/pb33f/libopenapi/orderedmap"
)

// model parses api's document with libopenapi, failing the test on any
// error of the document or its model (a broken $ref, say).
func model(t *testing.T, api string) (libopenapi.Document, *v3.Document) {
	t.Helper()
	src, ok := openapi.Source(api)
	if !ok {
		t.Fatalf("no document for %s", api)
	}
	doc, err := libopenapi.NewDocument(src)
	if err != nil {
		t.Fatalf("%s: %v", api, err)
	}
	m, err := doc.BuildV3Model()
	if err != nil {
		t.Fatalf("%s: %v", api, err)
	}
	return doc, &m.Model
}

// TestDocuments_validOpenAPI31 checks each document against the OpenAPI 3.1
// specification's own schema with libopenapi-validator, which implements
// 3.1 and JSON Schema 2020-12 in full.
func TestDocuments_validOpenAPI31(t *testing.T) {
	for _, api := range openapi.APIs {
		t.Run(api, func(t *testing.T) {
			doc, _ := model(t, api)
			if info := doc.GetSpecInfo(); info.SpecFormat != datamodel.OAS31 || info.Version != "3.1.0" {
				t.Errorf("format %s version %s, want OpenAPI 3.1.0", info.SpecFormat, info.Version)
			}
			v, errs := validator.NewValidator(doc)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			if ok, errs := v.ValidateDocument(); !ok {
				for _, e := range errs {
					t.Error(e)
				}
			}
			if _, err := contract.For(api); err != nil {
				t.Error(err)
			}
		})
	}
}

// example is one example value of a document and the schema it must fit.
type example struct {
	where  string
	schema *base.SchemaProxy
	value  *yaml.Node
}

// examples lists every example of content and parameters in doc.
func examples(doc *v3.Document) []example {
	var out []example
	content := func(where string, c *orderedmap.Map[string, *v3.MediaType]) {
		for ct, mt := range c.FromOldest() {
			if mt.Example != nil {
				out = append(out, example{where + " " + ct, mt.Schema, mt.Example})
			}
			for name, ex := range mt.Examples.FromOldest() {
				out = append(out, example{where + " " + ct + " " + name, mt.Schema, ex.Value})
			}
		}
	}
	params := func(where string, ps []*v3.Parameter) {
		for _, p := range ps {
			if p.Example != nil {
				out = append(out, example{where + " parameter " + p.Name, p.Schema, p.Example})
			}
			for name, ex := range p.Examples.FromOldest() {
				out = append(out, example{where + " parameter " + p.Name + " " + name, p.Schema, ex.Value})
			}
		}
	}
	for path, item := range doc.Paths.PathItems.FromOldest() {
		params(path, item.Parameters)
		for method, op := range item.GetOperations().FromOldest() {
			where := method + " " + path
			params(where, op.Parameters)
			if op.RequestBody != nil {
				content(where+" request", op.RequestBody.Content)
			}
			for code, resp := range op.Responses.Codes.FromOldest() {
				content(where+" "+code, resp.Content)
			}
		}
	}
	for name, resp := range doc.Components.Responses.FromOldest() {
		content("components.responses."+name, resp.Content)
	}
	return out
}

// TestDocuments_examplesFitTheirSchemas holds every example (the vendors'
// own among them) to the schema beside it: an example a client tool sends
// or shows must be one the document allows.
func TestDocuments_examplesFitTheirSchemas(t *testing.T) {
	sv := schema_validation.NewSchemaValidator()
	for _, api := range openapi.APIs {
		_, doc := model(t, api)
		exs := examples(doc)
		if len(exs) < 20 {
			t.Errorf("%s: only %d examples", api, len(exs))
		}
		for _, ex := range exs {
			var v any
			if err := ex.value.Decode(&v); err != nil {
				t.Errorf("%s %s: %v", api, ex.where, err)
				continue
			}
			if ex.schema == nil {
				continue // text/html of carreta's redirect: no body to show
			}
			if ok, errs := sv.ValidateSchemaObject(ex.schema.Schema(), v); !ok {
				for _, e := range errs {
					t.Errorf("%s %s: %v", api, ex.where, e)
				}
			}
		}
	}
}

// echoParam is a parameter of an echo route path.
var echoParam = regexp.MustCompile(`:[a-z_]+`)

// concrete is an echo route path with a value for each parameter, so the
// document's routing rules can place it.
func concrete(path string) string {
	path = echoParam.ReplaceAllString(path, "1")
	if strings.HasSuffix(path, "*") {
		path = strings.TrimSuffix(path, "*") + "page/1"
	}
	return path
}

// shape is a path with every parameter made anonymous, so an echo path and
// a document's template can be compared.
func shape(path string) string {
	path = regexp.MustCompile(`\{[a-z_]+\}`).ReplaceAllString(path, "{}")
	path = echoParam.ReplaceAllString(path, "{}")
	if strings.HasSuffix(path, "*") { // the rest parameter (saplab's filters)
		path = strings.TrimSuffix(path, "*") + "{}"
	}
	return path
}

// prefixes are the path prefixes of the documented APIs.
var prefixes = map[string]string{"/api": "amapi", "/v1": "carreta", "/panel": "saplab"}

// apiOf names the API that owns an echo route path.
func apiOf(path string) string {
	for p, api := range prefixes {
		if path == p || strings.HasPrefix(path, p+"/") {
			return api
		}
	}
	return ""
}

// TestRoutes_documented holds the documents to the routes the server
// registers, both ways. Each route of an API's prefix must land where the
// document says it does: a route with a handler on an operation (a HEAD
// route on its GET, a slash variant on its path, as x-unrouted says), the
// route table's 405 answer of a known path on that path but no operation
// of it, carreta's bare paths on the redirect x-unrouted describes. And
// every operation of a document must have a route with a handler.
func TestRoutes_documented(t *testing.T) {
	m := servertest.Start(t, servertest.Options{})
	served := map[string]bool{} // "METHOD shape" of routes with a handler
	for _, r := range m.Srv.Routes() {
		api := apiOf(r.Path)
		if api == "" {
			continue
		}
		k, err := contract.For(api)
		if err != nil {
			t.Fatal(err)
		}
		stub := strings.Contains(r.Name, "route.Table") && strings.Contains(r.Name, "notAllowed")
		tmpl, miss := k.Lookup(r.Method, concrete(r.Path))
		switch {
		case r.Method == echo.RouteNotFound: // the group's own 404, for paths no route has
			if miss != "unknown-path" {
				t.Errorf("%s's 404 route %s is a path its document has", api, r.Path)
			}
		case miss == "bare-path":
		case stub && miss != "other-method":
			t.Errorf("%s %s answers 405, but %s's document says %q (%s)", r.Method, r.Path, api, miss, tmpl)
		case !stub && miss != "":
			t.Errorf("%s %s is served, but %s's document has no operation for it (%s)", r.Method, r.Path, api, miss)
		case !stub:
			served[r.Method+" "+shape(strings.TrimSuffix(r.Path, "/"))] = true
			served[r.Method+" "+shape(r.Path)] = true
		}
	}
	for _, api := range openapi.APIs {
		k, _ := contract.For(api)
		ops := k.Operations()
		if len(ops) == 0 {
			t.Errorf("%s: no operations", api)
		}
		for _, op := range ops {
			if !served[op.Method+" "+shape(op.Path)] {
				t.Errorf("%s documents %s %s, which the server does not serve", api, op.Method, op.Path)
			}
		}
	}
	if len(served) == 0 {
		t.Fatal("no vendor routes found")
	}
}

// TestRoutes_everyOperationNamed keeps operationIds unique and present:
// client tools and code generators name requests and functions by them.
func TestRoutes_everyOperationNamed(t *testing.T) {
	for _, api := range openapi.APIs {
		_, doc := model(t, api)
		var ids []string
		for path, item := range doc.Paths.PathItems.FromOldest() {
			for method, op := range item.GetOperations().FromOldest() {
				if op.OperationId == "" || slices.Contains(ids, op.OperationId) {
					t.Errorf("%s %s %s: operationId %q missing or repeated", api, method, path, op.OperationId)
				}
				ids = append(ids, op.OperationId)
			}
		}
	}
}
