package contract

import (
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/pb33f/libopenapi-validator/schema_validation"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/pb33f/libopenapi/orderedmap"
)

// The x-unrouted extension of a document says what the API answers a request
// the document does not describe. OpenAPI describes operations, not a
// router's misses, yet every API answers them in its own envelope, and the
// mock's tests send such requests on purpose: the extension names, by
// status, the component responses those answers conform to.
const extUnrouted = "x-unrouted"

// Trailing-slash rules of x-unrouted.
const (
	// slashOptional: every path is served with one trailing slash too
	// (Laravel, the panel's PHP front controller).
	slashOptional = "optional"
	// slashRedirect: paths are written with their slash and the bare path
	// is redirected to it (Django's APPEND_SLASH).
	slashRedirect = "redirect"
)

// The cases of x-unrouted, as its keys name them.
const (
	missUnknownPath = "unknown-path"
	missOtherMethod = "other-method"
	missBarePath    = "bare-path"
)

// unrouted is a document's x-unrouted.
type unrouted struct {
	TrailingSlash string `yaml:"trailing-slash"`
	// Head "get": every GET path answers HEAD with the GET's status, no body.
	Head string `yaml:"head"`
	// Each case maps a status to the component response the answer conforms to.
	UnknownPath map[string]string `yaml:"unknown-path"`
	OtherMethod map[string]string `yaml:"other-method"`
	BarePath    map[string]string `yaml:"bare-path"`
}

// readUnrouted reads the document's x-unrouted and checks that every
// response it names exists.
func readUnrouted(doc *v3.Document) (unrouted, error) {
	u, ok := extension[unrouted](doc.Extensions, extUnrouted)
	if !ok {
		return u, fmt.Errorf("no %s extension", extUnrouted)
	}
	if u.TrailingSlash != "" && u.TrailingSlash != slashOptional && u.TrailingSlash != slashRedirect {
		return u, fmt.Errorf("%s.trailing-slash: %q is neither %s nor %s", extUnrouted, u.TrailingSlash, slashOptional, slashRedirect)
	}
	for _, cases := range []map[string]string{u.UnknownPath, u.OtherMethod, u.BarePath} {
		for status, name := range cases {
			if componentResponse(doc, name) == nil {
				return u, fmt.Errorf("%s: %s names %q, which is not in components.responses", extUnrouted, status, name)
			}
		}
	}
	return u, nil
}

// cases is the status → response map of one case.
func (u unrouted) cases(miss string) map[string]string {
	switch miss {
	case missUnknownPath:
		return u.UnknownPath
	case missOtherMethod:
		return u.OtherMethod
	}
	return u.BarePath
}

// componentResponse is components.responses[name], or nil.
func componentResponse(doc *v3.Document, name string) *v3.Response {
	if doc.Components == nil {
		return nil
	}
	return doc.Components.Responses.GetOrZero(name)
}

// requestViolation says why a request the document does not describe is
// not a conforming one.
func (u unrouted) requestViolation(miss string, r *http.Request) Violation {
	switch miss {
	case missOtherMethod:
		return Violation{Path: pointer("paths"), Message: fmt.Sprintf("%s is not an operation of %s", r.Method, r.URL.Path)}
	case missBarePath:
		return Violation{Path: pointer(extUnrouted, missBarePath), Message: fmt.Sprintf(
			"%s is documented with a trailing slash; without it the answer is a redirect (a POST loses its body)", r.URL.Path)}
	}
	return Violation{Path: pointer("paths"), Message: fmt.Sprintf("no path of the document matches %s", r.URL.Path)}
}

// check checks the answer to a request the document does not describe
// against the component response x-unrouted names for its case and status.
func (u unrouted) check(doc *v3.Document, miss string, r *http.Request, status int, header http.Header, body []byte) []Violation {
	cases := u.cases(miss)
	at := pointer(extUnrouted, miss)
	name, ok := cases[strconv.Itoa(status)]
	if !ok {
		return []Violation{{Path: at, Message: fmt.Sprintf("%s %s answered %d; the document allows %s", r.Method, r.URL.Path, status, statuses(cases))}}
	}
	resp := componentResponse(doc, name)
	out := checkHeaders(resp, header, pointer("components", "responses", name, "headers"))
	if r.Method == http.MethodHead {
		return out // no body to check
	}
	return append(out, checkContent(resp, header, body, pointer("components", "responses", name, "content"))...)
}

// statuses lists a case's statuses for a message.
func statuses(cases map[string]string) string {
	var s []string
	for k := range cases {
		s = append(s, k)
	}
	slices.Sort(s)
	if len(s) == 0 {
		return "no answer at all"
	}
	return strings.Join(s, ", ")
}

// checkHeaders checks that every required header of resp was sent.
func checkHeaders(resp *v3.Response, header http.Header, at string) []Violation {
	var out []Violation
	for name, h := range resp.Headers.FromOldest() {
		if h.Required && header.Get(name) == "" {
			out = append(out, Violation{Path: at + "/" + token(name), Message: "the required header " + name + " is missing"})
		}
	}
	return out
}

// checkContent checks body against resp's content: its media type must be
// one resp lists, and a JSON body must fit its schema. A response without
// content must come without a body.
func checkContent(resp *v3.Response, header http.Header, body []byte, at string) []Violation {
	if orderedmap.Len(resp.Content) == 0 {
		if len(body) > 0 {
			return []Violation{{Path: at, Message: "the response has no content, but a body was sent"}}
		}
		return nil
	}
	ct, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	mt := resp.Content.GetOrZero(ct)
	if mt == nil {
		return []Violation{{Path: at, Message: fmt.Sprintf("content type %q is not one the response lists", ct)}}
	}
	if mt.Schema == nil || ct != "application/json" {
		return nil
	}
	_, errs := schema_validation.NewSchemaValidator().ValidateSchemaBytes(mt.Schema.Schema(), body)
	var out []Violation
	for _, e := range errs {
		for _, s := range e.SchemaValidationErrors {
			out = append(out, Violation{Path: at + "/" + token(ct) + "/schema" + s.KeywordLocation, Message: s.Reason})
		}
		if len(e.SchemaValidationErrors) == 0 {
			out = append(out, Violation{Path: at, Message: message(e)})
		}
	}
	return out
}
