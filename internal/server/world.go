package server

import (
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

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

// buckets are every API's collections, the same in every world's file and
// listed by /__admin/state.
var buckets = slices.Concat(amapi.Buckets, carreta.Buckets, saplab.Buckets)

// parts are a state's part files, one per API (state.Set): each holds its
// API's collections and its own bookkeeping (saplab's index, which the
// control API does not list), so that an API's commits never wait for
// another's fsync. Reset empties them all.
var parts = []state.Part{
	{Name: "amapi", Buckets: amapi.Buckets},
	{Name: "carreta", Buckets: carreta.Buckets},
	{Name: "saplab", Buckets: slices.Concat(saplab.Buckets, saplab.IndexBuckets), MmapSize: saplab.MmapSize},
}

// World is one complete mock: its state files (state.Set), clock, journal, fault rules,
// the three vendor APIs over them, the state gate, the scenario loaded and
// the echo instance that routes its requests (SPEC §10). The root world is
// the server's own, on the unprefixed paths, with its state in --db; every
// other world lives in scratch files under the worlds directory and is
// reached under /w/<id>. Nothing is shared between two worlds but the
// process's settings and its log.
type World struct {
	cfg *Config
	log *slog.Logger
	// prefix is "/w/<id>", taken off a request's path before routing; ""
	// for the root.
	prefix  string
	clock   *clock.Clock
	store   *state.Set
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
	// secrets is each API's secrets and every API's, made once
	// (secretsFor). Every API's query secrets (secrets.all.Query) are
	// looked for in any URL of a header or a path, on every request: such
	// a URL may name any API's (journal.Redact, redactPath).
	secrets worldSecrets

	// gate is read-held by every vendor request (the gated middleware of
	// each API's route group, for the handler's whole run) and write-held by
	// Apply while the whole state is replaced (reset, scenario load, and
	// seeding at start-up), so no request ever sees the new file with the
	// old in-memory views or the other way round. Fault delays run outside
	// it, so a slow request never holds a reset up. Control API requests
	// take it through Apply (for writing), through CatchUp (for reading,
	// lifecycle.go) and, for reading, around each API's own control routes
	// (/__admin/carreta/..., /__admin/saplab/...). Under it come bbolt's
	// locks, the vendors' own, the injector's (Apply reloads the fault
	// rules) and mu.
	// Each world has its own: a reset in one never waits for another.
	gate sync.RWMutex

	// mu guards current: Apply writes it (under gate), Current reads it
	// (the control API, Reset). It is a leaf: no other lock is taken while
	// it is held.
	mu      sync.Mutex
	current *scenario.Scenario

	// perAPI is set once a per-API listener serves the world's routes
	// (Server.only): only then may a request carry listenerOf.
	perAPI atomic.Bool
}

// worldFile says where a world keeps its state and how it is reached.
type worldFile struct {
	db string
	// scratch opens the files without fsync (state.OpenScratch): a world
	// other than the root does not survive a restart anyway, and a test's
	// root (Config.ScratchDB) dies with its test.
	scratch bool
	prefix  string
	log     *slog.Logger
}

// openWorld opens the world's state files and builds its APIs, each on
// its own file. The state is
// not seeded yet and no route is mounted: the caller seeds it (Apply, or
// the root's resume), then calls mount.
func openWorld(cfg *Config, f worldFile) (*World, error) {
	w := &World{cfg: cfg, log: f.log, prefix: f.prefix, clock: clock.New(nil),
		journal: journal.NewBudget(cfg.JournalSize, int64(cfg.JournalBytes)), faults: fault.New()}
	store, err := state.OpenSet(f.db, w.clock, f.scratch, parts)
	if err != nil {
		return nil, err
	}
	w.store = store
	deps := func(part string) api.Deps {
		return api.Deps{Store: store.Part(part), Clock: w.clock, Log: f.log, TrustProxy: cfg.TrustProxy, PasswordCost: cfg.PasswordCost}
	}
	w.amapi, w.carreta, w.saplab = amapi.New(deps("amapi")), carreta.New(deps("carreta")), saplab.New(deps("saplab"))
	w.apis = []api.API{w.amapi, w.carreta, w.saplab}
	w.byName = make(map[string]api.API, len(w.apis))
	for _, a := range w.apis {
		w.byName[a.Name()] = a
	}
	w.secrets.collect(w.apis)
	return w, nil
}

// mount builds the world's routes. worlds is the control API's view of the
// worlds registry: only the root's control API manages worlds, so every
// other world is mounted with nil.
func (w *World) mount(worlds admin.Worlds) {
	w.echo = w.routes(worlds)
}

// Apply replaces the whole state with sc's: every API's file is emptied and
// reseeded, each in one transaction, all committed only when every one
// seeded (state.Set.Reset, crash-safe by generations), then the APIs
// rebuild their views. While it runs, vendor requests wait; if seeding
// fails, the old state stays. A large generated saplab state is the
// exception: it commits in chunks (state.Tx.Checkpoint), the reset is
// pending from its first, and a failure after that is completed by the
// next start.
func (w *World) Apply(sc *scenario.Scenario) error {
	w.gate.Lock()
	defer w.gate.Unlock()
	sealed, err := sc.Stored()
	if err != nil {
		return err
	}
	err = w.store.Reset(sealed, func(part string, tx *state.Tx) error { return w.seedPart(part, tx, sc) })
	if err != nil {
		return err
	}
	if err := w.resume(sc); err != nil {
		return err
	}
	w.saveView()
	return nil
}

// saveView has saplab store its view of a large state in its file, so
// that the next start reads it instead of building it (saplab.SaveView):
// after a seeding and at the root's shutdown. It is a cache of the rows:
// a failure to write it is logged and costs the next start a build.
func (w *World) saveView() {
	if err := w.saplab.SaveView(); err != nil {
		w.log.Warn("saplab: could not store the view; the next start builds it", "err", err)
	}
}

// seedPart hands the API part names its section of sc, inside the
// transaction that replaces its file's rows.
func (w *World) seedPart(part string, tx *state.Tx, sc *scenario.Scenario) error {
	var err error
	switch part {
	case "amapi":
		err = w.amapi.Seed(tx, &sc.Amapi, sc.Seed)
	case "carreta":
		err = w.carreta.Seed(tx, &sc.Carreta, sc.Seed)
	case "saplab":
		err = w.saplab.Seed(tx, &sc.Saplab, sc.Seed)
	default:
		err = fmt.Errorf("no API %q", part)
	}
	if err != nil {
		return fmt.Errorf("seed %s: %w", part, err)
	}
	return nil
}

// loadAll has each API rebuild its views from what its file holds, each
// in a read transaction of its own file.
func (w *World) loadAll(sc *scenario.Scenario) error {
	err := w.store.Part("amapi").View(func(tx *state.Tx) error { return w.amapi.Load(tx, &sc.Amapi, sc.Seed) })
	if err != nil {
		return fmt.Errorf("load amapi: %w", err)
	}
	err = w.store.Part("carreta").View(func(tx *state.Tx) error { return w.carreta.Load(tx, &sc.Carreta, sc.Seed) })
	if err != nil {
		return fmt.Errorf("load carreta: %w", err)
	}
	runtime.Gosched() // a spare made in the background lets requests in (registry.build)
	err = w.store.Part("saplab").View(func(tx *state.Tx) error { return w.saplab.Load(tx, &sc.Saplab, sc.Seed) })
	if err != nil {
		return fmt.Errorf("load saplab: %w", err)
	}
	w.faults.Load(sc) // runtime rules and counters start afresh with the scenario
	return nil
}

// reindexer is an API that keeps indexes in the state file beside its
// rows (carreta's order list): before its view is built, it rebuilds them
// if they do not match the rows, as on a file written by a version
// without them. It opens its own transactions, so it runs before the read
// transaction of Load, never inside one.
type reindexer interface{ Reindex() error }

// resume takes up the state already in the file, seeded from sc: the APIs
// rebuild their views from it and sc becomes the scenario loaded. It is the
// end of Apply (under the gate), and, before any request, the root's start
// on a kept file and a world's start from a template.
func (w *World) resume(sc *scenario.Scenario) error {
	for _, a := range w.apis {
		if r, ok := a.(reindexer); ok {
			if err := r.Reindex(); err != nil {
				return fmt.Errorf("reindex %s: %w", a.Name(), err)
			}
		}
	}
	if err := w.loadAll(sc); err != nil {
		return err
	}
	// A file of an earlier version gets what saplab now keeps beside its
	// rows (its column records), once, after the read above has closed.
	if err := w.saplab.Upgrade(); err != nil {
		return fmt.Errorf("upgrade saplab: %w", err)
	}
	w.mu.Lock()
	w.current = sc
	w.mu.Unlock()
	return nil
}

// Reset returns the state to the scenario currently loaded.
func (w *World) Reset() error {
	return w.Apply(w.Current())
}

// Current is the scenario the state was last seeded from.
func (w *World) Current() *scenario.Scenario {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.current
}

// LoadNamed finds a scenario by name in the scenario directory or the
// embedded ones, for POST /__admin/scenario?name=.
func (w *World) LoadNamed(name string) (*scenario.Scenario, error) {
	return scenario.LoadNamed(w.cfg.ScenarioDir, name)
}

// ParseBody reads a scenario posted to /__admin/scenario. Its extends: is
// looked up where ?name= looks (the scenario directory, then the embedded
// scenarios), not in whatever directory the server was started from.
func (w *World) ParseBody(body []byte) (*scenario.Scenario, error) {
	return scenario.ParseIn(w.cfg.ScenarioDir, "(request body)", body)
}

// Store is the state's files, for tests that look behind the APIs.
func (w *World) Store() *state.Set { return w.store }

// Clock is the world's clock.
func (w *World) Clock() *clock.Clock { return w.clock }

// Journal is the world's request journal.
func (w *World) Journal() *journal.Journal { return w.journal }

// Faults are the world's armed fault rules, for Go tests that arm them
// directly or take over their delays (fault.Injector.SetTimer).
func (w *World) Faults() *fault.Injector { return w.faults }

// interrupt ends the world's fault delays and journal waits at once, now
// and later: what a shutdown or a world's deletion does first, so that no
// request held by either keeps the world open.
func (w *World) interrupt() {
	w.faults.Interrupt()
	w.journal.Interrupt()
}

// adminDeps is what the world's control API is handed.
func (w *World) adminDeps(worlds admin.Worlds) admin.Deps {
	names := make([]string, len(w.apis))
	hashes := make(map[string][]string, len(w.apis))
	for i, a := range w.apis {
		names[i] = a.Name()
		hashes[a.Name()] = a.Secrets().Hashes
	}
	return admin.Deps{Control: w, Store: w.store, Clock: w.clock, Journal: w.journal, Faults: w.faults,
		Buckets: buckets, APIs: names, Hashes: hashes, Worlds: worlds}
}
