package server

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mockserver/mockserver/internal/admin"
	"github.com/mockserver/mockserver/internal/state"
)

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

// activate makes h a live world at now: its ttl runs from now and, with
// listen, it gets its own listener on the host bindHost names.
func (h *hosted) activate(now time.Time, ttl time.Duration, listen bool, bindHost func() string) error {
	h.ttl, h.created = ttl, now
	h.lastUsed.Store(now.UnixNano())
	if listen {
		return h.listen(bindHost())
	}
	return nil
}

// listen binds the world's own listener on host, port 0, serving the world
// unprefixed.
func (h *hosted) listen(host string) error {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return fmt.Errorf("the world's own listener: %w", err)
	}
	h.ownAddr = l.Addr().String()
	h.own, l = newHTTPServer(h.cfg, l, h, h.log)
	go func() { _ = h.own.Serve(l) }()
	return nil
}

// describe is the world as the control API shows it.
func (h *hosted) describe() admin.World {
	return admin.World{ID: h.id, Prefix: h.prefix, Scenario: h.scenario, Created: h.created.UTC(),
		Expires: h.expires().UTC(), Requests: h.requests.Load(), ListenAddr: h.ownAddr}
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
	if rerr := state.RemoveFiles(h.file, parts); rerr != nil && err == nil {
		err = rerr
	}
	return err
}
