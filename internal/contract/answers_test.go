package contract_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/mockserver/mockserver/docs/openapi"
	"github.com/mockserver/mockserver/internal/contract"
	"github.com/mockserver/mockserver/internal/servertest"
)

// Credentials of the default scenario's demo identities.
const (
	amapiAuth  = "Bearer 1|DemoTokenDemoTokenDemoTokenDemoTokenDemo"
	saplabAuth = "Basic Nzk5OTAwMDAwMDA6ZGVtbw==" // 79990000000:demo
	carretaKey = "api_key=demo-key"
)

// recorder stands in for a test, keeping what servertest reports as errors,
// so a test can see that a non-conforming answer fails its test.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

// Error keeps the failure instead of failing the real test.
func (r *recorder) Error(args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprint(args...))
}

// TestAnswers_nonConformingFailsTheTest proves the wiring: servertest
// checks every answer by default, and an answer its document does not allow
// fails the test that got it, naming the request and the schema keyword.
// The document is made stricter than the mock for the test: amapi's 401
// message is required to be something the mock never says. It does not
// run in parallel: Replace changes amapi's document for the whole process,
// and the parallel tests wait until every serial one has ended.
func TestAnswers_nonConformingFailsTheTest(t *testing.T) {
	src, _ := openapi.Source("amapi")
	strict := bytes.Replace(src, []byte("const: Unauthenticated."), []byte("const: Unauthenticated!"), 1)
	restore, err := contract.Replace("amapi", strict)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(restore) // after the mock's cleanup: cleanups run last first
	rec := &recorder{TB: t}
	m := servertest.Start(rec, servertest.Options{})
	m.Do(t, "GET", "/api/test", nil) // conforms
	m.Do(t, "POST", "/api/logout", nil)
	if len(rec.errs) != 1 {
		t.Fatalf("%d failures, want the logout's one: %q", len(rec.errs), rec.errs)
	}
	for _, want := range []string{"amapi answered POST /api/logout with 401", "#/paths/~1api~1logout/post/responses/401/content/application~1json/schema/properties/message/const", `{"message":"Unauthenticated."}`} {
		if !strings.Contains(rec.errs[0], want) {
			t.Errorf("the failure does not say %q:\n%s", want, rec.errs[0])
		}
	}
}

// Answers that a fault rule made are not checked: faults break the
// contract on purpose (a 503 amapi never sends, a body cut in half).
func TestAnswers_faultsAreExempt(t *testing.T) {
	t.Parallel()
	rec := &recorder{TB: t}
	m := servertest.Start(rec, servertest.Options{})
	rule := `{"id": "teapot", "api": "amapi", "path": "/api/test", "action": {"status": 418, "body": "not json"}}`
	if r := m.Do(t, "POST", "/__admin/faults", strings.NewReader(rule)); r.Status != http.StatusCreated {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	if r := m.Do(t, "GET", "/api/test", nil); r.Status != 418 || len(rec.errs) != 0 {
		t.Fatalf("%d, failures %q", r.Status, rec.errs)
	}
}
