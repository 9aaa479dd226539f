// Package server assembles the mock: the state file, the three vendor APIs,
// the control API and the shared middleware, on one listener routed by path
// prefix (plus optional per-API listeners). cmd/mockserver only parses flags
// and hands a Config to New.
package server

import (
	"time"

	"github.com/mockserver/mockserver/internal/contract"
	"github.com/mockserver/mockserver/internal/journal"
)

// Config is everything the server can be told at start-up. Zero values mean
// the defaults of SPEC §1.
type Config struct {
	// Addr is the shared listener: all three APIs and /__admin.
	Addr string
	// DB is the bbolt file.
	DB string
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
	// JournalSize bounds the in-memory request journal.
	JournalSize int
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
}

// Defaults of SPEC §1 and §8.
const (
	DefaultAddr        = "127.0.0.1:8080"
	DefaultDB          = "mockserver.db"
	DefaultScenarioDir = "scenarios"
	DefaultBodyLimit   = 1 << 20
	DefaultShutdown    = 10 * time.Second
)

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
	if c.BodyLimit <= 0 {
		c.BodyLimit = DefaultBodyLimit
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = DefaultShutdown
	}
}
