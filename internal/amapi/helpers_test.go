package amapi_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/phpjson"
	"github.com/mockserver/mockserver/internal/servertest"
)

// tokenRe is a token as Sanctum issues it.
var tokenRe = regexp.MustCompile(`^[1-9][0-9]*\|[A-Za-z0-9]{40}$`)

// codeRe is an order code as amapi.txt documents it.
var codeRe = regexp.MustCompile(`^[A-Z]{2}[0-9]{4}-[0-9]{5}$`)

const (
	demoToken     = "1|DemoTokenDemoTokenDemoTokenDemoTokenDemo"
	ordersToken   = "1Dg4PfVhaEcve36Z56dk8ab" // create-order example, demo user
	logoutToken   = "8d6caPgVkh1fE4Z6D5bva3e" // logout example, Ivanov
	passwordToken = "D3468kcvbdZa5gPea1V6hfE" // change-password example, placeholder user
)

// defaultAmapi is the default scenario with the other vendors' sections
// left empty: amapi's answers read only its own section (and the seed), and
// seeding the rest for every one of some two hundred fresh servers was
// most of this package's test time.
const defaultAmapi = "name: default-amapi\nextends: default\ncarreta: {}\nsaplab: {}\n"

// start serves the default scenario's amapi section, or the given YAML.
func start(t *testing.T, scenarioYAML ...string) *servertest.Mock {
	t.Helper()
	opts := servertest.Options{Scenario: defaultAmapi}
	if len(scenarioYAML) > 0 {
		opts.Scenario = scenarioYAML[0]
	}
	return servertest.Start(t, opts)
}

// post sends a JSON body with the headers the document's examples send.
func post(t *testing.T, m *servertest.Mock, path, body string, headers ...string) servertest.Response {
	t.Helper()
	h := append([]string{"Content-Type", "application/json", "Accept", "application/json"}, headers...)
	return m.Do(t, http.MethodPost, path, strings.NewReader(body), h...)
}

func bearer(token string) []string { return []string{"Authorization", "Bearer " + token} }

// expect asserts the exact status and the exact body bytes.
var expect = servertest.Expect

// expectError checks status and that the body is amapi's error envelope
// carrying the one message, byte for byte as PHP's json_encode writes it:
// {"message":...}, after the endpoint's "<flag>":false when it has one.
func expectError(t testing.TB, r servertest.Response, status int, message string) {
	t.Helper()
	msg, err := phpjson.Marshal(message)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"message":` + string(msg) + `}`
	got := string(r.Body)
	if flag, rest, ok := strings.Cut(got, `":false,"message":`); ok && strings.HasPrefix(flag, `{"`) && !strings.Contains(flag[2:], `"`) {
		got = `{"message":` + rest
	}
	if r.Status != status || got != want {
		t.Fatalf("got %d %s\nwant %d %s", r.Status, r.Body, status, want)
	}
}

// expectGolden checks status and pins the body in testdata/golden/name.
func expectGolden(t *testing.T, r servertest.Response, status int, name string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	servertest.Golden(t, name, r.Body)
}

// withToken checks that body's "token" is a fresh Sanctum token and returns
// it with the body where the token is replaced by <token>, for a golden.
func withToken(t *testing.T, body []byte) (string, []byte) {
	t.Helper()
	var v struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(body, &v); err != nil || !tokenRe.MatchString(v.Token) {
		t.Fatalf("no Sanctum token in %s", body)
	}
	return v.Token, bytes.Replace(body, []byte(`"`+strings.ReplaceAll(v.Token, "/", `\/`)+`"`), []byte(`"<token>"`), 1)
}

// rows reads a collection through the control API.
func rows(t *testing.T, m *servertest.Mock, collection string) []map[string]any {
	t.Helper()
	r := m.Do(t, http.MethodGet, "/__admin/state/amapi/"+collection, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("state %s: %d %s", collection, r.Status, r.Body)
	}
	var out []map[string]any
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// authenticated asks GET /api/test whether token signs anyone in.
func authenticated(t *testing.T, m *servertest.Mock, token string) bool {
	t.Helper()
	r := m.Do(t, http.MethodGet, "/api/test", nil, bearer(token)...)
	var v struct {
		IsAuthenticated bool `json:"isAuthenticated"`
	}
	if r.Status != http.StatusOK || json.Unmarshal(r.Body, &v) != nil {
		t.Fatalf("test: %d %s", r.Status, r.Body)
	}
	return v.IsAuthenticated
}

// example is one request example of amapi.txt as a real client sent it
// (testdata/examples, made by testdata/examples/gen/gen.py).
type example struct {
	name, method, path string
	headers            []string
	body               []byte
}

// skipHeaders are set by the Go client itself.
var skipHeaders = map[string]bool{"host": true, "content-length": true, "connection": true, "accept-encoding": true}

func loadExample(t *testing.T, file string) example {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(bytes.NewReader(data))
	line, _ := r.ReadString('\n')
	method, path, _ := strings.Cut(strings.TrimSpace(line), " ")
	ex := example{name: strings.TrimSuffix(filepath.Base(file), ".http"), method: method, path: path}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("%s: headers never end", file)
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		k, v, _ := strings.Cut(line, ": ")
		if !skipHeaders[strings.ToLower(k)] {
			ex.headers = append(ex.headers, k, v)
		}
	}
	ex.body, _ = io.ReadAll(r)
	return ex
}

func (ex example) send(t *testing.T, m *servertest.Mock) servertest.Response {
	t.Helper()
	var body io.Reader
	if len(ex.body) > 0 {
		body = bytes.NewReader(ex.body)
	}
	return m.Do(t, ex.method, ex.path, body, ex.headers...)
}

// examples lists the captured examples of one endpoint, every language.
func examples(t *testing.T, endpoint string) []example {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("testdata", "examples", endpoint+".*.http"))
	if len(files) < 4 {
		t.Fatalf("%s: %d captured examples, want one per language (curl, js, php, py)", endpoint, len(files))
	}
	var out []example
	for _, f := range files {
		out = append(out, loadExample(t, f))
	}
	return out
}
