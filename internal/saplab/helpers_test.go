package saplab_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/check"
	"github.com/mockserver/mockserver/internal/phpjson"
	"github.com/mockserver/mockserver/internal/servertest"
)

// Demo logins of the default scenario and of testdata/doc.yaml.
const (
	owner    = "79990000000:demo"
	operator = "79990000001:demo"
)

func basic(creds string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(creds))
}

// docScenario is testdata/doc.yaml, the shop of saplab.txt's examples.
func docScenario(t testing.TB) string {
	b, err := os.ReadFile("testdata/doc.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// docBody is one of saplab.txt's example answers, compacted (testdata/doc).
func docBody(t testing.TB, name string) string {
	b, err := os.ReadFile("testdata/doc/" + name + ".json")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type mock struct {
	*servertest.Mock
	t testing.TB
}

func start(t testing.TB, sc string) *mock {
	t.Helper()
	return &mock{servertest.Start(t, servertest.Options{Scenario: sc}), t}
}

// call sends a request as creds ("" for none); a non-empty body is sent as
// a url-encoded form, as curl --data does.
func (m *mock) call(method, path, body, creds string) servertest.Response {
	m.t.Helper()
	var h []string
	if creds != "" {
		h = append(h, "Authorization", basic(creds))
	}
	if body != "" {
		h = append(h, "Content-Type", "application/x-www-form-urlencoded")
	}
	var r *strings.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	if r == nil {
		return m.Do(m.t, method, path, nil, h...)
	}
	return m.Do(m.t, method, path, r, h...)
}

func (m *mock) get(path string) servertest.Response {
	m.t.Helper()
	return m.call("GET", path, "", owner)
}

func (m *mock) post(path, body string) servertest.Response {
	m.t.Helper()
	return m.call("POST", path, body, owner)
}

// freeze stops the server clock at a Moscow wall-clock time.
func (m *mock) freeze(at string) {
	m.t.Helper()
	tm, err := check.ParseTime(at)
	if err != nil {
		m.t.Fatal(err)
	}
	m.Srv.Clock().Freeze(true)
	m.Srv.Clock().Set(tm)
}

// state reads stored rows through the control API.
func (m *mock) state(collection string, into any) {
	m.t.Helper()
	r := m.Do(m.t, "GET", "/__admin/state/saplab/"+collection, nil)
	if r.Status != http.StatusOK {
		m.t.Fatalf("state %s: %d %s", collection, r.Status, r.Body)
	}
	if err := json.Unmarshal(r.Body, into); err != nil {
		m.t.Fatal(err)
	}
}

// expect asserts the exact status and the exact body bytes.
var expect = servertest.Expect

// expectError asserts the exact status and the panel's error envelope
// {"status":"error","text":message}, as PHP's json_encode writes it.
func expectError(t testing.TB, r servertest.Response, status int, message string) {
	t.Helper()
	body, err := phpjson.Marshal(phpjson.Object{{Key: "status", Value: "error"}, {Key: "text", Value: message}})
	if err != nil {
		t.Fatal(err)
	}
	expect(t, r, status, string(body))
}

// storedClient is the part of a stored client the tests check.
type storedClient struct {
	ID      int64  `json:"id"`
	Balance string `json:"balance"`
	Email   string `json:"email"`
	Phone   string `json:"phone"`
}

type storedTx struct {
	ClientID int64  `json:"client_id"`
	Amount   string `json:"amount"`
	Comment  string `json:"comment"`
}
