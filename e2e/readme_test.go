package e2e_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mockserver/mockserver/internal/servertest"
)

// goBlock is a fenced Go code block in Markdown.
var goBlock = regexp.MustCompile("(?s)```go\n(.*?)```")

// afterPackage is src from the line after its package clause on.
func afterPackage(t *testing.T, name, src string) string {
	t.Helper()
	i := strings.Index(src, "\npackage ")
	if strings.HasPrefix(src, "package ") {
		i = 0
	}
	if i < 0 {
		t.Fatalf("%s has no package clause", name)
	}
	rest := src[i+1:]
	return rest[strings.Index(rest, "\n")+1:]
}

// exampleFile is the README's Go example as a file: in testdata, so no
// go test ./... in this module runs it (it reads MOCKSERVER_URL, which a
// user following the README has exported for their own mock, and imports
// this module as another module would).
const exampleFile = "testdata/readme_example/shop_test.go"

// readmeExample returns the README's only Go block, after checking that
// it is exampleFile word for word after the package clause.
func readmeExample(t *testing.T) []byte {
	t.Helper()
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(exampleFile)
	if err != nil {
		t.Fatal(err)
	}
	blocks := goBlock.FindAllSubmatch(readme, -1)
	if len(blocks) != 1 {
		t.Fatalf("README.md has %d Go blocks; each must be a file this test compiles, and there is one such file", len(blocks))
	}
	if got, want := afterPackage(t, "README.md's Go block", string(blocks[0][1])), afterPackage(t, exampleFile, string(file)); got != want {
		t.Fatalf("README.md's Go example differs from %s after the package clause:\n--- README\n%s\n--- file\n%s", exampleFile, got, want)
	}
	return blocks[0][1]
}

// TestReadme_goExample keeps the README's Go example true: the README's only
// Go block is exampleFile, and it passes run in a reader's module of its
// own (go.mod of its own requiring this module through a replace, offline
// with this module's go.sum): once with MOCKSERVER_URL naming an in-process
// mock, where its tests must make their worlds, and once without, where it
// starts a mock of its own instead of skipping. The variable is set for
// that child alone, whatever the shell exported: the suite never touches a
// mock the user is running.
func TestReadme_goExample(t *testing.T) {
	example := readmeExample(t)
	if testing.Short() {
		t.Skip("runs go test in a module of its own")
	}
	m := servertest.Start(t, servertest.Options{})
	var worlds atomic.Int32
	counted := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/__admin/worlds" {
			worlds.Add(1)
		}
		m.Srv.Handler().ServeHTTP(w, r)
	}))
	defer counted.Close()
	dir := exampleModule(t, example)
	for _, url := range []string{counted.URL, ""} {
		cmd := exec.Command("go", "test", "-count=1", "-v", "./...")
		cmd.Dir = dir
		cmd.Env = append(withoutEnv(withoutEnv(os.Environ(), "MOCKSERVER_URL"), "GOFLAGS"), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
		if url != "" {
			cmd.Env = append(cmd.Env, "MOCKSERVER_URL="+url)
		}
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestProfileSurvivesAnOutage") || !strings.Contains(string(out), "--- PASS: TestEightShops/shop7") {
			t.Fatalf("README.md's Go example, run on its own with MOCKSERVER_URL=%q: %v\n%s", url, err, out)
		}
		if got := worlds.Load(); got != 9 {
			t.Fatalf("with MOCKSERVER_URL=%q, the example has made %d worlds on this mock, want 9 (1 + 8), made by the run with it set", url, got)
		}
	}
}

// exampleModule writes the example as a module of its own that requires
// this one through a replace, with this module's go.sum, so that it builds
// offline from the module cache.
func exampleModule(t *testing.T, example []byte) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile("../go.sum")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	gomod := "module shop\n\ngo 1.26.8\n\nrequire github.com/mockserver/mockserver v0.0.0\n\nreplace github.com/mockserver/mockserver => " + root + "\n"
	for name, src := range map[string]string{"go.mod": gomod, "go.sum": string(sum), "shop_test.go": string(example)} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// withoutEnv is env without the variable name.
func withoutEnv(env []string, name string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(kv string) bool { return strings.HasPrefix(kv, name+"=") })
}
