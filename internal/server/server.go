package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/admin"
	"github.com/mockserver/mockserver/internal/amapi"
	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/carreta"
	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/fault"
	"github.com/mockserver/mockserver/internal/journal"
	"github.com/mockserver/mockserver/internal/saplab"
	"github.com/mockserver/mockserver/internal/scenario"
	"github.com/mockserver/mockserver/internal/state"
)

// Server is the running mock: state, APIs, control API and listeners.
type Server struct {
	cfg     Config
	log     *slog.Logger
	clock   *clock.Clock
	store   *state.Store
	journal *journal.Journal
	faults  *fault.Injector
	echo    *echo.Echo

	// The three vendor APIs by name, for seeding each with its own section;
	// as a list, for routing; and keyed by Name, for rendering an error in
	// the envelope of the API that request.Info names.
	amapi   *amapi.API
	carreta *carreta.API
	saplab  *saplab.API
	apis    []api.API
	byName  map[string]api.API

	// gate is read-held by every vendor request (the gated middleware of
	// each API's route group, for the handler's whole run) and write-held by
	// Apply while the whole state is replaced (reset, scenario load, and
	// seeding at start-up), so no request ever sees the new file with the
	// old in-memory views or the other way round. Fault delays run outside
	// it, so a slow request never holds a reset up; control API requests
	// never take it but through Apply. Under it come bbolt's locks, the
	// vendors' own, the injector's (Apply reloads the fault rules) and mu.
	gate sync.RWMutex

	// mu guards current: Apply writes it (under gate), Current reads it
	// (the control API, Reset). It is a leaf: no other lock is taken while
	// it is held.
	mu      sync.Mutex
	current *scenario.Scenario

	// The listeners and their servers are set up by Listen and Serve, which
	// run on one goroutine before and while serving; they need no lock.
	listeners []net.Listener
	handlers  []http.Handler
	servers   []*http.Server
	closeOnce sync.Once // closes the state file once, from Serve's shutdown or Close
	closeErr  error
}

// New opens the state file, seeds it when it is new (or cfg.Fresh), and
// builds the routes. It does not listen yet: call Listen, then Serve.
func New(cfg Config, log *slog.Logger) (*Server, error) {
	cfg.applyDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, log: log, clock: clock.New(nil), journal: journal.New(cfg.JournalSize), faults: fault.New()}

	buckets := slices.Concat(amapi.Buckets, carreta.Buckets, saplab.Buckets)
	store, err := state.Open(cfg.DB, s.clock, buckets...)
	if err != nil {
		return nil, err
	}
	s.store = store
	deps := api.Deps{Store: store, Clock: s.clock, Log: log, TrustProxy: cfg.TrustProxy, PasswordCost: cfg.PasswordCost}
	s.amapi, s.carreta, s.saplab = amapi.New(deps), carreta.New(deps), saplab.New(deps)
	s.apis = []api.API{s.amapi, s.carreta, s.saplab}
	s.byName = make(map[string]api.API, len(s.apis))
	for _, a := range s.apis {
		s.byName[a.Name()] = a
	}

	if err := s.loadContracts(); err != nil {
		_ = store.Close()
		return nil, err
	}
	if err := s.start(); err != nil {
		_ = store.Close()
		return nil, err
	}
	s.echo = s.routes(buckets)
	return s, nil
}

// start seeds a new (or --fresh) file from the configured scenario, or
// resumes a kept file with the scenario it was seeded from.
func (s *Server) start() error {
	src, seeded, err := s.store.Seeded()
	if err != nil {
		return err
	}
	if seeded && !s.cfg.Fresh {
		// The stored scenario carries the sources of its whole extends
		// chain, so it is rebuilt without reading any file: the kept state
		// keeps its scenario even when a base file has changed since.
		sc, err := scenario.ParseStored(s.cfg.DB, src)
		if err != nil {
			return fmt.Errorf("%s was seeded from a scenario this version cannot read; start with --fresh to reseed:\n%w", s.cfg.DB, err)
		}
		if s.cfg.Scenario != "" {
			if want, err := s.configuredScenario(); err == nil && !want.SameSources(sc) {
				s.log.Warn("the state file keeps the state of the scenario it was seeded from; use --fresh to reseed from the new one",
					"db", s.cfg.DB, "kept", sc.Name, "given", want.Name)
			}
		}
		if err := s.store.View(func(tx *state.Tx) error { return s.loadAll(tx, sc) }); err != nil {
			return err
		}
		s.current = sc
		s.log.Info("state kept", "db", s.cfg.DB, "scenario", sc.Name)
		return nil
	}
	sc, err := s.configuredScenario()
	if err != nil {
		return err
	}
	if err := s.Apply(sc); err != nil {
		return err
	}
	s.log.Info("state seeded", "db", s.cfg.DB, "scenario", sc.Name)
	return nil
}

// configuredScenario is --scenario's file, or the embedded default.
func (s *Server) configuredScenario() (*scenario.Scenario, error) {
	if s.cfg.Scenario != "" {
		return scenario.LoadFile(s.cfg.Scenario)
	}
	return scenario.LoadNamed("", scenario.DefaultName)
}

// Apply replaces the whole state with sc's: every API's buckets are emptied
// and reseeded in one transaction, then the APIs rebuild their views. While
// it runs, vendor requests wait; if seeding fails, the old state stays.
func (s *Server) Apply(sc *scenario.Scenario) error {
	s.gate.Lock()
	defer s.gate.Unlock()
	err := s.store.Reset(sc.Stored(), func(tx *state.Tx) error { return s.seedAll(tx, sc) })
	if err != nil {
		return err
	}
	if err := s.store.View(func(tx *state.Tx) error { return s.loadAll(tx, sc) }); err != nil {
		return err
	}
	s.mu.Lock()
	s.current = sc
	s.mu.Unlock()
	return nil
}

// seedAll hands each API its section of sc, inside the one transaction
// that replaces the whole state.
func (s *Server) seedAll(tx *state.Tx, sc *scenario.Scenario) error {
	if err := s.amapi.Seed(tx, &sc.Amapi, sc.Seed); err != nil {
		return fmt.Errorf("seed amapi: %w", err)
	}
	if err := s.carreta.Seed(tx, &sc.Carreta, sc.Seed); err != nil {
		return fmt.Errorf("seed carreta: %w", err)
	}
	if err := s.saplab.Seed(tx, &sc.Saplab, sc.Seed); err != nil {
		return fmt.Errorf("seed saplab: %w", err)
	}
	return nil
}

// loadAll has each API rebuild its views from what is stored.
func (s *Server) loadAll(tx *state.Tx, sc *scenario.Scenario) error {
	if err := s.amapi.Load(tx, &sc.Amapi, sc.Seed); err != nil {
		return fmt.Errorf("load amapi: %w", err)
	}
	if err := s.carreta.Load(tx, &sc.Carreta, sc.Seed); err != nil {
		return fmt.Errorf("load carreta: %w", err)
	}
	if err := s.saplab.Load(tx, &sc.Saplab, sc.Seed); err != nil {
		return fmt.Errorf("load saplab: %w", err)
	}
	s.faults.Load(sc) // runtime rules and counters start afresh with the scenario
	return nil
}

// Reset returns the state to the scenario currently loaded.
func (s *Server) Reset() error {
	return s.Apply(s.Current())
}

// Current is the scenario the state was last seeded from.
func (s *Server) Current() *scenario.Scenario {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current
}

// LoadNamed finds a scenario by name in the scenario directory or the
// embedded ones, for POST /__admin/scenario?name=.
func (s *Server) LoadNamed(name string) (*scenario.Scenario, error) {
	return scenario.LoadNamed(s.cfg.ScenarioDir, name)
}

// ParseBody reads a scenario posted to /__admin/scenario. Its extends: is
// looked up where ?name= looks (the scenario directory, then the embedded
// scenarios), not in whatever directory the server was started from.
func (s *Server) ParseBody(body []byte) (*scenario.Scenario, error) {
	return scenario.ParseIn(s.cfg.ScenarioDir, "(request body)", body)
}

// Handler is the whole mock as one http.Handler (the shared listener's).
func (s *Server) Handler() http.Handler { return s.echo }

// Store is the state file, for tests that look behind the APIs.
func (s *Server) Store() *state.Store { return s.store }

// Clock is the server clock.
func (s *Server) Clock() *clock.Clock { return s.clock }

// Journal is the request journal.
func (s *Server) Journal() *journal.Journal { return s.journal }

// Faults are the armed fault rules, for Go tests that arm them directly.
func (s *Server) Faults() *fault.Injector { return s.faults }

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
	if err := bind(s.cfg.Addr, s.echo); err != nil {
		return err
	}
	for name, addr := range map[string]string{"amapi": s.cfg.AmapiAddr, "carreta": s.cfg.CarretaAddr, "saplab": s.cfg.SaplabAddr} {
		if addr == "" {
			continue
		}
		if err := bind(addr, s.only(name)); err != nil {
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

// Serve answers requests until ctx ends, then stops accepting, lets
// in-flight requests finish (up to ShutdownTimeout) and closes the state file.
// Fault delays and journal waits are cut short first: either could
// otherwise hold a request open past the timeout and fail the shutdown.
func (s *Server) Serve(ctx context.Context) error {
	if len(s.listeners) == 0 {
		if err := s.Listen(); err != nil {
			return err
		}
	}
	errc := make(chan error, len(s.listeners))
	for i, l := range s.listeners {
		srv := &http.Server{
			Handler:           s.handlers[i],
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		}
		s.servers = append(s.servers, srv)
		s.log.Info("listening", "addr", l.Addr().String())
		go func() { errc <- srv.Serve(l) }()
	}
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	s.log.Info("shutting down", "timeout", s.cfg.ShutdownTimeout.String())
	s.faults.Interrupt()  // delays end at once: in-flight requests finish now
	s.journal.Interrupt() // pending /__admin/requests/wait calls answer now
	shutdownCtx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	for _, srv := range s.servers {
		if err := srv.Shutdown(shutdownCtx); err != nil && serveErr == nil {
			serveErr = err
		}
	}
	if err := s.Close(); err != nil && serveErr == nil {
		serveErr = err
	}
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	return serveErr
}

// Close closes the state file (Serve does this on shutdown).
func (s *Server) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.store.Close() })
	return s.closeErr
}

// adminDeps is what the control API is handed.
func (s *Server) adminDeps(buckets []string) admin.Deps {
	names := make([]string, len(s.apis))
	for i, a := range s.apis {
		names[i] = a.Name()
	}
	return admin.Deps{Control: s, Store: s.store, Clock: s.clock, Journal: s.journal, Faults: s.faults, Buckets: buckets, APIs: names}
}
