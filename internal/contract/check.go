package contract

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/mockserver/mockserver/internal/jsonschema"
)

// The checks of a request or an answer that lands on an operation. Each
// failure is a Violation pointing at the part of the operation it is about
// (as the operation's own pointer, even where the part is a $ref to a
// component), down to the schema keyword that failed.

// compileContent compiles the schema of every body and response header
// the checks may meet, so that a schema the validator cannot read stops
// the start (loadContracts) rather than a request.
func (c *Contract) compileContent() error {
	d := c.doc
	c.schemas = map[string]*jsonschema.Schema{}
	var responses [][]string
	for _, item := range d.paths {
		for _, op := range item.ops {
			if op.body != nil {
				for ct := range op.body.content {
					if err := c.compileAt(append(op.at, "requestBody", "content", ct, "schema")); err != nil {
						return err
					}
				}
			}
			for code := range op.responses {
				responses = append(responses, slices.Concat(op.at, []string{"responses", code}))
			}
		}
	}
	for name := range asObject(d.lookup("components", "responses")) {
		responses = append(responses, []string{"components", "responses", name})
	}
	for _, r := range responses {
		if err := c.compileResponse(r); err != nil {
			return err
		}
	}
	return nil
}

// compileResponse compiles the content and header schemas of the
// response at the pointer at.
func (c *Contract) compileResponse(at []string) error {
	resp, at := c.doc.resolveAt(at)
	for ct := range asObject(resp["content"]) {
		if err := c.compileAt(append(at, "content", ct, "schema")); err != nil {
			return err
		}
	}
	for name := range asObject(resp["headers"]) {
		_, hat := c.doc.resolveAt(append(at, "headers", name))
		if err := c.compileAt(append(hat, "schema")); err != nil {
			return err
		}
	}
	return nil
}

// compileAt compiles the schema at the pointer at, its refs followed, if
// there is one there.
func (c *Contract) compileAt(at []string) error {
	at = c.doc.schemaAt(at)
	if at == nil {
		return nil
	}
	key := pointer(at...)
	if _, ok := c.schemas[key]; ok {
		return nil
	}
	s, err := c.doc.compile(at)
	if err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	c.schemas[key] = s
	return nil
}

// schema is the compiled schema at the pointer at, or nil when there is
// none.
func (c *Contract) schema(at []string) *jsonschema.Schema {
	at = c.doc.schemaAt(at)
	if at == nil {
		return nil
	}
	return c.schemas[pointer(at...)]
}

// checkRequest checks the security, parameters and body of a request that
// lands on an operation.
func (c *Contract) checkRequest(res resolution, r *http.Request, body []byte) []Violation {
	op, tmpl := res.op, res.m.route.template
	at := []string{"paths", tmpl, strings.ToLower(r.Method)}
	out := c.checkSecurity(op, r, pointer(append(at, "security")...))
	values := pathValues(res.m)
	for _, p := range op.params {
		out = append(out, c.checkParameter(p, r, values, append(at, "parameters", p.name))...)
	}
	return append(out, c.checkBody(op, r, body, append(at, "requestBody"))...)
}

// pathValues are the values of the path parameters of a match, decoded.
func pathValues(m *match) map[string]string {
	out := map[string]string{}
	parts := strings.Split(strings.TrimPrefix(m.path, "/"), "/")
	for i, seg := range m.route.segs {
		if seg.param != "" && i < len(parts) {
			out[seg.param] = unescape(parts[i])
		}
	}
	return out
}

// checkSecurity checks that the request satisfies one of the operation's
// security requirements: the credentials are there, in the place and
// scheme the document names. Whether they are good is the API's business.
func (c *Contract) checkSecurity(op *operation, r *http.Request, at string) []Violation {
	reqs := op.security
	if reqs == nil {
		reqs = c.doc.security
	}
	if len(reqs) == 0 {
		return nil
	}
	var out []Violation
	for _, req := range reqs {
		var missing []Violation
		for _, name := range req {
			if msg := c.credentialsMissing(name, r); msg != "" {
				missing = append(missing, Violation{Path: at, Message: msg})
			}
		}
		if len(missing) == 0 {
			return nil // anonymous, or every scheme satisfied
		}
		out = append(out, missing...)
	}
	return out
}

// credentialsMissing says what the request lacks for the security scheme
// name, or "" when it has it.
func (c *Contract) credentialsMissing(name string, r *http.Request) string {
	s, _ := c.doc.resolve(c.doc.schemes[name]).(object)
	if s == nil {
		return fmt.Sprintf("the security scheme %q is not in components.securitySchemes", name)
	}
	typ, _ := s["type"].(string)
	in, _ := s["in"].(string)
	key, _ := s["name"].(string)
	switch strings.ToLower(typ) {
	case "http":
		scheme, _ := s["scheme"].(string)
		auth := r.Header.Get("Authorization")
		if auth == "" {
			return fmt.Sprintf("no Authorization header for the %s scheme", scheme)
		}
		if len(auth) < len(scheme) || !strings.EqualFold(auth[:len(scheme)], scheme) {
			return fmt.Sprintf("the Authorization header is not of the %s scheme", scheme)
		}
	case "apikey":
		if present(r, in, key) == "" {
			return fmt.Sprintf("the API key %s is not in the %s", key, in)
		}
	}
	return ""
}

// present is the value of the parameter name sent in in (query, header,
// cookie), or "".
func present(r *http.Request, in, name string) string {
	switch in {
	case "query":
		return r.URL.Query().Get(name)
	case "header":
		return r.Header.Get(name)
	case "cookie":
		if ck, err := r.Cookie(name); err == nil {
			return ck.Value
		}
	}
	return ""
}

// checkParameter checks one parameter of the request against its
// declaration at the pointer at: there when required, and its value, read
// as the type its schema names, fitting the schema.
func (c *Contract) checkParameter(p *parameter, r *http.Request, path map[string]string, at []string) []Violation {
	var value string
	var sent bool
	switch p.in {
	case "path":
		value, sent = path[p.name]
	case "query":
		var vs []string
		vs, sent = r.URL.Query()[p.name]
		if sent {
			value = vs[0]
		}
	case "header":
		value = r.Header.Get(p.name)
		sent = value != ""
	case "cookie":
		ck, err := r.Cookie(p.name)
		if sent = err == nil; sent {
			value = ck.Value
		}
	}
	if !sent {
		if p.required {
			return []Violation{{Path: pointer(at...), Message: fmt.Sprintf("the required %s parameter %s is missing", p.in, p.name)}}
		}
		return nil
	}
	if p.schema == nil {
		return nil
	}
	return validate(p.schema, typed(value, p.types), pointer(append(at, "schema")...))
}

// checkBody checks a request's body against the operation's request body
// at the pointer at: a media type it lists, and a JSON or form body that
// fits its schema.
func (c *Contract) checkBody(op *operation, r *http.Request, body []byte, at []string) []Violation {
	if op.body == nil {
		return nil
	}
	ct := mediaType(r.Header)
	if ct == "" {
		if !op.body.required {
			return nil
		}
		return []Violation{{Path: pointer(at...), Message: "the request body is required, but the request has no Content-Type"}}
	}
	if _, ok := op.body.content[ct]; !ok {
		return []Violation{{Path: pointer(at...), Message: fmt.Sprintf("content type %q is not one the request body lists", ct)}}
	}
	schemaAt := append(op.at, "requestBody", "content", ct, "schema")
	sch := c.schema(schemaAt)
	if sch == nil {
		return nil
	}
	var v any
	var err error
	switch {
	case isJSON(ct):
		v, err = jsonschema.UnmarshalJSON(bytes.NewReader(body))
	case ct == "application/x-www-form-urlencoded" || ct == "multipart/form-data":
		v, err = c.formBody(r.Header.Get("Content-Type"), body, c.doc.lookup(schemaAt...))
	default:
		return nil // no reader for it: the document only names it
	}
	if err != nil {
		return []Violation{{Path: pointer(at...), Message: "the body cannot be read as " + ct + ": " + err.Error()}}
	}
	return validate(sch, v, pointer(append(at, "content", ct, "schema")...))
}

// isJSON reports whether a media type is JSON (application/json, or a
// +json type).
func isJSON(ct string) bool { return ct == "application/json" || strings.HasSuffix(ct, "+json") }

// checkResponse checks an answer to an operation: a status it lists, the
// response's required headers and their values, and a JSON body that fits
// the schema of its media type.
func (c *Contract) checkResponse(res resolution, r *http.Request, status int, header http.Header, body []byte) []Violation {
	op, tmpl := res.op, res.m.route.template
	if r.Method == http.MethodHead {
		// HEAD answers are GET's without the body (x-unrouted head: get).
		return statusOnly(op, tmpl, "get", status)
	}
	at := []string{"paths", tmpl, strings.ToLower(r.Method), "responses"}
	code := responseCode(op.responses, status)
	if code == "" {
		return []Violation{{Path: pointer(append(at, strconv.Itoa(status))...),
			Message: fmt.Sprintf("status %d is not one of the operation's responses", status)}}
	}
	at = append(at, code)
	resp, real := c.doc.resolveAt(append(op.at, "responses", code))
	out := c.checkResponseHeaders(resp, real, header, at)
	return append(out, c.checkContent(resp, real, header, body, append(at, "content"), false)...)
}

// responseCode is the key of op's responses that status answers (the
// status, its class as "4XX", or "default"), or "".
func responseCode(responses object, status int) string {
	for _, k := range []string{strconv.Itoa(status), fmt.Sprintf("%dXX", status/100), "default"} {
		if _, ok := responses[k]; ok {
			return k
		}
	}
	return ""
}

// statusOnly checks that op documents status, for an answer without a body.
func statusOnly(op *operation, template, method string, status int) []Violation {
	if _, ok := op.responses[strconv.Itoa(status)]; ok || op.responses == nil {
		return nil
	}
	if _, ok := op.responses["default"]; ok {
		return nil
	}
	return []Violation{{Path: pointer("paths", template, method, "responses"),
		Message: fmt.Sprintf("status %d is not one of the operation's responses", status)}}
}

// checkResponseHeaders checks that every required header of resp (whose
// pointer in the document is real; at is where violations point) was sent
// and that every header it describes fits its schema.
func (c *Contract) checkResponseHeaders(resp object, real []string, header http.Header, at []string) []Violation {
	var out []Violation
	headers := asObject(resp["headers"])
	for _, name := range sortedKeys(headers) {
		hv := headers[name]
		h, hreal := c.doc.resolveAt(append(real, "headers", name))
		hat := append(at, "headers", name)
		values := header.Values(name)
		if len(values) == 0 {
			if req, _ := h["required"].(bool); req {
				out = append(out, Violation{Path: pointer(hat...), Message: "the required header " + name + " is missing"})
			}
			continue
		}
		sch := c.schema(append(hreal, "schema"))
		if sch == nil {
			continue
		}
		types := c.doc.types(asObject(c.doc.resolve(hv))["schema"])
		for _, v := range values {
			out = append(out, validate(sch, typed(v, types), pointer(append(hat, "schema")...))...)
		}
	}
	return out
}

// checkContent checks body against the content of resp (whose pointer in
// the document is real; at is where violations point): its media type
// must be one resp lists, and a JSON body must fit its schema. A response
// without content must come without a body when noBody says so (the
// answers x-unrouted describes; an operation's response without content
// leaves its body undescribed).
func (c *Contract) checkContent(resp object, real []string, header http.Header, body []byte, at []string, noBody bool) []Violation {
	content := asObject(resp["content"])
	if len(content) == 0 {
		if noBody && len(body) > 0 {
			return []Violation{{Path: pointer(at...), Message: "the response has no content, but a body was sent"}}
		}
		return nil
	}
	ct := mediaType(header)
	if _, ok := content[ct]; !ok {
		return []Violation{{Path: pointer(at...), Message: fmt.Sprintf("content type %q is not one the response lists", ct)}}
	}
	sch := c.schema(append(real, "content", ct, "schema"))
	if sch == nil || !isJSON(ct) {
		return nil
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return []Violation{{Path: pointer(append(at, ct)...), Message: "the body is not JSON: " + err.Error()}}
	}
	return validate(sch, v, pointer(append(at, ct, "schema")...))
}

// sortedKeys is the keys of o in order, so violations come in one order.
func sortedKeys(o object) []string {
	keys := make([]string, 0, len(o))
	for k := range o {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// typed is a text value (a parameter, a header, a form field) as the type
// its schema asks for, when it reads as one, surrounding blanks ignored
// as PHP and Django ignore them in numbers; otherwise the text, which the
// schema then refuses if it must be a number.
func typed(s string, types []string) any {
	has := func(t string) bool { return slices.Contains(types, t) }
	if has("integer") {
		if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
			return n
		}
	}
	if has("number") {
		if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
			return f
		}
	}
	if has("boolean") && (s == "true" || s == "false") {
		return s == "true"
	}
	return s
}
