package contract_test

import (
	"bytes"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/docs/openapi"
	"github.com/mockserver/mockserver/internal/contract"
	"github.com/mockserver/mockserver/internal/servertest"
)

// TestDocuments_validOpenAPI31 checks each document against the OpenAPI 3.1
// specification's own schema (the meta-schema, in JSON Schema 2020-12),
// and that the checks of traffic can read it.
func TestDocuments_validOpenAPI31(t *testing.T) {
	t.Parallel()
	for _, api := range openapi.APIs {
		t.Run(api, func(t *testing.T) {
			src, _ := openapi.Source(api)
			for _, p := range openAPI31Problems(t, src) {
				t.Error(p)
			}
			if _, err := contract.For(api); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestDocuments_metaSchemaCatches proves the check above can fail, with the
// mistakes a hand-written document check let through: a misspelt field, a
// parameter "in: body" (OpenAPI 2), a version that is not 3.1, and a
// response code that is not text.
func TestDocuments_metaSchemaCatches(t *testing.T) {
	t.Parallel()
	src, _ := openapi.Source("carreta")
	for _, c := range []struct{ name, old, new, want string }{
		{"misspelt field", "      operationId: profile\n", "      operationId: profile\n      sumary: x\n", "/get/sumary: not a field of the specification"},
		{"in: body", "          in: query\n", "          in: body\n", "/parameters/0/in: value must be one of"},
		{"OpenAPI 3.0", "openapi: 3.1.0\n", "openapi: 3.0.3\n", `openapi "3.0.3", want 3.1.0`},
		{"unquoted status", `        "200":`, "        200:", "not a JSON document"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if !bytes.Contains(src, []byte(c.old)) {
				t.Fatalf("carreta.yaml has no %q any more", c.old)
			}
			broken := bytes.Replace(src, []byte(c.old), []byte(c.new), 1)
			problems := openAPI31Problems(t, broken)
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, c.want) }) {
				t.Errorf("%s passed the check (%q)", c.name, problems)
			}
		})
	}
}

// TestDocuments_brokenRefStopsTheStart: a $ref that names nothing makes
// the document unusable for the checks (and --contract-check's start).
// Not in parallel: were the check to let a broken document through, Replace
// would serve it to every test running beside this one.
func TestDocuments_brokenRefStopsTheStart(t *testing.T) {
	src, _ := openapi.Source("carreta")
	for _, ref := range []string{"#/components/parameters/OrderID", "#/components/schemas/Error"} {
		broken := bytes.Replace(src, []byte(`"`+ref+`"`), []byte(`"`+ref+`Typo"`), 1)
		if bytes.Equal(broken, src) {
			t.Fatalf("carreta.yaml has no %s any more", ref)
		}
		restore, err := contract.Replace("carreta", broken)
		if err == nil {
			restore()
			t.Errorf("a broken %s passed", ref)
		} else if !strings.Contains(err.Error(), ref+"Typo") {
			t.Errorf("a broken %s: %v", ref, err)
		}
	}
}

// example is one example value of a document and the pointer to the
// schema it must fit.
type example struct {
	where  string
	schema []string
	value  any
}

// examples lists every example of content and parameters in doc.
func examples(doc map[string]any) []example {
	var out []example
	content := func(where string, at []string, c any) {
		for ct, mt := range mapping(c) {
			mt := mapping(mt)
			schema := slices.Concat(at, []string{"content", ct, "schema"})
			if _, ok := mt["schema"]; !ok {
				schema = nil
			}
			if v, ok := mt["example"]; ok {
				out = append(out, example{where + " " + ct, schema, v})
			}
			for name, ex := range mapping(mt["examples"]) {
				out = append(out, example{where + " " + ct + " " + name, schema, resolve(doc, ex)["value"]})
			}
		}
	}
	params := func(where string, at []string, ps any) {
		list, _ := ps.([]any)
		for i, pv := range list {
			p := resolve(doc, pv)
			schema := slices.Concat(at, []string{"parameters", strconv.Itoa(i), "schema"})
			if v, ok := p["example"]; ok {
				out = append(out, example{where + " parameter " + p["name"].(string), schema, v})
			}
			for name, ex := range mapping(p["examples"]) {
				out = append(out, example{where + " parameter " + p["name"].(string) + " " + name, schema, resolve(doc, ex)["value"]})
			}
		}
	}
	for path, iv := range mapping(doc["paths"]) {
		item := resolve(doc, iv)
		params(path, []string{"paths", path}, item["parameters"])
		for _, method := range operationKeys {
			op := mapping(item[method])
			if op == nil {
				continue
			}
			where, at := method+" "+path, []string{"paths", path, method}
			params(where, at, op["parameters"])
			if rb := resolve(doc, op["requestBody"]); rb != nil {
				content(where+" request", append(at, "requestBody"), rb["content"])
			}
			for code, resp := range mapping(op["responses"]) {
				content(where+" "+code, slices.Concat(at, []string{"responses", code}), resolve(doc, resp)["content"])
			}
		}
	}
	for name, resp := range mapping(mapping(doc["components"])["responses"]) {
		content("components.responses."+name, []string{"components", "responses", name}, resolve(doc, resp)["content"])
	}
	return out
}

// TestDocuments_examplesFitTheirSchemas holds every example (the vendors'
// own among them) to the schema beside it, with the validator the checks
// of traffic use: an example a client tool sends or shows must be one the
// document allows.
func TestDocuments_examplesFitTheirSchemas(t *testing.T) {
	t.Parallel()
	for _, api := range openapi.APIs {
		exs := examples(document(t, api))
		if len(exs) < 20 {
			t.Errorf("%s: only %d examples", api, len(exs))
		}
		for _, ex := range exs {
			if ex.schema == nil {
				continue // text/html of carreta's redirect: no body to show
			}
			vs, err := contract.Validate(api, ex.schema, ex.value)
			if err != nil {
				t.Errorf("%s %s: %v", api, ex.where, err)
			}
			for _, v := range vs {
				t.Errorf("%s %s: %v", api, ex.where, v)
			}
		}
	}
}

// TestDocuments_examplesAreChecked proves the test above can fail: an
// example that does not fit its schema is found.
func TestDocuments_examplesAreChecked(t *testing.T) {
	t.Parallel()
	at := []string{"paths", "/v1/order/", "post", "requestBody", "content", "application/json", "schema"}
	vs, err := contract.Validate("carreta", at, map[string]any{"order_qty": "ten"})
	if err != nil || len(vs) == 0 {
		t.Fatalf("a body with order_qty \"ten\" fits carreta's order schema (%v)", err)
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
	t.Parallel()
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
	t.Parallel()
	for _, api := range openapi.APIs {
		doc := document(t, api)
		var ids []string
		for path, item := range mapping(doc["paths"]) {
			for _, method := range operationKeys {
				op := mapping(resolve(doc, item)[method])
				if op == nil {
					continue
				}
				id, _ := op["operationId"].(string)
				if id == "" || slices.Contains(ids, id) {
					t.Errorf("%s %s %s: operationId %q missing or repeated", api, method, path, id)
				}
				ids = append(ids, id)
			}
		}
	}
}
