package contract_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mockserver/mockserver/docs/openapi"
	"github.com/mockserver/mockserver/internal/servertest"
)

// exampleRequest is one request a client tool builds from a document: an
// operation with its parameters' examples and one of its body examples.
type exampleRequest struct {
	name, method, path, ctype, body string
}

// exampleValue is the first example of a parameter, as text.
func exampleValue(doc, p map[string]any) (string, bool) {
	v, ok := p["example"]
	if !ok {
		names := make([]string, 0, len(mapping(p["examples"])))
		for name := range mapping(p["examples"]) {
			names = append(names, name)
		}
		if len(names) == 0 {
			return "", false
		}
		slices.Sort(names)
		v = resolve(doc, mapping(p["examples"])[names[0]])["value"]
	}
	return fmt.Sprint(v), true
}

// target is an operation's path and query filled with its parameters'
// examples; a path parameter without one is an error (a tool could not
// send the request as it stands).
func target(doc map[string]any, path string, params []any) (string, error) {
	q := url.Values{}
	for _, pv := range params {
		p := resolve(doc, pv)
		name, _ := p["name"].(string)
		v, ok := exampleValue(doc, p)
		switch {
		case p["in"] == "path" && !ok:
			return "", fmt.Errorf("path parameter %s has no example", name)
		case p["in"] == "path":
			path = strings.Replace(path, "{"+name+"}", v, 1)
		case p["in"] == "query" && ok:
			q.Set(name, v)
		}
	}
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	return path, nil
}

// encodeBody is an example body as a tool sends it: JSON, or a form with
// an object's fields as deepObject keys (wholesalers[inn]=...).
func encodeBody(ctype string, v any) (string, error) {
	if ctype == "application/json" {
		b, err := json.Marshal(v)
		return string(b), err
	}
	form := url.Values{}
	for k, val := range v.(map[string]any) {
		if obj, ok := val.(map[string]any); ok {
			for kk, vv := range obj {
				form.Set(k+"["+kk+"]", fmt.Sprint(vv))
			}
			continue
		}
		form.Set(k, fmt.Sprint(val))
	}
	return form.Encode(), nil
}

// exampleRequests lists the requests of every operation of doc: one per
// body example, or one without a body.
func exampleRequests(t *testing.T, doc map[string]any) []exampleRequest {
	var out []exampleRequest
	for path, iv := range mapping(doc["paths"]) {
		item := resolve(doc, iv)
		for _, method := range operationKeys {
			op := mapping(item[method])
			if op == nil {
				continue
			}
			name := strings.ToUpper(method) + " " + path
			shared, _ := item["parameters"].([]any)
			own, _ := op["parameters"].([]any)
			tgt, err := target(doc, path, slices.Concat(shared, own))
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			r := exampleRequest{name: name, method: strings.ToUpper(method), path: tgt}
			rb := resolve(doc, op["requestBody"])
			if rb == nil {
				out = append(out, r)
				continue
			}
			for ctype, mt := range mapping(rb["content"]) {
				for exName, ex := range mapping(mapping(mt)["examples"]) {
					body, err := encodeBody(ctype, resolve(doc, ex)["value"])
					if err != nil {
						t.Errorf("%s %s: %v", name, exName, err)
					}
					out = append(out, exampleRequest{name + " " + exName, r.method, tgt, ctype, body})
				}
			}
		}
	}
	return out
}

// exampleCredentials are the demo identities a user types into the tool.
var exampleCredentials = map[string][]string{
	"amapi":   {"Authorization", amapiAuth},
	"carreta": nil, // the api_key goes into the query
	"saplab":  {"Authorization", saplabAuth},
}

// exampleTokens are the tokens of examples that must be sent as another
// user than the demo one; each example's description names its token.
var exampleTokens = map[string]string{
	"POST /api/change-password vendor": "Bearer D3468kcvbdZa5gPea1V6hfE",
}

// failingExamples are the examples that cannot succeed on the default
// scenario, with why; each says so in its document.
var failingExamples = map[string]int{
	// Its email is the vendor's placeholder text, not an address, and its
	// account is the one the login example signs in to
	// (docs/decisions/amapi.md).
	"POST /api/register vendor": http.StatusBadRequest,
}

// TestExamples_againstTheMock sends every request a client tool builds from
// the documents (their examples, the vendors' own among them) to a mock of
// the default scenario, reset before each, with only the credentials
// added, and expects the vendor's success. Every answer is checked against
// the document too, as in every test. Each API has a mock of its own, so
// they run side by side (as many as -parallel allows): a reset is mostly a
// wait for the disk.
func TestExamples_againstTheMock(t *testing.T) {
	t.Parallel()
	var seen atomic.Int32
	t.Run("apis", func(t *testing.T) {
		for _, api := range openapi.APIs {
			t.Run(api, func(t *testing.T) {
				t.Parallel()
				m := servertest.Start(t, servertest.Options{})
				for _, r := range exampleRequests(t, document(t, api)) {
					seen.Add(1)
					sendExample(t, m, api, r)
				}
			})
		}
	})
	if n := seen.Load(); n < 40 {
		t.Errorf("only %d example requests", n)
	}
}

// sendExample resets m and sends r to it, expecting the vendor's success
// (or the documented failure).
func sendExample(t *testing.T, m *servertest.Mock, api string, r exampleRequest) {
	t.Helper()
	if rr := m.Do(t, "POST", "/__admin/reset", nil); rr.Status != http.StatusOK {
		t.Fatalf("reset: %d %s", rr.Status, rr.Body)
	}
	headers := append([]string{"Content-Type", r.ctype}, exampleCredentials[api]...)
	if tok, ok := exampleTokens[r.name]; ok {
		headers = []string{"Content-Type", r.ctype, "Authorization", tok}
	}
	path := r.path
	if api == "carreta" {
		path += map[bool]string{true: "&", false: "?"}[strings.Contains(path, "?")] + carretaKey
	}
	var resp servertest.Response
	if r.body != "" {
		resp = m.Do(t, r.method, path, strings.NewReader(r.body), headers...)
	} else {
		resp = m.Do(t, r.method, path, nil, headers...)
	}
	want, known := failingExamples[r.name]
	switch {
	case known && resp.Status != want:
		t.Errorf("%s: %d %s, want the documented %d", r.name, resp.Status, resp.Body, want)
	case !known && (resp.Status >= 300 || strings.Contains(string(resp.Body), `"status":"error"`)):
		t.Errorf("%s %s: %d %s", r.name, path, resp.Status, resp.Body)
	}
}
