package server_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/server"
	"github.com/mockserver/mockserver/internal/servertest"
)

// extendsDir writes a base scenario and a child that extends it, as a user
// keeps them beside each other.
func extendsDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"base.yaml":  "name: base\nseed: 7\ncarreta:\n  accounts: [{api_key: base-key, name: Base}]\n",
		"child.yaml": "name: child\nextends: base\n",
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// do sends one request to a server that is not listening.
func do(t *testing.T, srv *server.Server, method, path, body string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
	return rec.Code, rec.Body.String()
}

// restart opens db again without a scenario, as `mockserver serve --db`
// does, and fails the test when the kept file cannot be served.
func restart(t *testing.T, db string) *server.Server {
	t.Helper()
	srv, err := server.New(server.Config{DB: db}, nil)
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// childAccounts is how carreta's accounts begin when base.yaml seeded
// them: the one account, named as base.yaml names it (/__admin/state
// shows no key hash).
const childAccounts = `[{"id":1,"name":"Base"`

// A state file seeded from a scenario that extends a user's own file keeps
// that scenario across a restart, even when the files are gone by then: the
// file stores the whole extends chain.
func TestRestart_keepsAScenarioThatExtendsAUserFile(t *testing.T) {
	t.Parallel()
	t.Run("seeded_by_--scenario", func(t *testing.T) {
		dir := extendsDir(t)
		db := filepath.Join(t.TempDir(), "ext.db")
		srv, err := server.New(server.Config{DB: db, Scenario: filepath.Join(dir, "child.yaml"), Fresh: true}, nil)
		if err != nil {
			t.Fatal(err)
		}
		_ = srv.Close()
		for _, f := range []string{"base.yaml", "child.yaml"} {
			if err := os.Remove(filepath.Join(dir, f)); err != nil {
				t.Fatal(err)
			}
		}
		srv = restart(t, db)
		checkChild(t, srv, filepath.Join(dir, "child.yaml"))
		if code, body := do(t, srv, http.MethodPost, "/__admin/reset", ""); code != http.StatusOK {
			t.Fatalf("reset after the restart: %d %s", code, body)
		}
		checkChild(t, srv, "")
	})
	t.Run("seeded_by_?name=", func(t *testing.T) {
		dir := extendsDir(t)
		db := filepath.Join(t.TempDir(), "ext.db")
		srv, err := server.New(server.Config{DB: db, ScenarioDir: dir, Scenario: ""}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if code, body := do(t, srv, http.MethodPost, "/__admin/scenario?name=child", ""); code != http.StatusOK {
			t.Fatalf("?name=child: %d %s", code, body)
		}
		_ = srv.Close()
		// The base changes after seeding: the kept state keeps the base it
		// was seeded from.
		if err := os.WriteFile(filepath.Join(dir, "base.yaml"), []byte("name: base\nseed: 8\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		checkChild(t, restart(t, db), "")
	})
}

// checkChild asserts the state and scenario of child.yaml over base.yaml.
// file, when not empty, is the file /__admin/scenario must report.
func checkChild(t *testing.T, srv *server.Server, file string) {
	t.Helper()
	code, body := do(t, srv, http.MethodGet, "/__admin/scenario", "")
	if code != http.StatusOK || !strings.HasPrefix(body, `{"status":"ok","name":"child","description":"","seed":7,"file":`) {
		t.Fatalf("scenario: %d %s", code, body)
	}
	if file != "" && !strings.Contains(body, `"file":"`+file+`"`) {
		t.Fatalf("scenario file: %s, want %s", body, file)
	}
	if code, body := do(t, srv, http.MethodGet, "/__admin/state/carreta/accounts", ""); code != http.StatusOK || !strings.HasPrefix(body, childAccounts) {
		t.Fatalf("carreta accounts: %d %s", code, body)
	}
}

// A posted scenario's extends: is looked up where ?name= looks: the
// scenario directory, then the embedded scenarios; not the directory the
// server happens to run in.
func TestAdmin_postedExtendsResolvesInTheScenarioDir(t *testing.T) {
	t.Parallel()
	dir := extendsDir(t)
	m := servertest.Start(t, servertest.Options{Scenario: "empty", Config: server.Config{ScenarioDir: dir}})
	r := m.Do(t, http.MethodPost, "/__admin/scenario", strings.NewReader("name: posted\nextends: base\n"))
	want := `{"status":"ok","name":"posted","description":"","seed":7,"file":"(request body)"}` + "\n"
	if r.Status != http.StatusOK || string(r.Body) != want {
		t.Fatalf("posted child: %d %s, want %s", r.Status, r.Body, want)
	}
	if r := m.Do(t, http.MethodGet, "/__admin/state/carreta/accounts", nil); !strings.HasPrefix(string(r.Body), childAccounts) {
		t.Fatalf("carreta accounts: %s", r.Body)
	}
	// A name that is neither in the directory nor embedded is a 400 naming it.
	r = m.Do(t, http.MethodPost, "/__admin/scenario", strings.NewReader("name: posted\nextends: nowhere\n"))
	want = `{"error":"the scenario has problems; the state was not changed","problems":["(request body):2: extends: no scenario named \"nowhere\" (shipped: default, empty, flaky)"]}` + "\n"
	if r.Status != http.StatusBadRequest || string(r.Body) != want {
		t.Fatalf("unknown base: %d %s, want %s", r.Status, r.Body, want)
	}
}
