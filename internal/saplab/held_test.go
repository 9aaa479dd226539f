package saplab_test

import (
	"strings"
	"testing"
)

// TestHeld_perCallerAndMethod: a held answer (held.go) is only ever the
// answer to the same caller's GET of the same URI. Another login asking
// for it is checked as itself (the operator may not see the managers),
// other credentials are refused, a POST to a URI whose GET is held is the
// write it is, and its effect shows in the next GET.
func TestHeld_perCallerAndMethod(t *testing.T) {
	t.Parallel()
	m := start(t, docScenario(t))
	for range 3 {
		if r := m.get("/panel/manager"); r.Status != 200 {
			t.Fatalf("owner: %d %s", r.Status, r.Body)
		}
	}
	if r := m.call("GET", "/panel/manager", "", operator); r.Status != 403 {
		t.Errorf("operator after the owner's held answer: %d %s, want 403", r.Status, r.Body)
	}
	if r := m.call("GET", "/panel/manager", "", "79990000000:nope"); r.Status != 401 {
		t.Errorf("a wrong password after the owner's held answer: %d %s, want 401", r.Status, r.Body)
	}
	form := m.get("/panel/client/form/1")
	if again := m.get("/panel/client/form/1"); string(again.Body) != string(form.Body) {
		t.Fatalf("the held form differs:\n%s\n%s", again.Body, form.Body)
	}
	if r := m.post("/panel/client/form/1", "name=Client+Held"); r.Status != 200 || !strings.Contains(string(r.Body), "success") {
		t.Fatalf("POST to the held form's URI: %d %s", r.Status, r.Body)
	}
	if r := m.get("/panel/client/form/1"); !strings.Contains(string(r.Body), "Client Held") {
		t.Errorf("the form after its POST: %s", r.Body)
	}
}
