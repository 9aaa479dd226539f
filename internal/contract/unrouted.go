package contract

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
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
	TrailingSlash string `json:"trailing-slash"`
	// Head "get": every GET path answers HEAD with the GET's status, no body.
	Head string `json:"head"`
	// Each case maps a status to the component response the answer conforms to.
	UnknownPath map[string]string `json:"unknown-path"`
	OtherMethod map[string]string `json:"other-method"`
	BarePath    map[string]string `json:"bare-path"`
}

// readUnrouted reads the document's x-unrouted and checks that every
// response it names exists.
func readUnrouted(doc *document) (unrouted, error) {
	var u unrouted
	raw, ok := doc.root[extUnrouted]
	if !ok {
		return u, fmt.Errorf("no %s extension", extUnrouted)
	}
	if err := decodeInto(raw, &u); err != nil {
		return u, fmt.Errorf("%s: %w", extUnrouted, err)
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

// decodeInto decodes a part of the document into out, as JSON would.
func decodeInto(v any, out any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

// componentResponse is components.responses[name], or nil.
func componentResponse(doc *document, name string) object {
	resp, _ := doc.resolveAt([]string{"components", "responses", name})
	return resp
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
func (c *Contract) checkUnrouted(miss string, r *http.Request, status int, header http.Header, body []byte) []Violation {
	u := c.unrouted
	cases := u.cases(miss)
	at := pointer(extUnrouted, miss)
	name, ok := cases[strconv.Itoa(status)]
	if !ok {
		return []Violation{{Path: at, Message: fmt.Sprintf("%s %s answered %d; the document allows %s", r.Method, r.URL.Path, status, statuses(cases))}}
	}
	resp, real := c.doc.resolveAt([]string{"components", "responses", name})
	out := c.checkResponseHeaders(resp, real, header, []string{"components", "responses", name})
	if r.Method == http.MethodHead {
		return out // no body to check
	}
	return append(out, c.checkContent(resp, real, header, body, []string{"components", "responses", name, "content"}, true)...)
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
