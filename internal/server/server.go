package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/mockserver/mockserver/internal/scenario"
	"github.com/mockserver/mockserver/internal/state"
)

// Server is the running mock: the root world on the unprefixed paths, the
// worlds under /w/<id>, and the listeners. The root world's methods
// (Apply, Reset, Store, Clock, Journal, Faults, ...) are the Server's: the
// root is today's single mock, and Go tests reach it as before.
type Server struct {
	*World
	cfg    Config
	log    *slog.Logger
	worlds *registry
	mem    *memLimiter // the soft memory limit, following the journals and the live heap
	cors   *corsPolicy // --cors; nil: off

	// The listeners and their servers are set up by Listen and Serve, which
	// run on one goroutine before and while serving; they need no lock.
	listeners []net.Listener
	handlers  []http.Handler
	servers   []*http.Server
	closeOnce sync.Once // closes the worlds and the state file once, from Serve's shutdown or Close
	closeErr  error
	// kept is the scenario a restart with --scenario kept, which Serve
	// compares with --scenario's once it listens (warnChangedScenario).
	kept *scenario.Scenario
	// ahead delivers the configured scenario parsed while the state files
	// open (parseAhead); nil when no parse was started or it was taken.
	ahead chan parsedScenario
}

// New opens the state file, seeds it when it is new (or cfg.Fresh), and
// builds the routes. It does not listen yet: call Listen, then Serve.
func New(cfg Config, log *slog.Logger) (*Server, error) {
	cfg.applyDefaults()
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cors, err := parseCORS(cfg.CORS)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: log, cors: cors}
	s.parseAhead()
	root, err := openWorld(&s.cfg, worldFile{db: cfg.DB, scratch: cfg.ScratchDB, log: log})
	if err != nil {
		return nil, err
	}
	s.World = root
	s.worlds = newRegistry(&s.cfg, log, s.bindHost)
	// The routes need nothing of the state: echo's tree is built while
	// the state is seeded or loaded (a few ms of CPU that a second core
	// takes off the start, or the seeding's fsync waits hide).
	mounted := make(chan struct{})
	go func() { root.mount(s.worlds); close(mounted) }()
	err = s.loadContracts()
	if err == nil {
		err = s.start()
	}
	<-mounted
	if err != nil {
		_ = root.store.Close()
		return nil, err
	}
	s.mem = newMemLimiter(&s.cfg, os.Getenv("GOMEMLIMIT"), s.journalsHeld)
	s.mem.setJournals(1)
	s.worlds.live = func(n int) { s.mem.setJournals(1 + n) }
	s.mem.follow()
	return s, nil
}

// start seeds a new (or --fresh) file from the configured scenario, or
// resumes a kept file with the scenario it was seeded from.
func (s *Server) start() error {
	src, seeded, err := s.store.Seeded()
	if err != nil {
		return err
	}
	if seeded && !scenario.IsSealed(src) {
		if src, err = s.sealStored(src); err != nil {
			return err
		}
	}
	if seeded && !s.cfg.Fresh {
		// The stored scenario is the effective document (its extends
		// chain resolved), secrets sealed, so it is rebuilt without
		// reading any file: the kept state keeps its scenario even when a
		// base file has changed since.
		sc, err := scenario.ParseStored(s.cfg.DB, src)
		if err != nil {
			return fmt.Errorf("%s was seeded from a scenario this version cannot read; start with --fresh to reseed:\n%w", s.cfg.DB, err)
		}
		if s.cfg.Scenario != "" {
			s.kept = sc
		}
		if err := s.repair(sc); err != nil {
			return err
		}
		if err := s.resume(sc); err != nil {
			return err
		}
		s.log.Info("state kept", "db", s.cfg.DB, "scenario", sc.Name)
		return nil
	}
	sc, err := s.scenarioToSeed()
	if err != nil {
		return err
	}
	if err := s.Apply(sc); err != nil {
		return err
	}
	s.log.Info("state seeded", "db", s.cfg.DB, "scenario", sc.Name)
	return nil
}

// repair reseeds from sc, the scenario the state was seeded from, the API
// files that are not of its seeding (state.Set.Stale): a reset that a
// crash cut short is completed, and a lost API file is seeded afresh.
func (s *Server) repair(sc *scenario.Scenario) error {
	stale, pending, err := s.store.Stale()
	if err != nil || (len(stale) == 0 && !pending) {
		return err
	}
	err = s.store.Repair(stale, func(part string, tx *state.Tx) error { return s.seedPart(part, tx, sc) })
	if err != nil {
		return fmt.Errorf("reseed %v of %s from its scenario: %w", stale, s.cfg.DB, err)
	}
	if pending {
		s.log.Warn("a reset cut short (the process died during it) was completed", "db", s.cfg.DB, "reseeded", stale)
	} else {
		s.log.Warn("API files that were not of the stored scenario's seeding were reseeded from it", "db", s.cfg.DB, "reseeded", stale)
	}
	return nil
}

// sealStored upgrades a state file of an earlier version, whose stored
// scenario (src) holds its plaintext secrets: the scenario is stored
// sealed in one transaction (scenario.Stored, which seeds the same state),
// and the file is compacted so that no freed page keeps the plaintext
// (state.Store.Reseal). With --fresh, a stored scenario this version
// cannot read is only removed, since the file is reseeded anyway. It
// returns what is stored now.
func (s *Server) sealStored(src []byte) ([]byte, error) {
	var sealed []byte
	sc, err := scenario.ParseStored(s.cfg.DB, src)
	if err == nil {
		sealed, err = sc.Stored()
	}
	if err != nil && !s.cfg.Fresh {
		return nil, fmt.Errorf("%s was seeded from a scenario this version cannot read; start with --fresh to reseed:\n%w", s.cfg.DB, err)
	}
	if err := s.store.Reseal(sealed); err != nil {
		return nil, fmt.Errorf("seal the scenario stored in %s: %w", s.cfg.DB, err)
	}
	s.log.Info("the stored scenario's secrets were sealed (a state file of an earlier version)", "db", s.cfg.DB)
	return sealed, nil
}

// warnChangedScenario warns when a restart kept the state of a scenario
// other than --scenario's. Serve calls it once it listens: telling the two
// apart means sealing --scenario's, a bcrypt run per password, which a
// restart need not wait for, as it needs nothing of that scenario.
func (s *Server) warnChangedScenario() {
	if s.kept == nil {
		return
	}
	if want, err := s.configuredScenario(); err == nil && !want.SameSources(s.kept) {
		s.log.Warn("the state file keeps the state of the scenario it was seeded from; use --fresh to reseed from the new one",
			"db", s.cfg.DB, "kept", s.kept.Name, "given", want.Name)
	}
}

// parseAhead starts parsing the configured scenario on a goroutine of its
// own when the state file is new (or --fresh), so that the parse (a tenth
// of a fresh start's CPU) runs beside the opening of the state files on a
// second core; a restart on a kept file needs no scenario to start and
// parses none. It runs before anything of New that can fail, and
// scenarioToSeed takes its result.
func (s *Server) parseAhead() {
	if !s.cfg.Fresh {
		if _, err := os.Stat(s.cfg.DB); !errors.Is(err, fs.ErrNotExist) {
			return
		}
	}
	ch := make(chan parsedScenario, 1) // buffered: New may return without reading it
	s.ahead = ch
	go func() {
		sc, err := s.configuredScenario()
		ch <- parsedScenario{sc, err}
	}()
}

// parsedScenario is parseAhead's result.
type parsedScenario struct {
	sc  *scenario.Scenario
	err error
}

// scenarioToSeed is the configured scenario for a new file's seeding:
// parseAhead's parse, or a parse now when none was started (the file
// existed, but holds no seeded state).
func (s *Server) scenarioToSeed() (*scenario.Scenario, error) {
	if ch := s.ahead; ch != nil {
		s.ahead = nil
		p := <-ch
		return p.sc, p.err
	}
	return s.configuredScenario()
}

// configuredScenario is --scenario's file, or the embedded default.
func (s *Server) configuredScenario() (*scenario.Scenario, error) {
	if s.cfg.Scenario != "" {
		return scenario.LoadFile(s.cfg.Scenario)
	}
	return scenario.LoadNamed("", scenario.DefaultName)
}

// Handler is the whole mock as one http.Handler (the shared listener's):
// /w/<id>/... goes to that world, everything else to the root.
// --cors, when set, wraps it.
func (s *Server) Handler() http.Handler { return s.cors.wrap(http.HandlerFunc(s.serveHTTP)) }

// serveHTTP routes a request to its world. The root's requests pay one
// prefix comparison for worlds existing at all.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, WorldsPrefix) {
		s.echo.ServeHTTP(w, r)
		return
	}
	s.worlds.serve(w, r)
}

// WorldByID returns the live world with the given id, for Go tests that reach
// behind its HTTP API (its fault timer, its clock); nil when there is none.
func (s *Server) WorldByID(id string) *World {
	if h := s.worlds.get(id); h != nil {
		return h.World
	}
	return nil
}

// Listen binds the shared listener and any per-API ones. Addresses with port
// 0 get a free port; Addr tells which.
func (s *Server) Listen() error {
	bind := func(addr string, h http.Handler) error {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			for _, l := range s.listeners {
				_ = l.Close()
			}
			s.listeners, s.handlers = nil, nil
			return fmt.Errorf("listen on %s: %w", addr, err)
		}
		s.listeners = append(s.listeners, l)
		s.handlers = append(s.handlers, h)
		return nil
	}
	if err := bind(s.cfg.Addr, s.Handler()); err != nil {
		return err
	}
	for name, addr := range map[string]string{"amapi": s.cfg.AmapiAddr, "carreta": s.cfg.CarretaAddr, "saplab": s.cfg.SaplabAddr} {
		if addr == "" {
			continue
		}
		if err := bind(addr, s.cors.wrap(s.only(name))); err != nil {
			return err
		}
	}
	return nil
}

// Addr is the shared listener's address once Listen has run.
func (s *Server) Addr() string {
	if len(s.listeners) == 0 {
		return ""
	}
	return s.listeners[0].Addr().String()
}

// Addrs lists every bound address, shared listener first.
func (s *Server) Addrs() []string {
	out := make([]string, len(s.listeners))
	for i, l := range s.listeners {
		out[i] = l.Addr().String()
	}
	return out
}

// bindHost is the host a world's own listener binds: the shared
// listener's (SPEC §10: "its own port of the server's host").
func (s *Server) bindHost() string {
	addr := s.cfg.Addr
	if len(s.listeners) > 0 {
		addr = s.listeners[0].Addr().String()
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "127.0.0.1"
	}
	return host
}

// Serve answers requests until ctx ends, then stops accepting, lets
// in-flight requests finish (up to ShutdownTimeout), removes every world
// and closes the state file. While it serves, expired worlds are swept
// every minute. Once it listens, a restart with --scenario warns if the
// kept state is another scenario's (warnChangedScenario).
func (s *Server) Serve(ctx context.Context) error {
	if len(s.listeners) == 0 {
		if err := s.Listen(); err != nil {
			return err
		}
	}
	errc := make(chan error, len(s.listeners))
	for i, l := range s.listeners {
		srv, l := newHTTPServer(&s.cfg, l, s.handlers[i], s.log)
		s.servers = append(s.servers, srv)
		s.log.Info("listening", "addr", l.Addr().String())
		go func() { errc <- srv.Serve(l) }()
	}
	sweeping, stopSweep := context.WithCancel(ctx)
	defer stopSweep()
	go s.worlds.sweepEvery(sweeping, SweepInterval)
	s.warnChangedScenario()
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	if err := s.shutdown(); err != nil && serveErr == nil {
		serveErr = err
	}
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	return serveErr
}

// shutdown stops the listeners, letting in-flight requests finish, then
// closes every world and the state file. Fault delays and journal waits,
// the root's and every world's, are cut short first: either could
// otherwise hold a request open past the timeout and fail the shutdown.
func (s *Server) shutdown() error {
	s.log.Info("shutting down", "timeout", s.cfg.ShutdownTimeout.String())
	s.interrupt() // delays end and pending /__admin/requests/wait calls answer now
	s.worlds.interrupt()
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	var first error
	for _, srv := range s.servers {
		if err := srv.Shutdown(ctx); err != nil && first == nil {
			first = err
		}
	}
	if err := s.Close(); err != nil && first == nil {
		first = err
	}
	return first
}

// Close removes every world (their files and the worlds directory) and
// closes the root's state file (Serve does this on shutdown).
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.mem.stop()
		s.worlds.closeAll()
		s.saveView() // in-flight requests are over (Serve's shutdown)
		s.closeErr = s.store.Close()
	})
	return s.closeErr
}

// journalsHeld is what the root's and the live worlds' journals hold now:
// the part of the live heap the journals' budgets already bound.
func (s *Server) journalsHeld() int64 {
	held := s.journal.Bytes()
	for _, h := range *s.worlds.worlds.Load() {
		held += h.journal.Bytes()
	}
	return held
}

// Config is the configuration the server runs with, defaults applied, for
// a caller that wants to see what its flags and environment turned on.
func (s *Server) Config() Config { return s.cfg }
