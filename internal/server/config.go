// Package server assembles the mock: the state files, the three vendor APIs,
// the control API and the shared middleware, on one listener routed by path
// prefix (plus optional per-API listeners). cmd/mockserver only parses flags
// and hands a Config to New.
//
// Everything one mock is (state files, clock, journal, faults, APIs, state
// gate, scenario, routes) is a World (world.go, routes.go). The root world
// is on the unprefixed paths with its state in --db; the registry
// (worlds.go) holds the other worlds, each a scratch file reached under
// /w/<id> (SPEC §10).
//
// # Locks
//
// Per world: the state gate (World.gate) and the scenario lock (World.mu),
// see World; a hosted world's life lock (hosted.life), held by each of its
// requests and taken whole by its removal. For the registry: registry.mu
// (its writers) and templates.mu (the seeded files); the request path
// finds its world with an atomic load and takes neither. Order, outermost
// first: registry.mu is never held with another; life, then the gate, then
// bbolt's and the vendors' locks, then the injector's, the journal's and
// the clock's, which are leaves.
package server

import (
	"fmt"
	"regexp"
	"time"

	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/contract"
	"github.com/mockserver/mockserver/internal/journal"
)

// Config is everything the server can be told at start-up. Zero values mean
// the defaults of SPEC §1.
type Config struct {
	// Addr is the shared listener: all three APIs and /__admin.
	Addr string
	// DB is the main bbolt file; each API's rows are in a file beside it
	// (state.Files: DB.amapi, DB.carreta, DB.saplab).
	DB string
	// ScratchDB opens DB and its API files without fsync (state.OpenScratch), as every
	// world's file is: a commit then costs a copy into the page cache, and
	// a crash may lose or corrupt the file. Test-only: no flag sets it, and
	// a user's --db keeps its acknowledged writes through kill -9.
	// servertest sets it for tests, whose file dies with the test and whose
	// every commit paid an fdatasync.
	ScratchDB bool
	// Scenario is a scenario file to seed from; empty means the embedded
	// default scenario.
	Scenario string
	// ScenarioDir is where POST /__admin/scenario?name= looks for files
	// before the embedded ones.
	ScenarioDir string
	// Fresh reseeds even when the file already holds state.
	Fresh bool
	// AdminToken, when set, makes /__admin require "Authorization: Bearer <token>".
	AdminToken string
	// TrustProxy takes the client IP from X-Forwarded-For (carreta allowlist).
	TrustProxy bool
	// AmapiAddr, CarretaAddr and SaplabAddr serve one API on a listener of
	// its own as well, for clients that need distinct hosts.
	AmapiAddr, CarretaAddr, SaplabAddr string
	// CORS, when set, adds CORS to all three APIs and /__admin: "*" or a
	// comma list of origins (cors.go). Empty: amapi's own CORS only.
	CORS string
	// JournalSize bounds the in-memory request journal.
	JournalSize int
	// JournalBytes is each journal's byte budget (journal/bound.go): the
	// oldest entries go once the held ones count more.
	JournalBytes int
	// MemoryLimit is the Go runtime's soft memory limit the server keeps
	// (memlimit.go): MemoryAuto derives it from the journals' budgets, a
	// positive value is the limit in bytes, 0 (a Go test's default) sets
	// none. GOMEMLIMIT in the environment wins: then the server sets none.
	// With a limit the server also sets the process's GC percent
	// (debug.SetGCPercent, 100 to 400, bounded under the limit: memlimit.go)
	// unless GOGC is in the environment; a percent the embedding program
	// set itself is overwritten, and neither is restored at Close.
	MemoryLimit int64
	// ReadHeaderTimeout, ReadTimeout, WriteTimeout and IdleTimeout are
	// every listener's http.Server's (netlimit.go): how long a client may
	// take to send its headers, its whole request, to read the answer
	// (from the end of the headers), and how long an unused keep-alive
	// connection stays open. Each cuts its client at most deadlineTick
	// late (deadline.go: an eighth of the shortest, 250 ms at most).
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// MaxConns caps each listener's open connections; at the cap the one
	// quiet longest is closed for a new client (netlimit.go).
	MaxConns int
	// BodyLimit is the largest request body accepted; larger gets 413.
	BodyLimit int64
	// ShutdownTimeout bounds how long in-flight requests may take to finish
	// after SIGTERM.
	ShutdownTimeout time.Duration
	// ContractCheck checks every vendor request against its API's OpenAPI
	// document (docs/openapi) and records on its journal entry how it does
	// not conform (SPEC §13); the answer is unchanged.
	ContractCheck bool
	// CheckAnswers, when set, is told of every vendor answer that does not
	// conform to its API's OpenAPI document. No flag sets it: servertest
	// does, so that such an answer fails the test that caused it.
	CheckAnswers func(contract.Report)
	// PasswordCost is the bcrypt cost of passwords set at run time (0: the
	// vendors' bcrypt.DefaultCost). No flag sets it: tests lower it.
	PasswordCost int

	// WorldsDir is where each process makes its own directory of world
	// files (SPEC §10); empty means the system's temporary directory.
	WorldsDir string
	// MaxWorlds is how many worlds may live at once; past it, creating one
	// is a 429.
	MaxWorlds int
	// ReplicaID, when set, starts every world id, so that an ingress in
	// front of several replicas can route /w/<id> to the replica that made
	// the world (docs/deploy.md). Lowercase letters, digits and inner
	// dashes, at most 32.
	ReplicaID string
	// ExpiryClock is the clock world expiry reads: nil means real time. It
	// is never a world's own clock, which that world's test may move. No
	// flag sets it: tests move it instead of waiting.
	ExpiryClock *clock.Clock
}

// Defaults of SPEC §1 and §8.
const (
	DefaultAddr        = "127.0.0.1:8080"
	DefaultDB          = "mockserver.db"
	DefaultScenarioDir = "scenarios"
	DefaultBodyLimit   = 1 << 20
	DefaultShutdown    = 10 * time.Second
	DefaultMaxWorlds   = 100

	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 30 * time.Second
	DefaultWriteTimeout      = 60 * time.Second
	DefaultIdleTimeout       = 60 * time.Second
	DefaultMaxConns          = 1024
)

// replicaID is what --replica-id may be: a DNS label's letters, short
// enough to leave room for the random part in a path segment.
var replicaID = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$`)

// applyDefaults fills every zero setting with its default.
func (c *Config) applyDefaults() {
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.DB == "" {
		c.DB = DefaultDB
	}
	if c.ScenarioDir == "" {
		c.ScenarioDir = DefaultScenarioDir
	}
	if c.JournalSize <= 0 {
		c.JournalSize = journal.DefaultSize
	}
	if c.JournalBytes <= 0 {
		c.JournalBytes = journal.DefaultBytes
	}
	for _, d := range []struct {
		p   *time.Duration
		def time.Duration
	}{{&c.ReadHeaderTimeout, DefaultReadHeaderTimeout}, {&c.ReadTimeout, DefaultReadTimeout},
		{&c.WriteTimeout, DefaultWriteTimeout}, {&c.IdleTimeout, DefaultIdleTimeout}} {
		if *d.p <= 0 {
			*d.p = d.def
		}
	}
	if c.MaxConns <= 0 {
		c.MaxConns = DefaultMaxConns
	}
	if c.BodyLimit <= 0 {
		c.BodyLimit = DefaultBodyLimit
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = DefaultShutdown
	}
	if c.MaxWorlds <= 0 {
		c.MaxWorlds = DefaultMaxWorlds
	}
}

// check refuses settings no default can stand in for.
func (c *Config) check() error {
	if c.ReplicaID != "" && !replicaID.MatchString(c.ReplicaID) {
		return fmt.Errorf("--replica-id must be lowercase letters, digits and inner dashes, at most 32, got %q", c.ReplicaID)
	}
	return nil
}
