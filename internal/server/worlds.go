package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mockserver/mockserver/internal/admin"
	"github.com/mockserver/mockserver/internal/scenario"
)

// WorldsPrefix is where the worlds live on the shared listener:
// /w/<id>/api/..., /w/<id>/v1/..., /w/<id>/panel/..., /w/<id>/__admin/...
const WorldsPrefix = "/w/"

// SweepInterval is how often a serving server removes the worlds whose ttl
// has run out. Between sweeps an expired world already answers 404 (its
// requests check the time), and creating or listing worlds sweeps first,
// so the interval only bounds how long an expired world's file lingers.
const SweepInterval = time.Minute

// registry is the server's worlds other than the root: it creates them in
// the worlds directory, routes /w/<id> to them, and removes them on
// deletion, on expiry and at shutdown. It is the control API's
// admin.Worlds.
type registry struct {
	cfg      *Config
	log      *slog.Logger
	now      func() time.Time // the expiry clock: Config.ExpiryClock, or real time
	bindHost func() string    // the host a world's own listener binds

	// worlds maps the live worlds' ids to them. The map is never changed
	// once stored: create and remove store a new one (copy on write, under
	// mu), so the request path finds its world with one atomic load and no
	// lock, and 64 clients in 64 worlds never meet on a mutex.
	worlds atomic.Pointer[map[string]*hosted]

	// mu serialises the writers of worlds and guards pending, dir and
	// closed. It is held only to count, to copy the map and to make the
	// directory: never while a world is seeded, serves or is closed, so a
	// slow creation or deletion holds no other up. It is taken before no
	// other lock (a world's life lock is taken after it is released).
	mu      sync.Mutex
	pending int    // worlds being created: counted against the limit
	dir     string // this process's directory of world files, made on first use
	closed  bool   // closeAll has run: no world may be created any more

	templates templates
}

// templates keeps the state files seeded from the scenarios worlds were
// last created from, so that a world of a scenario already seeded in this
// process starts from a copy of that file (and only rebuilds its views):
// seeding itself, bcrypt of every seeded password and a commit of every
// row, was most of the time a creation took. A copy is the same state a
// seeding would give, but for the times stamped at seeding on rows whose
// scenario gives none (docs/decisions.md) and the bcrypt salts, which are
// the template's.
type templates struct {
	// mu guards files and order. It is a leaf, held only to look up, add
	// or drop a template, never while one is written or read.
	mu    sync.Mutex
	files map[[32]byte][]byte // by SHA-256 of the scenario as stored (scenario.Stored)
	order [][32]byte          // oldest first, to drop past maxTemplates
}

// maxTemplates bounds the templates kept (each is a state file's bytes,
// about half a megabyte for the default scenario).
const maxTemplates = 8

// get returns the template of the scenario key names, or nil. Templates
// are never changed once put, so the caller may read it unlocked.
func (t *templates) get(key [32]byte) []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.files[key]
}

// put keeps file as the template of key, dropping the oldest past
// maxTemplates.
func (t *templates) put(key [32]byte, file []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.files == nil {
		t.files = map[[32]byte][]byte{}
	}
	if _, ok := t.files[key]; ok {
		return
	}
	t.files[key] = file
	t.order = append(t.order, key)
	if len(t.order) > maxTemplates {
		delete(t.files, t.order[0])
		t.order = t.order[1:]
	}
}

// newRegistry returns an empty registry.
func newRegistry(cfg *Config, log *slog.Logger, bindHost func() string) *registry {
	g := &registry{cfg: cfg, log: log, now: time.Now, bindHost: bindHost}
	if cfg.ExpiryClock != nil {
		g.now = cfg.ExpiryClock.Now
	}
	g.worlds.Store(&map[string]*hosted{})
	return g
}

// hosted is one world of the registry, with what the registry keeps about
// it.
type hosted struct {
	*World
	reg      *registry
	id       string
	file     string
	scenario string
	ttl      time.Duration
	created  time.Time
	lastUsed atomic.Int64 // the expiry clock at the last request's start, in Unix nanoseconds
	requests atomic.Int64 // requests answered, for the list

	// own is the world's own listener's server (nil without listen), and
	// ownAddr the address it got.
	own     *http.Server
	ownAddr string

	// life is read-held by every request the world serves, for its whole
	// run (enter), and write-held by close while it closes the world's
	// file: a request either runs on an open world or, reaching the world
	// after its removal began, waits for the removal and answers 404. Never
	// a 5xx from a closed file. close interrupts the world's fault delays
	// and journal waits before it takes life, so no request holds it long.
	// It is taken before every lock of the world (its gate, bbolt's, the
	// vendors').
	life sync.RWMutex
	gone bool // set by close under life held for writing
}

// get returns the live world id names, or nil.
func (g *registry) get(id string) *hosted {
	return (*g.worlds.Load())[id]
}

// serve answers a request under /w/<id>/ on the shared listener.
func (g *registry) serve(w http.ResponseWriter, r *http.Request) {
	id, _, _ := strings.Cut(r.URL.Path[len(WorldsPrefix):], "/")
	h := g.get(id)
	if h == nil {
		g.noSuchWorld(w, r, id)
		return
	}
	h.ServeHTTP(w, r)
}

// ServeHTTP answers one request of the world: through /w/<id> (the world's
// echo takes the prefix off) or on its own listener (no prefix). A world
// whose ttl has run out answers 404 from then on, before a sweep has
// removed it.
func (h *hosted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := h.reg.now()
	if h.expired(now) || !h.enter(now) {
		h.reg.noSuchWorld(w, r, h.id)
		return
	}
	defer h.life.RUnlock()
	h.echo.ServeHTTP(w, r)
}

// enter starts a request on the world, holding its life lock for reading
// until the caller releases it; false (and nothing held) when the world is
// gone.
func (h *hosted) enter(now time.Time) bool {
	h.life.RLock()
	if h.gone {
		h.life.RUnlock()
		return false
	}
	h.lastUsed.Store(now.UnixNano())
	h.requests.Add(1)
	return true
}

// expires is when the world goes unless a request comes first.
func (h *hosted) expires() time.Time {
	return time.Unix(0, h.lastUsed.Load()).Add(h.ttl)
}

// expired reports whether the world's ttl has run out at now.
func (h *hosted) expired(now time.Time) bool {
	return !now.Before(h.expires())
}

// noSuchWorld answers a prefix of no live world: 404 in the control API's
// shape, logged like any request.
func (g *registry) noSuchWorld(w http.ResponseWriter, r *http.Request, id string) {
	body, _ := json.Marshal(admin.NoSuchWorld(id))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write(append(body, '\n'))
	g.log.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("api", ""), slog.String("method", r.Method),
		slog.String("path", r.URL.Path), slog.Int("status", http.StatusNotFound), slog.String("world", id))
}

// Create implements admin.Worlds: a world seeded from sc, in a scratch file
// of the worlds directory, counted against --max-worlds from the start of
// its seeding. Expired worlds are swept first, so they never count.
func (g *registry) Create(sc *scenario.Scenario, ttl time.Duration, listen bool) (admin.World, error) {
	g.sweep()
	if err := g.reserve(); err != nil {
		return admin.World{}, err
	}
	h, err := g.open(sc, ttl, listen)
	g.mu.Lock()
	g.pending--
	if err == nil && g.closed {
		err = errors.New("the server is shutting down")
	}
	if err == nil {
		next := maps.Clone(*g.worlds.Load())
		next[h.id] = h
		g.worlds.Store(&next)
	}
	g.mu.Unlock()
	if err != nil {
		if h != nil {
			_ = h.close()
		}
		return admin.World{}, err
	}
	g.log.Info("world created", "world", h.id, "scenario", sc.Name, "ttl", ttl.String(), "listen", h.ownAddr)
	return h.describe(), nil
}

// reserve counts a world about to be created against the limit.
func (g *registry) reserve() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return errors.New("the server is shutting down")
	}
	if n := len(*g.worlds.Load()) + g.pending; n >= g.cfg.MaxWorlds {
		return fmt.Errorf("%w: the server holds %d worlds, its limit (--max-worlds %d); delete one (DELETE /__admin/worlds/{id}) or let one expire",
			admin.ErrWorldLimit, n, g.cfg.MaxWorlds)
	}
	g.pending++
	return nil
}

// open makes the world: its file, its APIs seeded from sc, its routes and,
// with listen, its own listener.
func (g *registry) open(sc *scenario.Scenario, ttl time.Duration, listen bool) (*hosted, error) {
	dir, err := g.directory()
	if err != nil {
		return nil, err
	}
	id, err := g.newID()
	if err != nil {
		return nil, err
	}
	file := filepath.Join(dir, id+".db")
	key := sha256.Sum256(sc.Stored())
	tpl := g.templates.get(key)
	if tpl != nil {
		if err := os.WriteFile(file, tpl, 0o600); err != nil {
			return nil, fmt.Errorf("the world's file: %w", err)
		}
	}
	w, err := openWorld(g.cfg, worldFile{db: file, scratch: true, prefix: WorldsPrefix + id, log: g.log.With("world", id)})
	if err != nil {
		_ = os.Remove(file)
		return nil, err
	}
	h := &hosted{World: w, reg: g, id: id, file: file, scenario: sc.Name, ttl: ttl, created: g.now()}
	h.lastUsed.Store(h.created.UnixNano())
	w.mount(nil)
	if err := g.seed(h, sc, key, tpl != nil); err != nil {
		return h, fmt.Errorf("seed the world: %w", err)
	}
	if listen {
		if err := h.listen(g.bindHost()); err != nil {
			return h, err
		}
	}
	return h, nil
}

// seed fills a new world's state from sc: from the template when its file
// is a copy of one (fromTemplate), else by seeding, which then leaves a
// template of sc behind for the next world.
func (g *registry) seed(h *hosted, sc *scenario.Scenario, key [32]byte, fromTemplate bool) error {
	if fromTemplate {
		return h.resume(sc)
	}
	if err := h.Apply(sc); err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := h.store.Snapshot(&buf); err != nil {
		return err
	}
	g.templates.put(key, buf.Bytes())
	return nil
}

// directory is this process's directory of world files, made on first
// use: a new one under --worlds-dir (default: the system's temporary
// directory) for every process, so two servers sharing a worlds directory
// never meet, and a restart starts with none.
func (g *registry) directory() (string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.dir != "" {
		return g.dir, nil
	}
	base := g.cfg.WorldsDir
	if base == "" {
		base = os.TempDir()
	}
	if err := os.MkdirAll(base, 0o700); err != nil {
		return "", fmt.Errorf("worlds directory: %w", err)
	}
	dir, err := os.MkdirTemp(base, "mockserver-worlds-")
	if err != nil {
		return "", fmt.Errorf("worlds directory: %w", err)
	}
	g.dir = dir
	return dir, nil
}

// idEncoding spells world ids: lowercase letters and digits, URL-safe in a
// path segment, a host name and a file name alike.
var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newID is a world id: 80 bits from crypto/rand (16 characters), which no
// one guesses, behind --replica-id and a dash when set, so an ingress can
// route /w/<id> to the replica that made the world.
func (g *registry) newID() (string, error) {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	id := idEncoding.EncodeToString(b)
	if g.cfg.ReplicaID != "" {
		id = g.cfg.ReplicaID + "-" + id
	}
	return id, nil
}

// listen binds the world's own listener on host, port 0, serving the world
// unprefixed.
func (h *hosted) listen(host string) error {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return fmt.Errorf("the world's own listener: %w", err)
	}
	h.ownAddr = l.Addr().String()
	h.own = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(h.log.Handler(), slog.LevelWarn)}
	go func() { _ = h.own.Serve(l) }()
	return nil
}

// describe is the world as the control API shows it.
func (h *hosted) describe() admin.World {
	return admin.World{ID: h.id, Prefix: h.prefix, Scenario: h.scenario, Created: h.created.UTC(),
		Expires: h.expires().UTC(), Requests: h.requests.Load(), ListenAddr: h.ownAddr}
}

// List implements admin.Worlds: the live worlds, oldest first, after a
// sweep.
func (g *registry) List() []admin.World {
	g.sweep()
	hs := slices.Collect(maps.Values(*g.worlds.Load()))
	slices.SortFunc(hs, func(a, b *hosted) int {
		if c := a.created.Compare(b.created); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	out := make([]admin.World, len(hs))
	for i, h := range hs {
		out[i] = h.describe()
	}
	return out
}

// Delete implements admin.Worlds.
func (g *registry) Delete(id string) bool {
	return g.remove(id, "deleted")
}

// sweep removes every world whose ttl has run out.
func (g *registry) sweep() {
	now := g.now()
	for id, h := range *g.worlds.Load() {
		if h.expired(now) {
			g.remove(id, "expired")
		}
	}
}

// sweepEvery sweeps every d until ctx ends.
func (g *registry) sweepEvery(ctx context.Context, d time.Duration) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			g.sweep()
		}
	}
}

// remove takes the world out of the registry, so no new request finds it,
// then closes it and removes its file; false when there is no such world
// (or another remove got there first).
func (g *registry) remove(id, why string) bool {
	g.mu.Lock()
	h := (*g.worlds.Load())[id]
	if h != nil {
		next := maps.Clone(*g.worlds.Load())
		delete(next, id)
		g.worlds.Store(&next)
	}
	g.mu.Unlock()
	if h == nil {
		return false
	}
	if err := h.close(); err != nil {
		g.log.Warn("world removed with an error", "world", id, "why", why, "err", err)
		return true
	}
	g.log.Info("world removed", "world", id, "why", why)
	return true
}

// close ends the world: its fault delays and journal waits end at once,
// its own listener stops (its requests finish), requests under its prefix
// finish (life), then its file is closed and removed. Requests that come
// later answer 404. It never runs on a request of the world itself, which
// would wait for its own end.
func (h *hosted) close() error {
	h.interrupt()
	if h.own != nil {
		ctx, cancel := context.WithTimeout(context.Background(), h.cfg.ShutdownTimeout)
		if h.own.Shutdown(ctx) != nil {
			_ = h.own.Close()
		}
		cancel()
	}
	h.life.Lock()
	h.gone = true
	h.life.Unlock()
	err := h.store.Close()
	if rerr := os.Remove(h.file); rerr != nil && err == nil {
		err = rerr
	}
	return err
}

// interrupt ends every world's fault delays and journal waits: the first
// step of a shutdown.
func (g *registry) interrupt() {
	for _, h := range *g.worlds.Load() {
		h.interrupt()
	}
}

// closeAll removes every world and the worlds directory; no world can be
// created afterwards.
func (g *registry) closeAll() {
	g.mu.Lock()
	g.closed = true
	dir := g.dir
	g.mu.Unlock()
	for id := range *g.worlds.Load() {
		g.remove(id, "shutdown")
	}
	if dir != "" {
		if err := os.RemoveAll(dir); err != nil {
			g.log.Warn("worlds directory not removed", "dir", dir, "err", err)
		}
	}
}
