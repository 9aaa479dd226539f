package e2e_test

import (
	"net/http"
	"net/http/httptest"
	"os"
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
// Go block is exampleFile, and it passes, compiled in a reader's module of
// its own (see reader): once with MOCKSERVER_URL naming an in-process mock,
// where its tests must make their worlds, and once without, where it starts
// a mock of its own instead of skipping. The variable is set for that child
// alone, whatever the shell exported: the suite never touches a mock the
// user is running.
func TestReadme_goExample(t *testing.T) {
	readmeExample(t)
	if testing.Short() {
		t.Skip("compiles a module of its own")
	}
	t.Parallel()
	m := servertest.Start(t, servertest.Options{})
	var worlds atomic.Int32
	counted := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/__admin/worlds" {
			worlds.Add(1)
		}
		m.Srv.Handler().ServeHTTP(w, r)
	}))
	defer counted.Close()
	// The two runs are independent processes: they run side by side, and
	// the worlds are counted once both have ended.
	t.Run("runs", func(t *testing.T) {
		for _, url := range []string{counted.URL, ""} {
			name := "without MOCKSERVER_URL"
			var env []string
			if url != "" {
				name = "with MOCKSERVER_URL"
				env = append(env, "MOCKSERVER_URL="+url)
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				var out string
				if url == "" {
					out = readerAloneOutput(t)
				} else {
					out = runReader(t, "^(TestProfileSurvivesAnOutage|TestEightShops)$", env...)
				}
				if !strings.Contains(out, "--- PASS: TestProfileSurvivesAnOutage") || !strings.Contains(out, "--- PASS: TestEightShops/shop7") {
					t.Fatalf("README.md's Go example, run on its own with MOCKSERVER_URL=%q:\n%s", url, out)
				}
			})
		}
	})
	if got := worlds.Load(); got != 9 {
		t.Fatalf("the two runs have made %d worlds on this mock, want 9 (1 + 8), all by the run with MOCKSERVER_URL naming it (the other starts a mock of its own)", got)
	}
}

// withoutEnv is env without the variable name.
func withoutEnv(env []string, name string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(kv string) bool { return strings.HasPrefix(kv, name+"=") })
}
