package main

import (
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/server"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// asProgram, set in the environment of this test binary run as a
// subprocess, makes it the program itself instead of its tests: a test that
// needs a process of its own (to kill it) runs the real run() without
// building a binary.
const asProgram = "MOCKSERVER_TEST_AS_PROGRAM"

func TestMain(m *testing.M) {
	if os.Getenv(asProgram) == "1" {
		// The one line the parent reads: the address the server bound.
		os.Exit(program(func(s *server.Server) { fmt.Println(s.Addr()) }))
	}
	os.Exit(m.Run())
}

// startInProcess runs the real program (run) on port 0 and returns the
// server, once it listens, and a stop function that waits for a clean exit.
func startInProcess(t *testing.T, args ...string) (*server.Server, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan error, 1)
	ready := make(chan *server.Server, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), func(string) string { return "" }, io.Discard, &stderr,
			func(s *server.Server) { ready <- s })
	}()
	select {
	case srv := <-ready:
		return srv, func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("server exited with %v\n%s", err, stderr.String())
			}
		}
	case err := <-done:
		cancel()
		t.Fatalf("server exited early: %v\n%s", err, stderr.String())
		return nil, nil
	}
}

func get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func post(t *testing.T, url, body string) (int, []byte) {
	t.Helper()
	resp, err := http.Post(url, "application/yaml", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func scenarioName(t *testing.T, addr string) string {
	t.Helper()
	_, b := get(t, "http://"+addr+"/__admin/scenario")
	var info struct{ Name string }
	if err := json.Unmarshal(b, &info); err != nil {
		t.Fatalf("scenario info %s", b)
	}
	return info.Name
}

const keptScenario = "name: kept\nseed: 11\ncarreta:\n  accounts: [{api_key: kept-key, allowed_ips: [127.0.0.1]}]\n"

// The end-to-end test of the foundation: start on port 0 with a temp db,
// write, restart, see the state kept; --fresh reseeds.
func TestServe_restartKeepsState(t *testing.T) {
	db := filepath.Join(t.TempDir(), "state.db")
	srv, stop := startInProcess(t, "--db", db)
	addr := srv.Addr()
	if code, body := get(t, "http://"+addr+"/__admin/health"); code != 200 || string(body) != "{\"status\":\"ok\"}\n" {
		t.Fatalf("health: %d %s", code, body)
	}
	if name := scenarioName(t, addr); name != "default" {
		t.Fatalf("a new file must be seeded from the default scenario, got %q", name)
	}
	if code, body := post(t, "http://"+addr+"/__admin/scenario", keptScenario); code != 200 {
		t.Fatalf("load scenario: %d %s", code, body)
	}
	_, before := get(t, "http://"+addr+"/__admin/state/carreta/accounts")
	stop()

	srv, stop = startInProcess(t, "--db", db)
	addr = srv.Addr()
	if name := scenarioName(t, addr); name != "kept" {
		t.Fatalf("after a restart the state must be kept, scenario is %q", name)
	}
	if _, after := get(t, "http://"+addr+"/__admin/state/carreta/accounts"); !bytes.Equal(before, after) {
		t.Fatalf("carreta accounts changed across the restart:\n%s\n%s", before, after)
	}
	// reset returns to the kept scenario, not to the embedded default
	if code, _ := post(t, "http://"+addr+"/__admin/reset", ""); code != 200 || scenarioName(t, addr) != "kept" {
		t.Fatal("reset after a restart must return to the scenario the file was seeded from")
	}
	stop()

	srv, stop = startInProcess(t, "--db", db, "--fresh")
	defer stop()
	addr = srv.Addr()
	if name := scenarioName(t, addr); name != "default" {
		t.Fatalf("--fresh must reseed from the default scenario, got %q", name)
	}
}

func TestRun_flagsEnvAndCommands(t *testing.T) {
	var out, errb bytes.Buffer
	env := func(k string) string {
		return map[string]string{"MOCKSERVER_JOURNAL_SIZE": "ten"}[k]
	}
	if err := run(context.Background(), []string{"serve"}, env, &out, &errb, nil); err == nil || !strings.Contains(err.Error(), "MOCKSERVER_JOURNAL_SIZE") {
		t.Fatalf("a bad env value must be reported, got %v", err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"--version"}, os.Getenv, &out, &errb, nil); err != nil || !strings.HasPrefix(out.String(), "mockserver ") {
		t.Fatalf("--version: %v %q", err, out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"--help"}, os.Getenv, &out, &errb, nil); err != nil || !strings.Contains(out.String(), "mockserver validate FILE...") {
		t.Fatalf("--help: %v %q", err, out.String())
	}
	errb.Reset()
	if err := run(context.Background(), []string{"serve", "--help"}, func(k string) string {
		if k == "MOCKSERVER_ADDR" {
			return "0.0.0.0:9999"
		}
		return ""
	}, &out, &errb, nil); err != exitCode(0) || !strings.Contains(errb.String(), "[MOCKSERVER_ADDR] (default \"0.0.0.0:9999\")") {
		t.Fatalf("serve --help must list flags with their env vars and env defaults: %v\n%s", err, errb.String())
	}
	errb.Reset()
	if err := run(context.Background(), []string{"healthcheck", "--help"}, os.Getenv, &out, &errb, nil); err != exitCode(0) || !strings.Contains(errb.String(), "-addr") {
		t.Fatalf("healthcheck --help must list its flags and exit 0: %v\n%s", err, errb.String())
	}
	if err := run(context.Background(), []string{"frobnicate"}, os.Getenv, &out, &errb, nil); err != exitCode(2) {
		t.Fatalf("unknown command: %v", err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"validate", "../../scenarios/default.yaml", "../../internal/scenario/testdata/bad/dangling_id.yaml"}, os.Getenv, &out, &errb, nil); err != exitCode(1) {
		t.Fatalf("validate with a bad file: %v", err)
	}
	want := "../../scenarios/default.yaml: ok\n../../internal/scenario/testdata/bad/dangling_id.yaml:6: group 9 does not exist (dangling id)\n"
	if out.String() != want {
		t.Fatalf("validate printed:\n%s\nwant:\n%s", out.String(), want)
	}
	out.Reset()
	if err := run(context.Background(), []string{"validate", "../../scenarios/empty.yaml"}, os.Getenv, &out, &errb, nil); err != nil {
		t.Fatalf("validate with a good file: %v", err)
	}
}

// A negative --journal-size (or MOCKSERVER_JOURNAL_SIZE) is a usage error,
// exit 2 with a message, not a silent 10000; 0 still means the default.
func TestRun_journalSizeMustNotBeNegative(t *testing.T) {
	for _, c := range []struct {
		args []string
		env  string
	}{
		{[]string{"serve", "--journal-size", "-5"}, ""},
		{[]string{"serve"}, "-5"},
	} {
		// Should the size be accepted, the server stops at once: the
		// context is already done.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		c.args = append(c.args, "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "s.db"))
		var errb bytes.Buffer
		env := func(k string) string {
			if k == "MOCKSERVER_JOURNAL_SIZE" {
				return c.env
			}
			return ""
		}
		err := run(ctx, c.args, env, io.Discard, &errb, nil)
		if err != exitCode(2) || !strings.HasPrefix(errb.String(), "mockserver: --journal-size must be 0 (the default, 10000) or more, got -5\nUsage: mockserver [serve]") {
			t.Errorf("%v env %q: %v\n%s", c.args, c.env, err, errb.String())
		}
	}
	srv, stop := startInProcess(t, "--db", filepath.Join(t.TempDir(), "s.db"), "--journal-size", "0")
	defer stop()
	if code, _ := get(t, "http://"+srv.Addr()+"/__admin/health"); code != http.StatusOK {
		t.Fatalf("--journal-size 0 (the default): health %d", code)
	}
}

func TestHealthcheck(t *testing.T) {
	srv, stop := startInProcess(t, "--db", filepath.Join(t.TempDir(), "s.db"), "--admin-token", "tok")
	defer stop()
	var errb bytes.Buffer
	env := map[string]string{"MOCKSERVER_ADDR": srv.Addr(), "MOCKSERVER_ADMIN_TOKEN": "tok"}
	if err := run(context.Background(), []string{"healthcheck"}, func(k string) string { return env[k] }, io.Discard, &errb, nil); err != nil {
		t.Fatalf("healthcheck of a running server: %v %s", err, errb.String())
	}
	env["MOCKSERVER_ADMIN_TOKEN"] = ""
	if err := run(context.Background(), []string{"healthcheck"}, func(k string) string { return env[k] }, io.Discard, &errb, nil); err != exitCode(1) {
		t.Fatalf("healthcheck without the token must fail: %v", err)
	}
	if err := run(context.Background(), []string{"healthcheck", "--addr", "127.0.0.1:1"}, os.Getenv, io.Discard, &errb, nil); err != exitCode(1) {
		t.Fatalf("healthcheck of nothing must fail: %v", err)
	}
}

// Docker cannot run here, so this checks what the image relies on: the
// binary has no dynamic loader and no shared libraries, so it runs FROM scratch.
//
// It is the one test that builds the binary, once, as the Dockerfile does
// (CGO_ENABLED=0), in parallel with the other tests; they run the program
// in-process, or as this test binary (TestKill9_keepsAcknowledgedWrites).
func TestBinary_isStatic(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "mockserver")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=") // CI sets GOFLAGS=-race, which needs cgo
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	f, err := elf.Open(bin)
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

// An acknowledged write survives kill -9: the scenario load answered 200, the
// process is killed without a chance to close the file, and a new process
// sees the write. The process is this test binary run as the program
// (asProgram): the real run(), without building a binary.
func TestKill9_keepsAcknowledgedWrites(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "state.db")
	start := func() (*exec.Cmd, string) {
		cmd := exec.Command(self, "serve", "--addr", "127.0.0.1:0", "--db", db)
		cmd.Env = append(os.Environ(), asProgram+"=1")
		var stderr syncBuffer
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		addr, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil {
			_ = cmd.Wait()
			t.Fatalf("the server did not start: %v\n%s", err, stderr.String())
		}
		return cmd, strings.TrimSpace(addr)
	}
	cmd, addr := start()
	if code, body := post(t, "http://"+addr+"/__admin/scenario", keptScenario); code != 200 {
		t.Fatalf("load: %d %s", code, body)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	cmd, addr = start()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			t.Errorf("SIGTERM must end the server cleanly: %v", err)
		}
	}()
	if name := scenarioName(t, addr); name != "kept" {
		t.Fatalf("after kill -9 the acknowledged write is gone: scenario %q", name)
	}
}

// SIGTERM (the context ending) lets a request in flight finish with its
// answer before the server closes the state file and returns. The request is
// held in flight by a delay fault, and the test stops the server only once
// the request is inside the delay, so it never races the request's arrival.
func TestServe_drainsInFlightRequests(t *testing.T) {
	srv, stop := startInProcess(t, "--db", filepath.Join(t.TempDir(), "s.db"))
	addr := srv.Addr()
	reached := make(chan struct{}, 1)
	srv.Faults().SetTimer(func(d time.Duration) <-chan time.Time {
		reached <- struct{}{}
		return make(chan time.Time) // only the shutdown's interrupt ends it
	})
	if code, body := post(t, "http://"+addr+"/__admin/faults", `{"id":"slow","api":"amapi","path":"/api/test","action":{"delay":"300ms"}}`); code != http.StatusCreated && code != http.StatusOK {
		t.Fatalf("arming the delay: %d %s", code, body)
	}
	type result struct {
		code int
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/api/test")
		if err != nil {
			got <- result{err: err}
			return
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- result{code: resp.StatusCode, body: string(b), err: err}
	}()
	<-reached
	stopped := make(chan struct{})
	go func() { stop(); close(stopped) }()
	r := <-got
	if r.err != nil || r.code != http.StatusOK || !strings.Contains(r.body, `"serviceAvailable":true`) {
		t.Fatalf("the in-flight request was cut off: %d %q %v", r.code, r.body, r.err)
	}
	<-stopped
	if _, err := http.Get("http://" + addr + "/__admin/health"); err == nil {
		t.Fatal("the server still accepts requests after shutdown")
	}
}

// --contract-check, or MOCKSERVER_CONTRACT_CHECK, turns the request check
// on: a request that does not conform to its document is on record with
// its violations, and violations=1 finds it.
func TestRun_contractCheck(t *testing.T) {
	env := func(k string) string { return map[string]string{"MOCKSERVER_CONTRACT_CHECK": "true"}[k] }
	if f, err := parseServe(nil, env, io.Discard); err != nil || !f.cfg.ContractCheck {
		t.Fatalf("MOCKSERVER_CONTRACT_CHECK=true: %v, on %v", err, f != nil && f.cfg.ContractCheck)
	}
	if f, err := parseServe(nil, func(string) string { return "" }, io.Discard); err != nil || f.cfg.ContractCheck {
		t.Fatalf("the check must be off by default: %v", err)
	}
	srv, stop := startInProcess(t, "--db", filepath.Join(t.TempDir(), "s.db"), "--contract-check")
	defer stop()
	base := "http://" + srv.Addr()
	get(t, base+"/v1/profile/?api_key=demo-key")
	get(t, base+"/v1/order/?api_key=demo-key&page=first")
	code, body := get(t, base+"/__admin/requests?violations=1")
	var out struct {
		Requests []struct {
			Query              string
			ContractViolations []struct{ Path, Message string } `json:"contract_violations"`
		}
	}
	if err := json.Unmarshal(body, &out); code != http.StatusOK || err != nil || len(out.Requests) != 1 ||
		out.Requests[0].Query != "api_key=demo-key&page=first" || len(out.Requests[0].ContractViolations) == 0 ||
		!strings.HasPrefix(out.Requests[0].ContractViolations[0].Path, "#/paths/~1v1~1order~1/get/parameters/page") {
		t.Fatalf("violations=1: %d %s", code, body)
	}
}
