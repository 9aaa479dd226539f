package e2e_test

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// shBlock is a fenced shell block in Markdown.
var shBlock = regexp.MustCompile("(?s)```sh\n(.*?)```")

// expected is an answer a docs block promises in a comment: `# {"count":1}`.
var expected = regexp.MustCompile(`#\s*(\{[^}]*\})`)

// walkthroughs are the docs' shell blocks that start a server of their
// own: those a reader runs from top to bottom as they are.
func walkthroughs(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range append(files, "../README.md") {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range shBlock.FindAllSubmatch(b, -1) {
			if bytes.Contains(m[1], []byte("mockserver serve")) && bytes.Contains(m[1], []byte("&")) {
				out[filepath.Base(f)+"#"+string(rune('1'+i))] = string(m[1])
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no docs walkthrough found: docs/faults.md has one")
	}
	return out
}

// TestDocs_shellWalkthroughs runs each docs walkthrough as written, with
// bash -e, the built mockserver on PATH, curl and jq, against the server the
// block itself starts: the only change is the port (a free one instead of
// 8080, which another program may hold). The answers the block promises in
// comments must come out, in order. A block that forgets to wait for the
// server fails here with curl's "connection refused".
func TestDocs_shellWalkthroughs(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is not installed: .ci/run installs it, and CI must run the docs' walkthroughs", tool)
			}
			t.Skipf("%s is not installed: the docs' walkthroughs need it", tool)
		}
	}
	t.Parallel()
	bin := filepath.Dir(mockserverBinary(t))
	client, err := filepath.Abs("testdata/docs/your-client")
	if err != nil {
		t.Fatal(err)
	}
	for name, block := range walkthroughs(t) {
		t.Run(name, func(t *testing.T) {
			// Each block runs its own server on its own port and directory:
			// they wait on their servers side by side.
			t.Parallel()
			dir := t.TempDir()
			if err := os.Symlink(client, filepath.Join(dir, "your-client")); err != nil {
				t.Fatal(err)
			}
			addr := freeAddr(t)
			script := strings.NewReplacer("127.0.0.1:8080", addr, "localhost:8080", addr).Replace(block)
			out := runScript(t, dir, bin, addr, script)
			rest := out
			for _, m := range expected.FindAllStringSubmatch(block, -1) {
				i := strings.Index(rest, m[1])
				if i < 0 {
					t.Fatalf("the block promises %s; its output (from that point):\n%s\nwhole output:\n%s", m[1], rest, out)
				}
				rest = rest[i+len(m[1]):]
			}
		})
	}
}

// freeAddr is a loopback address with a port nothing listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// runScript runs script with bash -e in dir, stopping the jobs it left in
// the background (the server) when it ends and waiting for them; it
// returns the standard output and fails the test on a non-zero exit. bash,
// not sh: dash's "jobs -p" in a command substitution lists nothing.
func runScript(t *testing.T, dir, bin, addr, script string) string {
	t.Helper()
	cmd := exec.Command("bash", "-ec", "trap 'kill $(jobs -p) 2>/dev/null; wait' EXIT\n"+script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"MOCKSERVER_ADDR="+addr, "MOCKSERVER_LOG_LEVEL=warn")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 10 * time.Second // bounds a test whose background job outlives the shell
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the block failed: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	return stdout.String()
}
