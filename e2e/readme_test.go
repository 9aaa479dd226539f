package e2e_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
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

// readmeExample returns the README's only Go block, after checking that
// it is readme_example_test.go word for word after the package clause.
func readmeExample(t *testing.T) []byte {
	t.Helper()
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile("readme_example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	blocks := goBlock.FindAllSubmatch(readme, -1)
	if len(blocks) != 1 {
		t.Fatalf("README.md has %d Go blocks; each must be a file this test compiles, and there is one such file", len(blocks))
	}
	if got, want := afterPackage(t, "README.md's Go block", string(blocks[0][1])), afterPackage(t, "readme_example_test.go", string(file)); got != want {
		t.Fatalf("README.md's Go example differs from readme_example_test.go after the package clause:\n--- README\n%s\n--- file\n%s", got, want)
	}
	return blocks[0][1]
}

// TestReadme_goExample keeps the README's Go example true: the README's only
// Go block is readme_example_test.go, and it passes against the real server.
// TestReadme_goExampleCompilesAlone checks that it compiles on its own.
func TestReadme_goExample(t *testing.T) {
	readmeExample(t)
	m := servertest.Start(t, servertest.Options{})
	t.Setenv("MOCKSERVER_URL", m.URL)
	TestProfileSurvivesAnOutage(t)
	if v, ok := m.Srv.Faults().Get("outage"); !ok || v.Fired != 1 {
		t.Fatalf("the example did not run against this mock: %+v", v)
	}
}

// TestReadme_goExampleCompilesAlone checks that the README's Go example
// compiles on its own: in a reader's module, with nothing of this package
// in scope. It runs go vet, a second of the suite, in parallel with the
// other tests.
func TestReadme_goExampleCompilesAlone(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go vet in a module of its own")
	}
	t.Parallel()
	example := readmeExample(t)
	dir := t.TempDir()
	for name, src := range map[string]string{"go.mod": "module shop\n\ngo 1.22\n", "shop_test.go": string(example)} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	vet := exec.Command("go", "vet", "./...")
	vet.Dir = dir
	vet.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off")
	if out, err := vet.CombinedOutput(); err != nil {
		t.Fatalf("README.md's Go example does not compile on its own: %v\n%s", err, out)
	}
}
