package scenario_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mockserver/mockserver/internal/scenario"
)

func writeScenarios(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// What Stored writes rebuilds the scenario with no file left to read: the
// base was deleted, and the child changed, after the scenario was stored.
func TestParseStored_needsNoFiles(t *testing.T) {
	dir := writeScenarios(t, map[string]string{
		"base.yaml":  "name: base\nseed: 7\ncarreta:\n  accounts: [{api_key: base-key}]\n",
		"mid.yaml":   "name: mid\nextends: base\namapi:\n  users: [{name: A, email: a@example.com, password: password1}]\n",
		"child.yaml": "name: child\nextends: mid\n",
	})
	sc, err := scenario.LoadFile(filepath.Join(dir, "child.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	stored := sc.Stored()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	got, err := scenario.ParseStored("ext.db", stored)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "child" || got.Seed != 7 || got.Carreta.Accounts[0].APIKey != "base-key" || got.Amapi.Users[0].Email != "a@example.com" {
		t.Fatalf("rebuilt wrongly: %+v", got)
	}
	if got.File != filepath.Join(dir, "child.yaml") {
		t.Fatalf("file %q, want the one it was read from", got.File)
	}
	if string(got.Stored()) != string(stored) {
		t.Fatalf("storing again changed the bytes:\n%s\n%s", got.Stored(), stored)
	}
	if !got.SameSources(sc) {
		t.Fatal("the rebuilt scenario must have the sources it was read from")
	}
}

// A state file written before the chain was stored holds the bare source;
// it still reads, with extends: among the embedded scenarios.
func TestParseStored_readsABareSource(t *testing.T) {
	sc, err := scenario.ParseStored("old.db", []byte("name: old\nextends: default\nseed: 3\n"))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Name != "old" || sc.Seed != 3 || len(sc.Amapi.Users) == 0 {
		t.Fatalf("%+v", sc)
	}
	_, err = scenario.ParseStored("old.db", []byte("name: old\nextends: base\n"))
	want := `(scenario stored in old.db):2: extends: no scenario named "base" (shipped: default, empty, flaky)`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
}

// SameSources compares bytes, not file names: the same file under two
// spellings is one scenario, an edited base makes another.
func TestScenario_SameSources(t *testing.T) {
	dir := writeScenarios(t, map[string]string{
		"base.yaml":  "name: base\nseed: 7\n",
		"child.yaml": "name: child\nextends: base\n",
	})
	a, err := scenario.LoadFile(filepath.Join(dir, "child.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := scenario.LoadFile(filepath.Join(dir, ".", "..", filepath.Base(dir), "child.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !a.SameSources(b) {
		t.Fatal("one file read twice must have the same sources")
	}
	if err := os.WriteFile(filepath.Join(dir, "base.yaml"), []byte("name: base\nseed: 8\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := scenario.LoadFile(filepath.Join(dir, "child.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if a.SameSources(c) {
		t.Fatal("an edited base must make the sources differ")
	}
}

// ParseIn looks a posted scenario's base up in the scenario directory,
// then among the embedded scenarios, as LoadNamed does.
func TestParseIn_resolvesExtendsInDir(t *testing.T) {
	dir := writeScenarios(t, map[string]string{"base.yaml": "name: base\nseed: 7\n"})
	sc, err := scenario.ParseIn(dir, "(request body)", []byte("name: posted\nextends: base\n"))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Seed != 7 {
		t.Fatalf("seed %d, want the base's 7", sc.Seed)
	}
	sc, err = scenario.ParseIn(dir, "(request body)", []byte("name: posted\nextends: flaky\n"))
	if err != nil || len(sc.Faults) == 0 {
		t.Fatalf("an embedded base: %v", err)
	}
	// Parse has no directory: only the embedded scenarios.
	if _, err := scenario.Parse("(request body)", []byte("name: posted\nextends: base\n")); err == nil {
		t.Fatal("Parse must not read files")
	}
}

// A shipped scenario's extends: names shipped scenarios only: a
// default.yaml in the scenario directory does not change what flaky is.
func TestLoadNamed_shippedBasesAreShipped(t *testing.T) {
	dir := writeScenarios(t, map[string]string{"default.yaml": "name: default\nseed: 1\n"})
	own, err := scenario.LoadNamed(dir, "default")
	if err != nil || own.Seed != 1 {
		t.Fatalf("?name=default must find the directory's file first: %v", err)
	}
	flaky, err := scenario.LoadNamed(dir, "flaky")
	if err != nil {
		t.Fatal(err)
	}
	if len(flaky.Amapi.Users) == 0 || flaky.Amapi.Users[0].Email != "demo@example.com" {
		t.Fatal("flaky must inherit the shipped default, not the directory's")
	}
}
