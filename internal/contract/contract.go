// Package contract checks HTTP traffic against the OpenAPI 3.1 documents of
// the vendor APIs (docs/openapi, SPEC §13): whether a request is one the
// document describes, and whether an answer is one it allows. The test suite
// runs every answer of every vendor test through it (servertest), so the
// documents cannot drift from what the mock does; --contract-check runs every
// incoming request through it and records what does not conform.
//
// The package reads the YAML itself into the few structures a check needs
// (document.go) and validates bodies and parameters with
// github.com/santhosh-tekuri/jsonschema (our copy, internal/jsonschema,
// whose meta-schemas compile on first use rather than at every start of
// the server), which implements JSON Schema 2020-12 (type lists, const,
// if/then), the dialect of OpenAPI 3.1. It
// resolves the operation by the routing rules the documents state in their
// x-unrouted and parameter extensions (match.go, unrouted.go): the vendors
// do not ignore a trailing slash as most routers do (Django redirects the
// bare path). Whether a document is valid OpenAPI 3.1 at all is a question
// for the package's tests, which hold each document to the specification's
// meta-schema (documents_test.go); checking traffic does not need it, and
// every binary that checks traffic stays small.
package contract

import (
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/mockserver/mockserver/docs/openapi"
	"github.com/mockserver/mockserver/internal/jsonschema"
)

// Violation is one way a request or an answer departs from its document:
// where in the document (a JSON pointer, "#/paths/~1v1~1order~1/post/...",
// down to the schema keyword that failed) and what is wrong.
type Violation struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// String is the violation as one line, for test failures and logs.
func (v Violation) String() string { return v.Path + ": " + v.Message }

// Contract is one API's document, ready to check traffic. It is safe for
// concurrent use.
type Contract struct {
	// API names the API, as the server names it ("amapi").
	API      string
	doc      *document
	routes   []*route
	unrouted unrouted
	// schemas are the compiled schemas of bodies and response headers, by
	// the pointer where they are in the document.
	schemas map[string]*jsonschema.Schema
}

// loaders parse each document once per process, when it is first asked
// for: the documents never change at run time, the test suite starts
// hundreds of servers, and a package's tests mostly talk to one API.
var loaders = func() map[string]func() (*Contract, error) {
	out := map[string]func() (*Contract, error){}
	for _, api := range openapi.APIs {
		out[api] = sync.OnceValues(func() (*Contract, error) {
			src, _ := openapi.Source(api)
			c, err := parse(api, src)
			if err != nil {
				return nil, fmt.Errorf("docs/openapi/%s.yaml: %w", api, err)
			}
			return c, nil
		})
	}
	return out
}()

// For returns the contract of api ("amapi", "carreta", "saplab").
func For(api string) (*Contract, error) {
	load, ok := loaders[api]
	if !ok {
		return nil, fmt.Errorf("no OpenAPI document for %q", api)
	}
	return load()
}

// parse builds the contract of one document.
func parse(api string, src []byte) (*Contract, error) {
	doc, err := parseDocument(api, src)
	if err != nil {
		return nil, err
	}
	c := &Contract{API: api, doc: doc}
	if c.routes, err = routes(doc); err != nil {
		return nil, err
	}
	if c.unrouted, err = readUnrouted(doc); err != nil {
		return nil, err
	}
	if err := c.compileContent(); err != nil {
		return nil, err
	}
	return c, nil
}

// resolution is where a request lands in the document.
type resolution struct {
	m    *match     // the path, when one matched
	op   *operation // the operation, when the method has one
	miss string     // otherwise which x-unrouted case applies
}

// resolve finds the operation r asks for, by the document's routing rules.
func (c *Contract) resolve(r *http.Request) resolution {
	path := r.URL.EscapedPath()
	m := find(c.routes, path)
	if m == nil && c.unrouted.TrailingSlash == slashOptional && len(path) > 1 && strings.HasSuffix(path, "/") {
		m = find(c.routes, strings.TrimSuffix(path, "/"))
	}
	if m == nil {
		if c.unrouted.TrailingSlash == slashRedirect && !strings.HasSuffix(path, "/") && find(c.routes, path+"/") != nil {
			return resolution{miss: missBarePath}
		}
		return resolution{miss: missUnknownPath}
	}
	op := m.route.item.operation(r.Method)
	if op == nil && r.Method == http.MethodHead && c.unrouted.Head == "get" {
		op = m.route.item.operation(http.MethodGet)
	}
	if op == nil {
		return resolution{m: m, miss: missOtherMethod}
	}
	return resolution{m: m, op: op}
}

// operation is item's operation for method, or nil.
func (item *pathItem) operation(method string) *operation {
	for _, op := range item.ops {
		if strings.EqualFold(op.method, method) {
			return op
		}
	}
	return nil
}

// Request checks a request (its body already read) against the document.
func (c *Contract) Request(r *http.Request, body []byte) (vs []Violation) {
	defer survive(&vs)
	if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
		return nil // a CORS preflight: the browser asks it, not the client's code
	}
	res := c.resolve(r)
	if res.op == nil {
		return []Violation{c.unrouted.requestViolation(res.miss, r)}
	}
	return c.checkRequest(res, r, body)
}

// Response checks the answer to r: its status, headers and body.
func (c *Contract) Response(r *http.Request, status int, header http.Header, body []byte) (vs []Violation) {
	defer survive(&vs)
	res := c.resolve(r)
	if res.op == nil {
		return c.checkUnrouted(res.miss, r, status, header, body)
	}
	return c.checkResponse(res, r, status, header, body)
}

// survive turns a panic of a check into a violation that says so: the
// check runs beside serving (--contract-check), where a crash in the
// checker must not cost the client its answer.
func survive(vs *[]Violation) {
	if r := recover(); r != nil {
		*vs = append(*vs, Violation{Path: "#", Message: fmt.Sprintf("the check itself failed: %v", r)})
	}
}

// mediaType is the Content-Type of h without its parameters, lower case.
func mediaType(h http.Header) string {
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	return mt
}

// Report is an answer that does not conform to its API's document, as the
// server tells Config.CheckAnswers of it.
type Report struct {
	API    string
	Method string
	// Target is the request's path and query as sent.
	Target     string
	Status     int
	Body       []byte
	Violations []Violation
}

// String says what was asked, what came back and what is wrong with it.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s answered %s %s with %d, which its OpenAPI document does not allow:", r.API, r.Method, r.Target, r.Status)
	for _, v := range r.Violations {
		b.WriteString("\n    " + v.String())
	}
	body := r.Body
	if len(body) > 600 {
		body = append(body[:600:600], "..."...)
	}
	fmt.Fprintf(&b, "\n  body: %s", body)
	return b.String()
}

// Operation is one operation of a document: its method (upper case) and
// path template.
type Operation struct{ Method, Path string }

// Operations lists the document's operations, in document order.
func (c *Contract) Operations() []Operation {
	var out []Operation
	for _, r := range c.routes {
		for _, op := range r.item.ops {
			out = append(out, Operation{Method: strings.ToUpper(op.method), Path: r.template})
		}
	}
	return out
}

// Lookup says where a request lands in the document: the path template of
// the operation that takes it, or, when none does, the x-unrouted case
// that says what it gets ("unknown-path", "other-method", "bare-path").
func (c *Contract) Lookup(method, escapedPath string) (template, miss string) {
	u := url.URL{Path: escapedPath, RawPath: escapedPath}
	if p, err := url.PathUnescape(escapedPath); err == nil {
		u.Path = p
	}
	res := c.resolve(&http.Request{Method: method, URL: &u})
	if res.op == nil {
		return "", res.miss
	}
	return res.m.route.template, ""
}
