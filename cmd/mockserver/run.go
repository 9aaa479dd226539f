package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/mockserver/mockserver/internal/journal"
	"github.com/mockserver/mockserver/internal/scenario"
	"github.com/mockserver/mockserver/internal/server"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3"; a
// plain build reports the module version or VCS revision instead.
var version = ""

// exitCode ends the program with a status and no further message (the
// command already said what was wrong).
type exitCode int

// Error says which status the program exits with.
func (e exitCode) Error() string { return "exit " + strconv.Itoa(int(e)) }

const usage = `mockserver simulates the amapi, carreta and saplab APIs with real rules and real state.

Usage:
  mockserver [serve] [flags]      serve all three APIs and /__admin (the default)
  mockserver validate FILE...     check scenario files; prints file:line: message per problem
  mockserver healthcheck [flags]  exit 0 if the server at --addr answers /__admin/health
  mockserver --version            print the version
  mockserver --help               this text

Run "mockserver serve --help" for the serve flags and their MOCKSERVER_* environment variables.
`

// run is the whole program with its inputs made explicit, so tests can run
// it in-process. ready, when not nil, is told the server once it listens:
// how a test learns the address a port-0 listener got, without reading the
// log.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, ready func(*server.Server)) error {
	if len(args) > 0 {
		switch args[0] {
		case "--help", "-help", "-h", "help":
			fmt.Fprint(stdout, usage)
			return nil
		case "--version", "-version", "version":
			fmt.Fprintln(stdout, "mockserver", versionString())
			return nil
		}
	}
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stderr, ready)
	case "validate":
		return validate(args, stdout, stderr)
	case "healthcheck":
		return healthcheck(args, getenv, stderr)
	}
	fmt.Fprintf(stderr, "mockserver: unknown command %q\n\n%s", cmd, usage)
	return exitCode(2)
}

// versionString is what --version prints: the -ldflags version, else the
// module version, else the VCS revision, else "dev".
func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			return bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return "dev"
}

// envFlags binds flags whose default comes from an environment variable.
type envFlags struct {
	fs     *flag.FlagSet
	getenv func(string) string
	bad    []string
}

// str binds a string flag whose default is the env variable, when set.
func (e *envFlags) str(p *string, name, env, def, help string) {
	if v := e.getenv(env); v != "" {
		def = v
	}
	e.fs.StringVar(p, name, def, help+" ["+env+"]")
}

// boolean binds a bool flag whose default is the env variable, when set; a
// value that is not a bool is kept in bad.
func (e *envFlags) boolean(p *bool, name, env string, help string) {
	def := false
	if v := e.getenv(env); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			e.bad = append(e.bad, fmt.Sprintf("%s=%q is not true or false", env, v))
		}
		def = b
	}
	e.fs.BoolVar(p, name, def, help+" ["+env+"]")
}

// integer binds an int flag whose default is the env variable, when set; a
// value that is not an integer is kept in bad.
func (e *envFlags) integer(p *int, name, env string, def int, help string) {
	if v := e.getenv(env); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			e.bad = append(e.bad, fmt.Sprintf("%s=%q is not an integer", env, v))
		}
		def = n
	}
	e.fs.IntVar(p, name, def, help+" ["+env+"]")
}

type serveFlags struct {
	cfg       server.Config
	logFormat string
	logLevel  string
}

// parseServe reads serve's flags (with their env fallbacks). Usage errors
// are printed to stderr and returned as exit code 2; --help is exit code 0.
func parseServe(args []string, getenv func(string) string, stderr io.Writer) (*serveFlags, error) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := &serveFlags{}
	e := &envFlags{fs: fs, getenv: getenv}
	e.str(&f.cfg.Addr, "addr", "MOCKSERVER_ADDR", server.DefaultAddr, "address of the shared listener (all APIs and /__admin)")
	e.str(&f.cfg.DB, "db", "MOCKSERVER_DB", server.DefaultDB, "bbolt state file; kept across restarts")
	e.str(&f.cfg.Scenario, "scenario", "MOCKSERVER_SCENARIO", "", "scenario file to seed a new state file from (default: the embedded default scenario)")
	e.str(&f.cfg.ScenarioDir, "scenario-dir", "MOCKSERVER_SCENARIO_DIR", server.DefaultScenarioDir, "where POST /__admin/scenario?name= looks for NAME.yaml")
	e.boolean(&f.cfg.Fresh, "fresh", "MOCKSERVER_FRESH", "reseed from the scenario even if the state file exists")
	e.str(&f.cfg.AdminToken, "admin-token", "MOCKSERVER_ADMIN_TOKEN", "", "when set, /__admin requires Authorization: Bearer <token>")
	e.boolean(&f.cfg.TrustProxy, "trust-proxy", "MOCKSERVER_TRUST_PROXY", "take the client IP from X-Forwarded-For (carreta IP allowlists)")
	e.str(&f.cfg.AmapiAddr, "amapi-addr", "MOCKSERVER_AMAPI_ADDR", "", "also serve amapi alone on this address")
	e.str(&f.cfg.CarretaAddr, "carreta-addr", "MOCKSERVER_CARRETA_ADDR", "", "also serve carreta alone on this address")
	e.str(&f.cfg.SaplabAddr, "saplab-addr", "MOCKSERVER_SAPLAB_ADDR", "", "also serve saplab alone on this address")
	e.boolean(&f.cfg.ContractCheck, "contract-check", "MOCKSERVER_CONTRACT_CHECK", "record on its journal entry how each request departs from its API's OpenAPI document (GET /__admin/requests?violations=1)")
	e.integer(&f.cfg.JournalSize, "journal-size", "MOCKSERVER_JOURNAL_SIZE", journal.DefaultSize, "requests kept in the in-memory journal (0: the default)")
	e.str(&f.logFormat, "log-format", "MOCKSERVER_LOG_FORMAT", "text", "log format: text or json")
	e.str(&f.logLevel, "log-level", "MOCKSERVER_LOG_LEVEL", "info", "log level: debug, info, warn or error (warn hides the per-request lines)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: mockserver [serve] [flags]\n\nFlags (environment variable in brackets):\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, exitCode(0)
		}
		return nil, exitCode(2)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "mockserver: unexpected argument %q\n", fs.Arg(0))
		return nil, exitCode(2)
	}
	if len(e.bad) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(e.bad, "; "))
	}
	if f.cfg.JournalSize < 0 {
		// A usage error like a malformed number: a negative bound is a
		// typo, not a wish for the default the server would silently use.
		fmt.Fprintf(stderr, "mockserver: --journal-size must be 0 (the default, %d) or more, got %d\n", journal.DefaultSize, f.cfg.JournalSize)
		fs.Usage()
		return nil, exitCode(2)
	}
	if f.logFormat != "text" && f.logFormat != "json" {
		return nil, fmt.Errorf("--log-format must be text or json, got %q", f.logFormat)
	}
	return f, nil
}

// newLogger is the slog logger --log-format and --log-level ask for, on w.
func newLogger(format, level string, w io.Writer) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %v", err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return slog.New(slog.NewTextHandler(w, opts)), nil
}

// serve runs the server until ctx ends (serve's flags in args; the log on
// stderr), telling ready, when not nil, once it listens.
func serve(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer, ready func(*server.Server)) error {
	f, err := parseServe(args, getenv, stderr)
	if err != nil {
		return err
	}
	log, err := newLogger(f.logFormat, f.logLevel, stderr)
	if err != nil {
		return err
	}
	srv, err := server.New(f.cfg, log)
	if err != nil {
		return err
	}
	if err := srv.Listen(); err != nil {
		_ = srv.Close()
		return err
	}
	if ready != nil {
		ready(srv)
	}
	return srv.Serve(ctx)
}

// validate checks each scenario file, printing "file: ok" or its problems as
// file:line: message; any problem is exit code 1.
func validate(files []string, stdout, stderr io.Writer) error {
	if len(files) == 0 {
		fmt.Fprintln(stderr, "Usage: mockserver validate FILE...")
		return exitCode(2)
	}
	bad := false
	for _, file := range files {
		if _, err := scenario.LoadFile(file); err != nil {
			bad = true
			fmt.Fprintln(stdout, err.Error())
			continue
		}
		fmt.Fprintf(stdout, "%s: ok\n", file)
	}
	if bad {
		return exitCode(1)
	}
	return nil
}

// healthcheck asks the server at --addr for /__admin/health (a wildcard host
// means this machine): exit code 0 when it answers 200, 1 otherwise.
func healthcheck(args []string, getenv func(string) string, stderr io.Writer) error {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	e := &envFlags{fs: fs, getenv: getenv}
	var addr, token string
	e.str(&addr, "addr", "MOCKSERVER_ADDR", server.DefaultAddr, "address of the server to check")
	e.str(&token, "admin-token", "MOCKSERVER_ADMIN_TOKEN", "", "admin token, if the server needs one")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitCode(0)
		}
		return exitCode(2)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		fmt.Fprintf(stderr, "healthcheck: bad address %q: %v\n", addr, err)
		return exitCode(1)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	req, _ := http.NewRequest(http.MethodGet, "http://"+net.JoinHostPort(host, port)+server.AdminPrefix+"/health", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	client := &http.Client{Timeout: 2 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "healthcheck: %v\n", err)
		return exitCode(1)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "healthcheck: %s answered %d\n", req.URL, resp.StatusCode)
		return exitCode(1)
	}
	return nil
}
