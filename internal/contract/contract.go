// Package contract checks HTTP traffic against the OpenAPI 3.1 documents of
// the vendor APIs (docs/openapi, SPEC §13): whether a request is one the
// document describes, and whether an answer is one it allows. The test suite
// runs every answer of every vendor test through it (servertest), so the
// documents cannot drift from what the mock does; --contract-check runs every
// incoming request through it and records what does not conform.
//
// Validation is github.com/pb33f/libopenapi-validator, which implements
// OpenAPI 3.1 and JSON Schema 2020-12 (type lists, const, if/then). The
// library finds operations by path the way most routers do, ignoring a
// trailing slash; the vendors do not (Django redirects the bare path), so
// this package resolves the operation itself, by the routing rules the
// documents state in their x-unrouted and parameter extensions (match.go,
// unrouted.go), and hands the library the operation it found.
package contract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/mockserver/mockserver/docs/openapi"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
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
	model    *v3.Document
	v        validator.Validator
	routes   []*route
	unrouted unrouted
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
	doc, err := libopenapi.NewDocument(src)
	if err != nil {
		return nil, err
	}
	m, err := doc.BuildV3Model()
	if err != nil {
		return nil, err
	}
	c := &Contract{API: api, model: &m.Model}
	if c.routes, err = routes(c.model); err != nil {
		return nil, err
	}
	if c.unrouted, err = readUnrouted(c.model); err != nil {
		return nil, err
	}
	v, errs := validator.NewValidator(doc,
		config.WithBodyDecoder("application/x-www-form-urlencoded", phpForm()),
		config.WithBodyDecoder("multipart/form-data", phpForm()))
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	c.v = v
	return c, nil
}

// resolution is where a request lands in the document.
type resolution struct {
	m    *match        // the path, when one matched
	op   *v3.Operation // the operation, when the method has one
	miss string        // otherwise which x-unrouted case applies
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
	op := operation(m.route.item, r.Method)
	if op == nil && r.Method == http.MethodHead && c.unrouted.Head == "get" {
		op = m.route.item.Get
	}
	if op == nil {
		return resolution{m: m, miss: missOtherMethod}
	}
	return resolution{m: m, op: op}
}

// operation is item's operation for method, or nil.
func operation(item *v3.PathItem, method string) *v3.Operation {
	for m, op := range item.GetOperations().FromOldest() {
		if strings.EqualFold(m, method) {
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
	req := rewrite(r, res.m, body)
	_, errs := c.v.ValidateHttpRequestSyncWithPathItem(req, res.m.route.item, res.m.route.template)
	at := []string{"requestBody", "content", mediaType(r.Header), "schema"}
	return violations(errs, res.m.route.template, r.Method, at)
}

// Response checks the answer to r: its status, headers and body.
func (c *Contract) Response(r *http.Request, status int, header http.Header, body []byte) (vs []Violation) {
	defer survive(&vs)
	res := c.resolve(r)
	if res.op == nil {
		return c.unrouted.check(c.model, res.miss, r, status, header, body)
	}
	if r.Method == http.MethodHead {
		// HEAD answers are GET's without the body (x-unrouted head: get).
		return statusOnly(res.op, res.m.route.template, "get", status)
	}
	req := rewrite(r, res.m, nil)
	resp := &http.Response{StatusCode: status, Header: header, Body: io.NopCloser(bytes.NewReader(body)), Request: req}
	_, errs := c.v.GetResponseBodyValidator().ValidateResponseBodyWithPathItem(req, resp, res.m.route.item, res.m.route.template)
	at := []string{"responses", strconv.Itoa(status), "content", mediaType(header), "schema"}
	return violations(errs, res.m.route.template, r.Method, at)
}

// survive turns a panic of a check into a violation that says so: the
// check runs beside serving (--contract-check), where a crash in the
// checker must not cost the client its answer.
func survive(vs *[]Violation) {
	if r := recover(); r != nil {
		*vs = append(*vs, Violation{Path: "#", Message: fmt.Sprintf("the check itself failed: %v", r)})
	}
}

// statusOnly checks that op documents status, for an answer without a body.
func statusOnly(op *v3.Operation, template, method string, status int) []Violation {
	if op.Responses == nil || op.Responses.Codes.GetOrZero(strconv.Itoa(status)) != nil || op.Responses.Default != nil {
		return nil
	}
	return []Violation{{Path: pointer("paths", template, method, "responses"),
		Message: fmt.Sprintf("status %d is not one of the operation's responses", status)}}
}

// mediaType is the Content-Type of h without its parameters.
func mediaType(h http.Header) string {
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	return mt
}

// rewrite is r as the library should read it: the path as matched (a rest
// parameter's segments escaped into one, so it validates as one value) and
// a fresh body.
func rewrite(r *http.Request, m *match, body []byte) *http.Request {
	out := r.Clone(r.Context())
	u := *r.URL
	u.RawPath = m.path
	if p, err := url.PathUnescape(m.path); err == nil {
		u.Path = p
	}
	out.URL = &u
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.ContentLength = int64(len(body))
	return out
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
		for m := range r.item.GetOperations().FromOldest() {
			out = append(out, Operation{Method: strings.ToUpper(m), Path: r.template})
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
