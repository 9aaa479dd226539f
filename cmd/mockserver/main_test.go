package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
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
		// The parent reads the address from the ready line on stdout.
		os.Exit(program(nil))
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
	if err := run(context.Background(), []string{"--help"}, os.Getenv, &out, &errb, nil); err != nil || !strings.Contains(out.String(), "healthcheck") || !strings.Contains(out.String(), "Exit codes:") {
		t.Fatalf("--help: %v %q", err, out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"serve", "--help"}, func(k string) string {
		if k == "MOCKSERVER_ADDR" {
			return "0.0.0.0:9999"
		}
		return ""
	}, &out, &errb, nil); err != nil || !strings.Contains(out.String(), "[MOCKSERVER_ADDR] (default \"0.0.0.0:9999\")") {
		t.Fatalf("serve --help must list flags with their env vars and env defaults: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"healthcheck", "--help"}, os.Getenv, &out, &errb, nil); err != nil || !strings.Contains(out.String(), "--wait duration") {
		t.Fatalf("healthcheck --help must list its flags and exit 0: %v\n%s", err, out.String())
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
		if err != exitCode(2) || !strings.HasPrefix(errb.String(), "mockserver: --journal-size must be 0 (the default, 10000) or more, got -5\nRun 'mockserver serve --help' for usage.\n") {
			t.Errorf("%v env %q: %v\n%s", c.args, c.env, err, errb.String())
		}
	}
	srv, stop := startInProcess(t, "--db", filepath.Join(t.TempDir(), "s.db"), "--journal-size", "0")
	defer stop()
	if code, _ := get(t, "http://"+srv.Addr()+"/__admin/health"); code != http.StatusOK {
		t.Fatalf("--journal-size 0 (the default): health %d", code)
	}
}

// --max-worlds (or MOCKSERVER_MAX_WORLDS) is checked like --journal-size;
// a --replica-id that could not sit in a path segment and a host name is
// refused before the server starts.
func TestRun_worldFlags(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // should a value be accepted, the server stops at once
	db := filepath.Join(t.TempDir(), "s.db")
	var errb bytes.Buffer
	env := func(k string) string { return map[string]string{"MOCKSERVER_MAX_WORLDS": "-1"}[k] }
	err := run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", db}, env, io.Discard, &errb, nil)
	if err != exitCode(2) || !strings.HasPrefix(errb.String(), "mockserver: --max-worlds must be 0 (the default, 100) or more, got -1\n") {
		t.Errorf("MOCKSERVER_MAX_WORLDS=-1: %v\n%s", err, errb.String())
	}
	err = run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--replica-id", "Replica_0"}, func(string) string { return "" }, io.Discard, &errb, nil)
	if err == nil || !strings.Contains(err.Error(), `--replica-id must be lowercase letters, digits and inner dashes, at most 32, got "Replica_0"`) {
		t.Errorf("a bad --replica-id: %v", err)
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
	// GET /__admin/health needs no token (SPEC §1): a probe holds none.
	env["MOCKSERVER_ADMIN_TOKEN"] = ""
	if err := run(context.Background(), []string{"healthcheck"}, func(k string) string { return env[k] }, io.Discard, &errb, nil); err != nil {
		t.Fatalf("healthcheck without the token: %v %s", err, errb.String())
	}
	if err := run(context.Background(), []string{"healthcheck", "--addr", "127.0.0.1:1"}, os.Getenv, io.Discard, &errb, nil); err != exitCode(1) {
		t.Fatalf("healthcheck of nothing must fail: %v", err)
	}
}

// An acknowledged write survives kill -9: each API's write answered 2xx and
// then the scenario load answered 200, each time the process is killed
// without a chance to close the file, and a new process sees the writes. The process is this test binary run as the program
// (asProgram): the real run(), without building a binary.
func TestKill9_keepsAcknowledgedWrites(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "state.db")
	start := func() (*exec.Cmd, string) {
		cmd := exec.Command(self, "serve", "--addr", "127.0.0.1:0", "--db", db)
		// None of the shell's MOCKSERVER_* settings (a user's token,
		// scenario or worlds directory) reaches the program under test.
		env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "MOCKSERVER_") })
		cmd.Env = append(env, asProgram+"=1")
		var stderr syncBuffer
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(stdout).ReadString('\n')
		_, addr, found := strings.Cut(strings.TrimSuffix(line, ")\n"), "(listening on ")
		if err != nil || !found {
			_ = cmd.Wait()
			t.Fatalf("the server did not start: %v %q\n%s", err, line, stderr.String())
		}
		return cmd, addr
	}
	cmd, addr := start()
	written := vendorWrites(t, "http://"+addr)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	cmd, addr = start()
	for coll, wants := range written {
		_, got := get(t, "http://"+addr+"/__admin/state/"+coll)
		for _, want := range wants {
			if !bytes.Contains(got, []byte(want)) {
				t.Errorf("after kill -9 the acknowledged write %s is gone from %s:\n%s", want, coll, got)
			}
		}
	}
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

// vendorWrites makes durable writes through each API's own write path on
// the default scenario (carreta's order, amapi's create-order, saplab's pay
// and ledger entries, all group-committed): one of each, then a few of
// each at once, so that the three APIs' writes share commits. It returns,
// per collection, text that shows each was stored.
func vendorWrites(t *testing.T, base string) map[string][]string {
	t.Helper()
	try := func(method, path, body string, headers ...string) ([]byte, error) {
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		if err != nil {
			return nil, err
		}
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode/100 != 2 {
			return nil, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
		}
		return b, nil
	}
	send := func(method, path, body string, headers ...string) []byte {
		b, err := try(method, path, body, headers...)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var order struct{ ID int64 }
	if err := json.Unmarshal(send(http.MethodPost, "/v1/order/?api_key=demo-key", carretaOrder, "Content-Type", "application/json"), &order); err != nil {
		t.Fatal(err)
	}
	var placed struct {
		Code string `json:"OrderCode"`
	}
	if err := json.Unmarshal(send(http.MethodPost, "/api/create-order", amapiOrder, "Authorization", amapiToken, "Content-Type", "application/json"), &placed); err != nil || placed.Code == "" {
		t.Fatalf("amapi create-order: %+v %v", placed, err)
	}
	_, before := get(t, base+"/__admin/state/saplab/transactions")
	send(http.MethodGet, "/panel/order/pay/19", "", "Authorization", "Basic Nzk5OTAwMDAwMDA6ZGVtbw==")
	_, after := get(t, base+"/__admin/state/saplab/transactions")
	if len(after) <= len(before) || !bytes.HasSuffix(after, []byte("]\n")) {
		t.Fatalf("saplab pay stored no transaction:\n%s\n%s", before, after)
	}
	// The last record of the list is the new transaction.
	last := after[bytes.LastIndex(after, []byte(`{"`)):]
	written := map[string][]string{
		"carreta/orders":      {fmt.Sprintf(`"id":%d,`, order.ID)},
		"amapi/orders":        {placed.Code},
		"saplab/transactions": {string(bytes.TrimSuffix(last, []byte("]\n")))},
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	var failed []error
	// keep notes what an acknowledged write stored, or why it failed.
	keep := func(coll, what string, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			failed = append(failed, err)
			return
		}
		written[coll] = append(written[coll], what)
	}
	for i := range 4 {
		wg.Add(3)
		go func() {
			defer wg.Done()
			var o struct{ ID int64 }
			b, err := try(http.MethodPost, "/v1/order/?api_key=demo-key", carretaOrder, "Content-Type", "application/json")
			if err == nil {
				err = json.Unmarshal(b, &o)
			}
			keep("carreta/orders", fmt.Sprintf(`"id":%d,`, o.ID), err)
		}()
		go func() {
			defer wg.Done()
			var p struct {
				Code string `json:"OrderCode"`
			}
			b, err := try(http.MethodPost, "/api/create-order", amapiOrder, "Authorization", amapiToken, "Content-Type", "application/json")
			if err == nil {
				err = json.Unmarshal(b, &p)
			}
			keep("amapi/orders", p.Code, err)
		}()
		go func() {
			defer wg.Done()
			note := fmt.Sprintf("kill9-%d", i)
			_, err := try(http.MethodPost, "/panel/client/add_transaction/1", "amount=1&description="+note,
				"Authorization", "Basic Nzk5OTAwMDAwMDA6ZGVtbw==", "Content-Type", "application/x-www-form-urlencoded")
			keep("saplab/transactions", `"comment":"`+note+`"`, err)
		}()
	}
	wg.Wait()
	if len(failed) > 0 {
		t.Fatalf("concurrent writes failed: %v", failed)
	}
	return written
}

// The default scenario's identities and order bodies (bench/worldload).
const (
	carretaOrder = `{"_": "DqYXihjdqSPM4OKLl9uE6J+Te0AMfMSYhkNNgDbhOTJDDGP+JdDi28ZxGbbDkXBvUw7Yu6q69MiKBaDSnYdY6imfljWcQFw=","code": "OC47","maker": "KNECHT/MAHLE","min_qty": 1,"name": "\u0424\u0438\u043b\u044c\u0442\u0440 \u043c\u0430\u0441\u043b\u044f\u043d\u044b\u0439","period_max": 7,"period_min": 7,"price": "175.11","qty": "300","order_qty": 10}`
	amapiOrder   = `{"name":"Load","email":"load@example.com","phone":"79990000000","deliveryType":"pickup","items":[{"productId":1,"itemId":1,"name":"x","price":10,"quantity":1}]}`
	amapiToken   = "Bearer 1|DemoTokenDemoTokenDemoTokenDemoTokenDemo"
)

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

// serve says once, on stdout, that it is ready and where: with --addr :0,
// the port it really bound.
func TestServe_printsReadyLine(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var stdout syncBuffer
	done := make(chan error, 1)
	ready := make(chan *server.Server, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "s.db")}, func(string) string { return "" },
			&stdout, io.Discard, func(s *server.Server) { ready <- s })
	}()
	srv := <-ready
	want := "mockserver ready: http://" + srv.Addr() + " (listening on " + srv.Addr() + ")\n"
	if got := stdout.String(); got != want || strings.HasSuffix(srv.Addr(), ":0") {
		t.Errorf("stdout %q, want %q", got, want)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// healthcheck --wait keeps asking until a server that was not there yet
// answers; extra arguments are a usage error; a wait that runs out says so.
func TestHealthcheck_wait(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	var out, errb syncBuffer
	checked := make(chan error, 1)
	go func() {
		checked <- run(context.Background(), []string{"healthcheck", "--wait", "20s", "--addr", addr}, os.Getenv, &out, &errb, nil)
	}()
	// The wait that runs out asks beside the one that succeeds: each waits
	// on the poll's 100 ms, and one after the other they were most of the
	// package's run.
	var ranOut bytes.Buffer
	outOfTime := make(chan error, 1)
	go func() {
		outOfTime <- run(context.Background(), []string{"healthcheck", "--wait", "200ms", "--addr", "127.0.0.1:1"}, os.Getenv, io.Discard, &ranOut, nil)
	}()
	_, stop := startInProcess(t, "--db", filepath.Join(t.TempDir(), "s.db"), "--addr", addr)
	defer stop()
	if err := <-checked; err != nil || out.String() != "healthy: http://"+addr+"/__admin/health\n" {
		t.Fatalf("healthcheck --wait: %v %q %s", err, out.String(), errb.String())
	}
	var errs bytes.Buffer
	if err := run(context.Background(), []string{"healthcheck", "extra", "--addr", addr}, os.Getenv, io.Discard, &errs, nil); err != exitCode(2) {
		t.Fatalf("an extra argument must be a usage error: %v %s", err, errs.String())
	}
	if err := <-outOfTime; err != exitCode(1) || !strings.Contains(ranOut.String(), "not healthy after 200ms") {
		t.Fatalf("a wait that runs out: %v %q", err, ranOut.String())
	}
}

// Each command has its own help, with examples, as --help and as
// "help COMMAND"; usage errors are exit code 2 with a hint; completion
// scripts come for bash, zsh and fish; one-dash long flags still work.
func TestRun_helpCompletionAndUsageErrors(t *testing.T) {
	runOut := func(args ...string) (string, string, error) {
		var out, errb bytes.Buffer
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // a serve that was accepted stops at once
		err := run(ctx, args, func(string) string { return "" }, &out, &errb, nil)
		return out.String(), errb.String(), err
	}
	for _, cmd := range []string{"serve", "validate", "healthcheck"} {
		flagHelp, _, err := runOut(cmd, "--help")
		if err != nil || !strings.Contains(flagHelp, "Examples:") || !strings.Contains(flagHelp, "mockserver "+cmd) {
			t.Errorf("%s --help: %v\n%s", cmd, err, flagHelp)
		}
		if cmdHelp, _, err := runOut("help", cmd); err != nil || cmdHelp != flagHelp {
			t.Errorf("help %s differs from %s --help: %v\n%s", cmd, cmd, err, cmdHelp)
		}
	}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		if script, _, err := runOut("completion", shell); err != nil || !strings.Contains(script, "mockserver") {
			t.Errorf("completion %s: %v %.80q", shell, err, script)
		}
	}
	for _, args := range [][]string{{"frobnicate"}, {"serve", "--nope"}, {"serve", "extra"}, {"validate"},
		{"healthcheck", "extra", "--addr", "127.0.0.1:1"}, {"healthcheck", "--wait", "soon"}, {"serve", "--log-format", "xml"}} {
		if _, errs, err := runOut(args...); err != exitCode(2) || !strings.Contains(errs, "--help' for usage.") {
			t.Errorf("%q must be a usage error (exit 2) with a hint: %v\n%s", args, err, errs)
		}
	}
	db := filepath.Join(t.TempDir(), "s.db")
	if out, errs, err := runOut("-addr", "127.0.0.1:0", "-db", db); err != nil || !strings.HasPrefix(out, "mockserver ready: ") {
		t.Errorf("one-dash long flags, serve by default: %v %q %s", err, out, errs)
	}
}

// --version names the VCS revision and date when no version was stamped.
func TestVCSVersion(t *testing.T) {
	got := vcsVersion([]debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef"}, {Key: "vcs.time", Value: "2026-11-30T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}})
	if want := "dev-0123456789ab 2026-11-30T10:00:00Z modified"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := vcsVersion(nil); got != "" {
		t.Errorf("no VCS stamp: %q", got)
	}
}

// validate --print prints the effective scenario: the demo users kept, the
// file's own added, no extends: left.
func TestValidate_print(t *testing.T) {
	file := filepath.Join(t.TempDir(), "mine.yaml")
	if err := os.WriteFile(file, []byte("name: mine\nextends: default\namapi:\n  users: [{name: N, email: n@example.com, password: password1}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"validate", "--print", file}, os.Getenv, &out, &errb, nil); err != nil {
		t.Fatalf("%v %s", err, errb.String())
	}
	got := out.String()
	if !strings.Contains(got, "demo@example.com") || !strings.Contains(got, "n@example.com") || strings.Contains(got, "extends") {
		t.Fatalf("validate --print:\n%s", got)
	}
}

// --contract-check, or MOCKSERVER_CONTRACT_CHECK, turns the request check
// on: a request that does not conform to its document is on record with
// its violations, and violations=1 finds it.
func TestRun_contractCheck(t *testing.T) {
	// The environment variable turns it on as the flag does.
	env := func(k string) string { return map[string]string{"MOCKSERVER_CONTRACT_CHECK": "true"}[k] }
	ready := make(chan *server.Server, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "e.db")}, env, io.Discard, io.Discard,
			func(s *server.Server) { ready <- s })
	}()
	select {
	case s := <-ready:
		if !s.Config().ContractCheck {
			t.Errorf("MOCKSERVER_CONTRACT_CHECK=true did not turn the check on")
		}
	case err := <-done:
		t.Fatalf("server exited early: %v", err)
	}
	cancel()
	<-done

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
		out.Requests[0].Query != "api_key=[redacted]&page=first" || len(out.Requests[0].ContractViolations) == 0 ||
		!strings.HasPrefix(out.Requests[0].ContractViolations[0].Path, "#/paths/~1v1~1order~1/get/parameters/page") {
		t.Fatalf("violations=1: %d %s", code, body)
	}
}

// --memory-limit takes -1 (none), 0 (derived) or bytes; below -1 is a
// usage error. The server's setting is the flag's meaning: 0 derives, -1
// sets none (the library's 0), bytes stay bytes.
func TestRun_memoryLimitFlag(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var errb bytes.Buffer
	err := run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "s.db"), "--memory-limit", "-2"},
		func(string) string { return "" }, io.Discard, &errb, nil)
	if err != exitCode(2) || !strings.HasPrefix(errb.String(), "mockserver: --memory-limit must be -1 (none), 0 (the default: derived) or a number of bytes, got -2\n") {
		t.Errorf("--memory-limit -2: %v\n%s", err, errb.String())
	}
	for flag, want := range map[int]int64{0: server.MemoryAuto, -1: 0, 128 << 20: 128 << 20} {
		if got := serverMemoryLimit(flag); got != want {
			t.Errorf("serverMemoryLimit(%d) = %d, want %d", flag, got, want)
		}
	}
}
