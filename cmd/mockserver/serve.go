package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/mockserver/mockserver/internal/journal"
	"github.com/mockserver/mockserver/internal/logline"
	"github.com/mockserver/mockserver/internal/logwriter"
	"github.com/mockserver/mockserver/internal/procs"
	"github.com/mockserver/mockserver/internal/server"
)

type serveFlags struct {
	cfg       server.Config
	memLimit  int // --memory-limit: 0 derived, -1 none, else bytes
	logFormat string
	logLevel  string
	env       *envFlags
}

// newServe is the serve command, the default one.
func newServe(d *deps) *cobra.Command {
	f := &serveFlags{}
	c := &cobra.Command{
		Use:   "serve",
		Short: "Serve all three APIs and /__admin (the default command)",
		Long: `Serve amapi (/api), carreta (/v1), saplab (/panel) and the control API (/__admin)
on one listener. A new state file is seeded from the scenario; an existing one
keeps its state across restarts until --fresh. SIGINT or SIGTERM stop it
gracefully. Once it listens it prints one line on stdout:
  mockserver ready: http://127.0.0.1:8080 (listening on 127.0.0.1:8080)
with the real port when --addr asks for port 0. The log goes to stderr.`,
		Example: `  mockserver serve --fresh
  mockserver --addr 127.0.0.1:0 --db /tmp/ci.db   # serve is the default command
  mockserver serve --scenario my.yaml --fresh --admin-token "$TOKEN"
  MOCKSERVER_ADDR=0.0.0.0:8080 mockserver serve --log-format json
  mockserver serve --fresh & mockserver healthcheck --wait 10s`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error { return serve(c.Context(), f, d) },
	}
	f.env = &envFlags{fs: c.Flags(), getenv: d.getenv}
	bindServe(f)
	return c
}

// bindServe binds serve's flags, each with its MOCKSERVER_* fallback.
func bindServe(f *serveFlags) {
	e := f.env
	e.str(&f.cfg.Addr, "addr", "MOCKSERVER_ADDR", server.DefaultAddr, "address of the shared listener (all APIs and /__admin)")
	e.str(&f.cfg.DB, "db", "MOCKSERVER_DB", server.DefaultDB, "bbolt state file, each API's rows beside it in PATH.amapi, PATH.carreta and PATH.saplab; kept across restarts")
	e.str(&f.cfg.Scenario, "scenario", "MOCKSERVER_SCENARIO", "", "scenario file to seed a new state file from (default: the embedded default scenario)")
	e.str(&f.cfg.ScenarioDir, "scenario-dir", "MOCKSERVER_SCENARIO_DIR", server.DefaultScenarioDir, "where POST /__admin/scenario?name= looks for NAME.yaml")
	e.boolean(&f.cfg.Fresh, "fresh", "MOCKSERVER_FRESH", "reseed from the scenario even if the state file exists")
	e.str(&f.cfg.AdminToken, "admin-token", "MOCKSERVER_ADMIN_TOKEN", "", "when set, /__admin requires Authorization: Bearer <token> (GET|HEAD /__admin/health does not)")
	e.boolean(&f.cfg.TrustProxy, "trust-proxy", "MOCKSERVER_TRUST_PROXY", "take the client IP from X-Forwarded-For (carreta IP allowlists)")
	e.boolean(&f.cfg.ContractCheck, "contract-check", "MOCKSERVER_CONTRACT_CHECK", "record on its journal entry how each request departs from its API's OpenAPI document (GET /__admin/requests?violations=1)")
	e.str(&f.cfg.CORS, "cors", "MOCKSERVER_CORS", "", "add CORS to all three APIs and /__admin for these origins: * or a comma list like http://localhost:3000 (default: off; amapi keeps its own)")
	e.str(&f.cfg.AmapiAddr, "amapi-addr", "MOCKSERVER_AMAPI_ADDR", "", "also serve amapi alone on this address")
	e.str(&f.cfg.CarretaAddr, "carreta-addr", "MOCKSERVER_CARRETA_ADDR", "", "also serve carreta alone on this address")
	e.str(&f.cfg.SaplabAddr, "saplab-addr", "MOCKSERVER_SAPLAB_ADDR", "", "also serve saplab alone on this address")
	e.integer(&f.cfg.JournalSize, "journal-size", "MOCKSERVER_JOURNAL_SIZE", journal.DefaultSize, "requests kept in the in-memory journal (0: the default)")
	e.integer(&f.cfg.JournalBytes, "journal-bytes", "MOCKSERVER_JOURNAL_BYTES", journal.DefaultBytes, "byte budget of the in-memory journal (per world); the oldest entries go past it (0: the default)")
	e.integer(&f.memLimit, "memory-limit", "MOCKSERVER_MEMORY_LIMIT", 0, "the Go runtime's soft memory limit in bytes: 0 derives it (--journal-bytes per live journal, plus the rest of the live heap again, at least 24 MiB), -1 sets none; GOMEMLIMIT, when set, wins")
	e.duration(&f.cfg.ReadHeaderTimeout, "read-header-timeout", "MOCKSERVER_READ_HEADER_TIMEOUT", server.DefaultReadHeaderTimeout, "how long a client may take to send a request's headers (0: the default)")
	e.duration(&f.cfg.ReadTimeout, "read-timeout", "MOCKSERVER_READ_TIMEOUT", server.DefaultReadTimeout, "how long a client may take to send a whole request, body included (0: the default)")
	e.duration(&f.cfg.WriteTimeout, "write-timeout", "MOCKSERVER_WRITE_TIMEOUT", server.DefaultWriteTimeout, "how long an answer may take from the end of the request's headers until it is written; fault delays and journal waits add their own time (0: the default)")
	e.duration(&f.cfg.IdleTimeout, "idle-timeout", "MOCKSERVER_IDLE_TIMEOUT", server.DefaultIdleTimeout, "how long an unused keep-alive connection stays open (0: the default)")
	e.integer(&f.cfg.MaxConns, "max-conns", "MOCKSERVER_MAX_CONNS", server.DefaultMaxConns, "open connections per listener; at the cap the one idle longest is closed for a new client (0: the default)")
	e.str(&f.cfg.WorldsDir, "worlds-dir", "MOCKSERVER_WORLDS_DIR", "", "where each process makes its directory of world files, not fsynced (default: the system's temporary directory)")
	e.integer(&f.cfg.MaxWorlds, "max-worlds", "MOCKSERVER_MAX_WORLDS", server.DefaultMaxWorlds, "worlds that may live at once; past it, POST /__admin/worlds is a 429 (0: the default)")
	e.str(&f.cfg.ReplicaID, "replica-id", "MOCKSERVER_REPLICA_ID", "", "starts every world id, so an ingress can route /w/<id> to this replica")
	e.str(&f.logFormat, "log-format", "MOCKSERVER_LOG_FORMAT", "text", "log format: text or json")
	e.str(&f.logLevel, "log-level", "MOCKSERVER_LOG_LEVEL", "info", "log level: debug, info, warn or error (warn hides the per-request lines)")
}

// check refuses the values no default can stand in for.
func (f *serveFlags) check() error {
	if err := f.env.checkEnv(); err != nil {
		return failed{err}
	}
	if err := nonNegative("journal-size", f.cfg.JournalSize, journal.DefaultSize); err != nil {
		return err
	}
	if err := nonNegative("max-worlds", f.cfg.MaxWorlds, server.DefaultMaxWorlds); err != nil {
		return err
	}
	if err := nonNegative("journal-bytes", f.cfg.JournalBytes, journal.DefaultBytes); err != nil {
		return err
	}
	if err := nonNegative("max-conns", f.cfg.MaxConns, server.DefaultMaxConns); err != nil {
		return err
	}
	if f.memLimit < -1 {
		return usageErrorf("--memory-limit must be -1 (none), 0 (the default: derived) or a number of bytes, got %d", f.memLimit)
	}
	f.cfg.MemoryLimit = serverMemoryLimit(f.memLimit)
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"read-header-timeout", f.cfg.ReadHeaderTimeout}, {"read-timeout", f.cfg.ReadTimeout},
		{"write-timeout", f.cfg.WriteTimeout}, {"idle-timeout", f.cfg.IdleTimeout}} {
		if d.v < 0 {
			return usageErrorf("--%s must be 0 (the default) or more, got %s", d.name, d.v)
		}
	}
	if f.logFormat != "text" && f.logFormat != "json" {
		return usageErrorf("--log-format must be text or json, got %q", f.logFormat)
	}
	return nil
}

// defaultProcs is the runtime's GOMAXPROCS before serve sets its own (the
// CPUs the process may use, its cgroup's limit included), read once so
// that serving again (the tests do) sets the same number.
var defaultProcs = runtime.GOMAXPROCS(0)

// serverMemoryLimit is server.Config.MemoryLimit for --memory-limit: the
// flag's 0 is the derived limit (the library's 0 sets none, so that a Go
// test embedding the server keeps its runtime settings), its -1 none.
func serverMemoryLimit(flag int) int64 {
	switch flag {
	case 0:
		return server.MemoryAuto
	case -1:
		return 0
	}
	return int64(flag)
}

// newLogger is the slog logger --log-format and --log-level ask for, on w.
func newLogger(format, level string, w io.Writer) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usageErrorf("--log-level: %v", err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	// logline: slog's text or JSON handler, with a fast path for the
	// request lines (w is a logwriter, which takes concurrent lines).
	return slog.New(logline.New(format, w, opts)), nil
}

// serve runs the server until ctx ends (the log on stderr), telling
// d.ready, when not nil, once it listens. Once bound, it prints one line
// on stdout, "mockserver ready: URL (listening on ADDR)", with the real
// port for --addr :0, so that a script can read it.
func serve(ctx context.Context, f *serveFlags, d *deps) error {
	if err := f.check(); err != nil {
		return err
	}
	// The log lines are written in batches off the request path
	// (logwriter), all of them before serve returns.
	lines := logwriter.New(d.stderr)
	defer lines.Flush()
	log, err := newLogger(f.logFormat, f.logLevel, lines)
	if err != nil {
		return err
	}
	// Spare Ps for the threads a commit's fsync holds (server.Procs),
	// kept while commits overlap other requests (internal/procs).
	if _, ok := server.Procs(defaultProcs, os.Getenv("GOMAXPROCS")); ok {
		procs.InstallRuntime(defaultProcs, server.SpareProcs)
		defer procs.Install(nil)
	}
	srv, err := server.New(f.cfg, log)
	if err != nil {
		return failed{err}
	}
	if err := srv.Listen(); err != nil {
		_ = srv.Close()
		return failed{err}
	}
	// The spare Ps served the start; a server that only reads is faster
	// without them, and an overlapping commit raises them again.
	procs.Lower()
	fmt.Fprintf(d.stdout, "mockserver ready: %s (listening on %s)\n", localURL(srv.Addr()), srv.Addr())
	if d.ready != nil {
		d.ready(srv)
	}
	return ran(srv.Serve(ctx))
}

// localURL is the http URL of addr as seen from this machine: a wildcard
// host (":8080", "0.0.0.0", "::") means the loopback.
func localURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}
