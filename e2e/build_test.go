package e2e_test

import (
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// Building is the slow part of this package: a link of the whole mock takes
// seconds. Each thing is built once per run, whichever test asks first,
// and shared: the binary (the docs' walkthroughs run it, and it is the one
// checked for being static) and the reader's module (the README's example and
// a mocktest user's tests, compiled into one test binary). The builds are
// kept between runs (see openBuildDir): the go command then relinks only
// what changed, and an unchanged build costs its check, not a link.

// buildDir holds this run's builds.
var buildDir string

func TestMain(m *testing.M) {
	dir, done, err := openBuildDir()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	buildDir = dir
	flag.Parse()
	if wholeRun() {
		// The builds are the package's long pole, and the tests that use
		// them are parallel, so they would start only after every serial
		// test: started now, they run beside those tests instead.
		go func() { _, _ = binary() }()
		go func() { _, _ = reader() }()
	}
	code := m.Run()
	done()
	os.Exit(code)
}

// openBuildDir is the directory for this run's builds and the function
// that lets it go at the end. It is kept between runs, one per checkout,
// under the user's cache directory: "go build -o" and "go test -c -o" leave
// an output that is up to date as it is (the go command compares the build
// ID it wrote into the file), so a run after an unchanged build links
// nothing. The run holds the directory's lock to its end, as it runs what
// it built; a run that finds the lock taken (another run of this package in
// the same checkout), or no cache directory, builds in a temporary
// directory removed at the end, as every run used to.
func openBuildDir() (string, func(), error) {
	if dir, unlock, ok := lockedCacheDir(); ok {
		return dir, unlock, nil
	}
	dir, err := os.MkdirTemp("", "mockserver-e2e-")
	if err != nil {
		return "", nil, err
	}
	return dir, func() { os.RemoveAll(dir) }, nil
}

// lockedCacheDir is this checkout's kept build directory, locked for this
// run, with the function that unlocks it; ok is false when there is none
// to have.
func lockedCacheDir() (dir string, unlock func(), ok bool) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", nil, false
	}
	root, err := filepath.Abs("..")
	if err != nil {
		return "", nil, false
	}
	sum := sha256.Sum256([]byte(root))
	dir = filepath.Join(cache, "mockserver-e2e", hex.EncodeToString(sum[:8]))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, false
	}
	lock, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", nil, false
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		return "", nil, false
	}
	return dir, func() { lock.Close() }, true // closing the file releases the lock
}

// wholeRun reports whether this run is one the builds are wanted in for
// sure: not -short (whose tests skip them), not a listing, and not a -run
// or -skip choice of tests, which may need none of them (those still build
// on first use).
func wholeRun() bool {
	if testing.Short() {
		return false
	}
	for _, name := range []string{"test.run", "test.skip", "test.list"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" {
			return false
		}
	}
	return true
}

// goCommand is a go command run in dir with GOFLAGS set to flags alone:
// CI sets GOFLAGS=-race for the suite, which these builds do not want (the
// binary is built as the Dockerfile builds it, with CGO_ENABLED=0).
func goCommand(dir, flags string, args ...string) *exec.Cmd {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(withoutEnv(withoutEnv(os.Environ(), "GOFLAGS"), "MOCKSERVER_URL"), "GOFLAGS="+flags)
	return cmd
}

// binary builds cmd/mockserver once, as the Dockerfile does (CGO_ENABLED=0,
// without the symbol table and DWARF: -ldflags "-s -w", which also makes
// the link, this package's longest step, shorter).
var binary = sync.OnceValues(func() (string, error) {
	bin := filepath.Join(buildDir, "bin", "mockserver")
	cmd := goCommand("../cmd/mockserver", "", "build", "-ldflags=-s -w", "-o", bin, ".")
	cmd.Env = append(cmd.Env, "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// mockserverBinary is the path of the built binary, or the test fails.
func mockserverBinary(t *testing.T) string {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// Docker cannot run here, so this checks what the image relies on: the
// binary has no dynamic loader and no shared libraries, so it runs FROM
// scratch.
func TestBinary_isStatic(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	t.Parallel()
	f, err := elf.Open(mockserverBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Fatal("the binary asks for a dynamic loader (PT_INTERP): not static")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Fatalf("the binary links shared libraries %v", libs)
	}
}

// readerFiles are the reader's module's test files: the README's Go
// example (checked word for word against the README by readmeExample) and
// a mocktest user's tests. Both are package shop_test.
var readerFiles = map[string]string{
	"shop_test.go":     exampleFile,
	"mocktest_test.go": "testdata/reader/mocktest_test.go",
}

// reader compiles, once, a reader's module of its own: a go.mod that
// requires this module through a replace, this module's go.sum, offline
// from the module cache (GOPROXY=off), and the readerFiles; the result is
// one test binary both TestReadme_goExample and TestMocktest_fromAnotherModule
// run.
var reader = sync.OnceValues(func() (string, error) {
	root, err := filepath.Abs("..")
	if err != nil {
		return "", err
	}
	sum, err := os.ReadFile("../go.sum")
	if err != nil {
		return "", err
	}
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		return "", err
	}
	dir := filepath.Join(buildDir, "shop")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	files := map[string][]byte{
		"go.mod": readerMod(mod, root),
		"go.sum": sum,
	}
	for name, from := range readerFiles {
		if files[name], err = os.ReadFile(from); err != nil {
			return "", err
		}
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), src, 0o644); err != nil {
			return "", err
		}
	}
	bin := filepath.Join(buildDir, "shop.test")
	// No debugger reads the test binary: without the symbol table and
	// DWARF (-s -w) it links faster.
	cmd := goCommand(dir, "-mod=mod", "test", "-c", "-ldflags=-s -w", "-o", bin, ".")
	cmd.Env = append(cmd.Env, "GOPROXY=off", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("the reader's module does not compile: %v\n%s", err, out)
	}
	return bin, nil
})

// readerMod is the reader's go.mod: this module's own requirements under
// another module path, plus this module through a replace. Listing every
// requirement this module lists gives the reader the same module graph,
// so an offline build needs only the go.mod files this module's own build
// fetched: with mockserver alone required, -mod=mod walks the graph of
// gopkg.in/yaml.v3, whose go.mod predates graph pruning, and asks for
// gopkg.in/check.v1's go.mod, which a fresh module cache does not hold.
func readerMod(mod []byte, root string) []byte {
	const self = "module github.com/mockserver/mockserver"
	out := strings.Replace(string(mod), self, "module example.com/shop", 1)
	return []byte(out + "\nrequire github.com/mockserver/mockserver v0.0.0\n\nreplace github.com/mockserver/mockserver => " + root + "\n")
}

// runReader runs the reader's tests matching run, with env added, and
// returns their verbose output; it fails the test when they fail.
func runReader(t *testing.T, run string, env ...string) string {
	t.Helper()
	out, err := readerRun(run, env...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// readerRun is runReader without a test to fail: the error says what
// failed and holds the output.
func readerRun(run string, env ...string) (string, error) {
	bin, err := reader()
	if err != nil {
		return "", err
	}
	cmd := exec.Command(bin, "-test.count=1", "-test.v", "-test.run", run)
	cmd.Env = append(withoutEnv(os.Environ(), "MOCKSERVER_URL"), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("the reader's tests %s with %q: %v\n%s", run, env, err, out)
	}
	return string(out), nil
}

// readerAlone is the verbose output of one run of all the reader's tests
// without MOCKSERVER_URL (each starts mocks of its own): the mocktest
// user's tests and the README example share it, one process and its mocks
// instead of two.
var readerAlone = sync.OnceValues(func() (string, error) {
	return readerRun("^(TestNew|TestConnect|TestProfileSurvivesAnOutage|TestEightShops)$")
})

// readerAloneOutput is readerAlone's output, or t fails.
func readerAloneOutput(t *testing.T) string {
	t.Helper()
	out, err := readerAlone()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMocktest_fromAnotherModule proves that another module can import
// mocktest: the reader's module runs a user's tests that use New and Connect.
func TestMocktest_fromAnotherModule(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a module of its own")
	}
	t.Parallel()
	out := readerAloneOutput(t)
	for _, want := range []string{"--- PASS: TestNew", "--- PASS: TestConnect/a", "--- PASS: TestConnect/c", "\nPASS\n"} {
		if !strings.Contains(out, want) {
			t.Fatalf("no %q in the output of the mocktest user's tests:\n%s", want, out)
		}
	}
}
