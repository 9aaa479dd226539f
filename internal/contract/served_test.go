package contract_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/docs/openapi"
	"github.com/mockserver/mockserver/internal/servertest"
	"gopkg.in/yaml.v3"
)

// withoutServers is a document decoded, its servers left out, for
// comparing a served document with the file it came from.
func withoutServers(t *testing.T, doc []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal(doc, &m); err != nil { // JSON is YAML too
		t.Fatal(err)
	}
	delete(m, "servers")
	return m
}

// servers is the servers list of a served document.
func servers(t *testing.T, doc []byte) []any {
	t.Helper()
	var m struct{ Servers []any }
	if err := yaml.Unmarshal(doc, &m); err != nil {
		t.Fatal(err)
	}
	return m.Servers
}

func TestOpenAPIEndpoint(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{})
	wantServers := []any{map[string]any{"url": m.URL, "description": "This mockserver"}}
	for _, api := range openapi.APIs {
		src, _ := openapi.Source(api)
		for _, c := range []struct {
			name, path, accept, ctype string
		}{
			{"yaml by default", "/__admin/openapi/" + api, "", "application/yaml"},
			{"yaml for */*", "/__admin/openapi/" + api, "*/*", "application/yaml"},
			{"json by Accept", "/__admin/openapi/" + api, "application/json", "application/json"},
			{"json by suffix", "/__admin/openapi/" + api + ".json", "", "application/json"},
			{"yaml by suffix", "/__admin/openapi/" + api + ".yaml", "application/json", "application/yaml"},
		} {
			t.Run(api+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				r := m.Do(t, "GET", c.path, nil, "Accept", c.accept)
				if r.Status != http.StatusOK || r.Header.Get("Content-Type") != c.ctype {
					t.Fatalf("%d %s: %.200s", r.Status, r.Header.Get("Content-Type"), r.Body)
				}
				if c.ctype == "application/json" && !json.Valid(r.Body) {
					t.Fatalf("not JSON: %.200s", r.Body)
				}
				if got := servers(t, r.Body); !reflect.DeepEqual(got, wantServers) {
					t.Errorf("servers %v, want %v", got, wantServers)
				}
				if !reflect.DeepEqual(withoutServers(t, r.Body), withoutServers(t, src)) {
					t.Error("the served document differs from docs/openapi beyond its servers")
				}
				if c.accept != "" {
					return // the bytes are those of a case below, checked there
				}
				if problems := openAPI31Problems(t, r.Body); len(problems) > 0 {
					t.Fatalf("the served document is not valid: %v", problems)
				}
			})
		}
	}
}

// The YAML served keeps the file's text (comments, block scalars, the
// vendors' Russian as written), all but the servers block.
func TestOpenAPIEndpoint_yamlIsTheFile(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{})
	src, _ := openapi.Source("carreta")
	got := m.Do(t, "GET", "/__admin/openapi/carreta", nil).Body
	_, after, _ := bytes.Cut(src, []byte("\nsecurity:"))
	if !bytes.HasSuffix(got, append([]byte("\nsecurity:"), after...)) || !bytes.Contains(got, []byte("«Получение списка заказов»")) {
		t.Fatalf("the served YAML is not the file's text:\n%.400s", got)
	}
}

// A document fetched through a prefix (a world's, say) names the mock under
// that prefix, so a client tool's requests go back through it.
func TestOpenAPIEndpoint_serverKeepsThePrefix(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{})
	req, _ := http.NewRequest("GET", m.URL+"/__admin/openapi/amapi", nil)
	req.Host = "mock.example:9000"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct{ Servers []struct{ URL string } }
	if err := yaml.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != "http://mock.example:9000" {
		t.Fatalf("servers %+v, want the request's host", doc.Servers)
	}
}

func TestOpenAPIEndpoint_unknownAPI(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{})
	for _, path := range []string{"/__admin/openapi/nope", "/__admin/openapi/nope.json", "/__admin/openapi/..%2Fscenarios"} {
		r := m.Do(t, "GET", path, nil)
		var body struct{ Error string }
		if err := json.Unmarshal(r.Body, &body); r.Status != http.StatusNotFound || err != nil ||
			!strings.HasPrefix(body.Error, "no OpenAPI document for ") || !strings.HasSuffix(body.Error, "there are amapi, carreta, saplab") {
			t.Errorf("%s: %d %s", path, r.Status, r.Body)
		}
	}
}
