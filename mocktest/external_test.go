package mocktest_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestExternalModule proves that another module can import mocktest: it
// copies testdata/external (a go.mod of its own that requires this module
// through a replace) to a temporary directory, points the replace at this
// checkout, and runs its tests, which use New and Connect. It stays
// offline: the module cache already holds every dependency, and the
// copy's go.sum is the testdata's.
func TestExternalModule(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test in a module of its own")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, name := range []string{"go.mod", "go.sum", "shop_test.go"} {
		src, err := os.ReadFile(filepath.Join("testdata", "external", name))
		if err != nil {
			t.Fatal(err)
		}
		if name == "go.mod" {
			src = []byte(strings.Replace(string(src), "=> ../../..", "=> "+root, 1))
		}
		if err := os.WriteFile(filepath.Join(dir, name), src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "test", "-count=1", "-v", "./...")
	cmd.Dir = dir
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "MOCKSERVER_URL=") || strings.HasPrefix(kv, "GOFLAGS=")
	})
	cmd.Env = append(env, "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	for _, want := range []string{"--- PASS: TestNew", "--- PASS: TestConnect/a", "--- PASS: TestConnect/c", "ok  \texample.com/shop"} {
		if !strings.Contains(string(out), want) {
			err = fmt.Errorf("no %q in the output", want)
		}
	}
	if err != nil {
		t.Fatalf("the external module's tests: %v\n%s", err, out)
	}
}
