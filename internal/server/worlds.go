package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mockserver/mockserver/internal/admin"
	"github.com/mockserver/mockserver/internal/scenario"
	"github.com/mockserver/mockserver/internal/state"
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

	// mu serialises the writers of worlds and guards pending, dir, closed
	// and spare (the pointer; a spare's fields are its maker's until its
	// ready channel closes). It is held only to count, to copy the map,
	// to swap the spare and to make the directory: never while a world is
	// seeded, serves or is closed, so a slow creation or deletion holds no
	// other up. It is taken before no other lock (a world's life lock is
	// taken after it is released).
	mu      sync.Mutex
	pending int          // worlds being created: counted against the limit
	dir     string       // this process's directory of world files, made on first use
	release func() error // gives up the claim on dir (state.Claim)
	closed  bool         // closeAll has run: no world may be created any more
	spare   *spare       // the world made ahead for the next creation (spares.go)

	// live is told how many worlds live after each insert and remove
	// (the soft memory limit follows it, memlimit.go); nil: nobody.
	live func(n int)

	templates templates
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

// Create implements admin.Worlds: a world of sc in a scratch file of the
// worlds directory, counted against --max-worlds from the start of its
// making. Expired worlds are swept first, so they never count. A spare of
// sc, when one is ready or being made, is taken instead of making a world;
// either way a spare is then made for the next (spares.go).
func (g *registry) Create(sc *scenario.Scenario, ttl time.Duration, listen bool) (admin.World, error) {
	sealed, err := sc.Stored()
	if err != nil {
		return admin.World{}, err
	}
	g.sweep()
	if err := g.reserve(); err != nil {
		return admin.World{}, err
	}
	key := sha256.Sum256(sealed)
	h := g.takeSpare(key)
	if h == nil {
		h, err = g.build(sc, key)
	}
	if err == nil {
		err = h.activate(g.now(), ttl, listen, g.bindHost)
	}
	if err = g.insert(h, err); err != nil {
		return admin.World{}, err
	}
	g.refill(sc, key)
	g.log.Info("world created", "world", h.id, "scenario", sc.Name, "ttl", ttl.String(), "listen", h.ownAddr)
	return h.describe(), nil
}

// insert ends the creation reserve began: h joins the live worlds, unless
// making it failed (err) or the server has begun shutting down; then h, if
// any, is closed and the error returned.
func (g *registry) insert(h *hosted, err error) error {
	g.mu.Lock()
	g.pending--
	if err == nil && g.closed {
		err = errors.New("the server is shutting down")
	}
	n := -1
	if err == nil {
		next := maps.Clone(*g.worlds.Load())
		next[h.id] = h
		g.worlds.Store(&next)
		n = len(next)
	}
	g.mu.Unlock()
	if err != nil && h != nil {
		_ = h.close()
	}
	g.counted(n)
	return err
}

// counted tells live of n live worlds (n < 0: no change).
func (g *registry) counted(n int) {
	if n >= 0 && g.live != nil {
		g.live(n)
	}
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

// build makes a world of sc that is no one's yet: its file (a copy of sc's
// template when there is one; else seeded, which leaves the template
// behind), its APIs and its routes. On an error after its file was opened
// it returns the world as well, for the caller to close. It yields the
// processor between its steps (and loadAll between the APIs), since it
// mostly runs in the background making a spare: on a server with one core,
// a request that arrives meanwhile then waits for one step, not for the
// whole world (a deletion back to back with creations took 8 ms).
func (g *registry) build(sc *scenario.Scenario, key [32]byte) (*hosted, error) {
	dir, err := g.directory()
	if err != nil {
		return nil, err
	}
	id, err := g.newID()
	if err != nil {
		return nil, err
	}
	file := filepath.Join(dir, id+".db")
	tpl := g.templates.get(key)
	if tpl != nil {
		if err := state.WriteTemplate(file, parts, tpl); err != nil {
			_ = state.RemoveFiles(file, parts)
			return nil, fmt.Errorf("the world's file: %w", err)
		}
	}
	w, err := openWorld(g.cfg, worldFile{db: file, scratch: true, prefix: WorldsPrefix + id, log: g.log.With("world", id)})
	if err != nil {
		_ = state.RemoveFiles(file, parts)
		return nil, err
	}
	h := &hosted{World: w, reg: g, id: id, file: file, scenario: sc.Name}
	runtime.Gosched()
	w.mount(nil)
	runtime.Gosched()
	if err := g.seed(h, sc, key, tpl != nil); err != nil {
		return h, fmt.Errorf("seed the world: %w", err)
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
	tpl, err := h.store.Template()
	if err != nil {
		return err
	}
	g.templates.put(key, tpl)
	return nil
}

// directory is this process's directory of world files, made and claimed
// (state.Claim) on first use: a new one under --worlds-dir (default: the
// system's temporary directory) for every process, so two servers sharing
// a worlds directory never meet, and a restart starts with none. The
// first use also removes the directories of servers that died without
// shutting down (kill -9, a crash): their claims died with them.
func (g *registry) directory() (string, error) {
	g.mu.Lock()
	if g.dir != "" {
		defer g.mu.Unlock()
		return g.dir, nil
	}
	base := g.cfg.WorldsDir
	if base == "" {
		base = os.TempDir()
	}
	dir, err := claimDir(base)
	if err == nil {
		g.dir = dir.path
		g.release = dir.release
	}
	g.mu.Unlock()
	if err != nil {
		return "", err
	}
	g.removeStale(base, dir.path)
	return dir.path, nil
}

// claimedDir is a directory this process made and holds the claim of.
type claimedDir struct {
	path    string
	release func() error
}

// claimDir makes a directory of its own under base and claims it.
func claimDir(base string) (claimedDir, error) {
	if err := os.MkdirAll(base, 0o700); err != nil {
		return claimedDir{}, fmt.Errorf("worlds directory: %w", err)
	}
	dir, err := os.MkdirTemp(base, dirPattern)
	if err != nil {
		return claimedDir{}, fmt.Errorf("worlds directory: %w", err)
	}
	release, err := state.Claim(dir)
	if err != nil {
		_ = os.RemoveAll(dir)
		return claimedDir{}, fmt.Errorf("worlds directory: %w", err)
	}
	return claimedDir{dir, release}, nil
}

// dirPattern names the worlds directories (os.MkdirTemp's pattern).
const dirPattern = "mockserver-worlds-"

// removeStale removes the worlds directories under base, other than own,
// whose server is gone.
func (g *registry) removeStale(base, own string) {
	dirs, _ := filepath.Glob(filepath.Join(base, dirPattern+"*"))
	for _, d := range dirs {
		if d == own || state.Claimed(d) {
			continue
		}
		if err := os.RemoveAll(d); err != nil {
			g.log.Warn("the worlds of a server that did not shut down were not removed", "dir", d, "err", err)
			continue
		}
		g.log.Info("removed the worlds of a server that did not shut down", "dir", d)
	}
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
	n := -1
	if h != nil {
		next := maps.Clone(*g.worlds.Load())
		delete(next, id)
		g.worlds.Store(&next)
		n = len(next)
	}
	g.mu.Unlock()
	if h == nil {
		return false
	}
	g.counted(n)
	if err := h.close(); err != nil {
		g.log.Warn("world removed with an error", "world", id, "why", why, "err", err)
		return true
	}
	g.log.Info("world removed", "world", id, "why", why)
	return true
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
	dir, release, sp := g.dir, g.release, g.spare
	g.spare = nil
	g.mu.Unlock()
	dropSpare(sp)
	for id := range *g.worlds.Load() {
		g.remove(id, "shutdown")
	}
	if dir != "" {
		_ = release()
		if err := os.RemoveAll(dir); err != nil {
			g.log.Warn("worlds directory not removed", "dir", dir, "err", err)
		}
	}
}
