package server

import (
	"bytes"
	"context"
	"crypto/subtle"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/admin"
	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/console"
	"github.com/mockserver/mockserver/internal/fault"
	"github.com/mockserver/mockserver/internal/journal"
	"github.com/mockserver/mockserver/internal/logline"
	"github.com/mockserver/mockserver/internal/request"
	"github.com/mockserver/mockserver/internal/route"
)

// AdminPrefix is the control API's namespace, reserved like moto's /moto-api.
const AdminPrefix = "/__admin"

// routes builds the world's echo instance: the shared middleware, every
// vendor API under its prefix behind the state gate, and the control API.
func (w *World) routes(worlds admin.Worlds) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = w.renderError
	// One middleware, observe, runs every step every request shares, in
	// this order: it attaches the request.Info the others read and sees
	// the final status after the error has been rendered; recover turns a
	// panic into an error rendered in the API's shape; readBody enforces
	// the limit before any handler runs; faults sit outside the state gate,
	// so a delay holds no lock; the gate (gated) is held around a vendor's
	// handler. They are one middleware, not five, because echo wraps a
	// request's handler in each middleware anew on every request (a
	// closure each: five allocations and calls a request, issue 16). In a
	// world, observe runs before routing (Pre), since it takes the /w/<id>
	// prefix off the path the router and everything after it see; the root
	// has no prefix and keeps it after routing, which spares its requests
	// echo's Pre closure. checkAnswers, in tests only, sits right inside
	// the log and journal to see each answer as the client gets it.
	if w.prefix != "" {
		e.Pre(w.observe)
	} else {
		// On the root observe runs after routing and is echo's only
		// middleware: the handler it wraps is the one the router put in
		// the context (c.Handler), so it hands echo this one closure,
		// made here, instead of a new one a request (echo wraps every
		// request's handler in each middleware anew: a closure allocated
		// per request, issue 16).
		routed := func(c echo.Context) error { return w.serve(c, c.Handler()) }
		e.Use(func(echo.HandlerFunc) echo.HandlerFunc { return routed })
	}

	for _, a := range w.apis {
		// No group middleware (gated runs in observe): the group's
		// catch-all routes a group middleware would add are added here, so
		// an unknown path under the prefix still routes as before.
		g := e.Group(a.Prefix())
		g.RouteNotFound("", echo.NotFoundHandler)
		g.RouteNotFound("/*", echo.NotFoundHandler)
		a.Routes(g)
	}
	ag := e.Group(AdminPrefix, w.adminAuth)
	admin.Register(ag, w.adminDeps(worlds))
	// A vendor's control routes change its state and view as its own
	// routes do, so they hold the state gate too: Apply never swaps a view
	// under them.
	for _, a := range w.apis {
		a.Admin(ag.Group("/"+a.Name(), w.gated))
	}
	route.NotAllowed(ag, AdminPrefix, e.Routes(), admin.MethodNotAllowed)
	if worlds != nil {
		// The web console, on the root only: it picks a world itself and
		// reads that world's control API from the browser (SPEC §11).
		console.Register(e)
	}
	return e
}

// owns reports whether path is under a's prefix.
func owns(a api.API, path string) bool {
	return under(path, a.Prefix())
}

// under reports whether path is prefix itself or below it.
func under(path, prefix string) bool {
	return strings.HasPrefix(path, prefix) && (len(path) == len(prefix) || path[len(prefix)] == '/')
}

// owner names the owner of path for request.Info.API: a vendor API's name,
// request.Admin, or "" when no one owns it. It runs once per request.
func (w *World) owner(path string) string {
	for _, a := range w.apis {
		if owns(a, path) {
			return a.Name()
		}
	}
	if strings.HasPrefix(path, AdminPrefix) || path == "/" || under(path, console.Prefix) {
		return request.Admin // the console's files are not requests to journal
	}
	return ""
}

// renderError hands err to the API that owns the path, so even a 404, a 413
// or a panic comes back in that vendor's envelope. The owner is the one
// observe worked out for the request; anything else gets the control API's
// shape.
func (w *World) renderError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	if info := request.From(c); info != nil {
		if a, ok := w.byName[info.API]; ok {
			a.RenderError(c, err)
			return
		}
	}
	admin.RenderError(c, err)
}

// gated holds the read side of the state gate for a vendor request (the
// control API's vendor routes, as a group middleware).
func (w *World) gated(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		w.gate.RLock()
		defer w.gate.RUnlock()
		return next(c)
	}
}

// guarded runs next behind the steps between the journal and the handler:
// recover, readBody, the fault rules, and for a vendor request the state
// gate (observe says why they are one middleware).
func (w *World) guarded(c echo.Context, next echo.HandlerFunc) (err error) {
	defer w.recover(c, &err)
	if err := w.readBody(c); err != nil {
		return err
	}
	if !request.From(c).Vendor() {
		return next(c)
	}
	if hit := w.faults.Hit(c); hit != nil {
		return w.faults.Serve(c, w.gated(next), hit)
	}
	w.gate.RLock()
	defer w.gate.RUnlock()
	return next(c)
}

// recover, deferred, turns a panic into an error (logged with its stack)
// so the process survives and the client gets the API's error shape, never
// an HTML page. http.ErrAbortHandler is let through: it is how a handler
// drops a connection.
func (w *World) recover(c echo.Context, err *error) {
	r := recover()
	if r == nil {
		return
	}
	if r == http.ErrAbortHandler {
		panic(r)
	}
	w.log.Error("panic", "path", c.Request().URL.Path, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
	*err = fmt.Errorf("internal error: %v", r)
}

// readBody reads the whole body up front, at most BodyLimit bytes: larger
// bodies get 413 in the API's shape before any handler runs, and the bytes
// are kept for the journal.
func (w *World) readBody(c echo.Context) error {
	r := c.Request()
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	if r.ContentLength > w.cfg.BodyLimit {
		return echo.ErrStatusRequestEntityTooLarge
	}
	done := readingBody(r) // a body that never ends gives way at the connection cap
	body, err := io.ReadAll(io.LimitReader(r.Body, w.cfg.BodyLimit+1))
	done()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "could not read the request body").SetInternal(err)
	}
	if int64(len(body)) > w.cfg.BodyLimit {
		return echo.ErrStatusRequestEntityTooLarge
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	request.From(c).Body = body
	return nil
}

// unprefix takes the world's /w/<id> prefix off the request's path, so the
// router, fault rules and the journal see the paths the root sees, and
// returns the prefix taken ("" on the root and on a world's own listener).
// The request is the server's own (net/http made it for this handler), so
// its URL is changed in place, as echo's rewrite middleware does: echo
// routes the request it was handed, not a copy.
func (w *World) unprefix(r *http.Request) string {
	if w.prefix == "" || !under(r.URL.Path, w.prefix) {
		return ""
	}
	r.URL.Path = strings.TrimPrefix(r.URL.Path, w.prefix)
	r.URL.RawPath = strings.TrimPrefix(r.URL.RawPath, w.prefix) // ids are URL-safe: the same in both
	if r.URL.Path == "" {
		r.URL.Path, r.URL.RawPath = "/", ""
	}
	return w.prefix
}

// durationMS is d in milliseconds to the microsecond, as the log lines
// (text and JSON alike: a number a log query can compare) and the journal
// give it.
func durationMS(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// observe is serve as echo middleware, in a world, where it runs before
// routing (Pre): echo makes the closure anew every request, as it makes
// the closure around the router that is next.
func (w *World) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error { return w.serve(c, next) }
}

// serve attaches the request's Info, naming the API that owns the path,
// runs next, then writes one log line and one journal entry per request,
// after the response (errors are rendered here so the status is final).
//
// It reads the clock once in full, at the start: the end is the start
// plus the monotonic time since (time.Since reads only the monotonic
// clock), and the journal's time is the server clock's at that end
// (clock.At), not a reading of its own. A reading of the wall and
// monotonic clocks cost 50 ns, the monotonic one alone 28: the three full
// readings a request made were 11-13% of a small read's CPU in process
// (issue 16). The end differs from a wall reading only if the wall clock
// was stepped during the request.
func (w *World) serve(c echo.Context, next echo.HandlerFunc) error {
	start := time.Now()
	prefix := w.unprefix(c.Request())
	o := newObserved()
	owner := w.owner(c.Request().URL.Path)
	o.info.API, o.info.Prefix = owner, prefix
	info := &o.info
	if w.prefix != "" {
		request.Attach(c, info) // before routing (Pre): echo's router takes only its own context
	} else {
		c = request.Carry(&o.ctx, c, info) // after routing: no map in c's store
	}
	res := c.Response()
	if info.API != request.Admin {
		// Keep the answer for the journal; the control API's (a
		// stream, a listing of the journal itself) is not journaled.
		o.tap.ResponseWriter, o.tap.head, o.tap.info = res.Writer, c.Request().Method == http.MethodHead, info
		res.Writer = &o.tap
		sent := o.tap.ResponseWriter // o is cleared before this defer runs
		defer func() { res.Writer = sent }()
	}
	var err error
	if only, ok := w.otherAPIsPath(c.Request()); ok {
		// Another API's path on a per-API listener: that listener's
		// API answers its own 404, logged and journaled as any request.
		info.API, err = only, echo.ErrNotFound
	} else if w.cfg.CheckAnswers != nil {
		err = w.checkAnswers(func(c echo.Context) error { return w.guarded(c, next) })(c)
	} else {
		err = w.guarded(c, next)
	}
	if err != nil {
		c.Error(err)
	}
	r := c.Request()
	dur := time.Since(start)
	end := start.Add(dur)
	status := c.Response().Status
	path := w.redactPath(r.URL.Path) // what the log, the journal and the contract messages show
	w.logRequest(r, path, info, status, end, dur)
	if info.API == request.Admin {
		o.done()
		return nil // the control API does not journal itself
	}
	w.record(r, path, owner, info, status, end, dur, w.requestViolations(c, path, info), answer{&o.tap, res.Header()})
	fault.Finish(c) // a dropped or truncated connection closes once it is on record
	o.done()
	return nil
}

// logRequest writes the request's log line, with path (the request's,
// redacted: redactPath), stamped end: the time observe
// already read (a clock reading costs a system call on some virtual
// machines, issue 16), with no caller recorded (no handler of the serve
// command prints it; slog.Logger.LogAttrs would walk the stack for it).
//
// With the serve command's handler (logline), the line is appended
// directly, the same bytes slog would write, without a Record (issue 16).
func (w *World) logRequest(r *http.Request, path string, info *request.Info, status int, end time.Time, dur time.Duration) {
	h := w.log.Handler()
	if fast, ok := h.(*logline.Handler); ok && fast.Request(&logline.RequestLine{
		End: end, API: info.API, Method: r.Method, Path: path, Status: status,
		DurationMS: durationMS(dur), Fault: info.Fault,
	}) {
		return
	}
	if !h.Enabled(r.Context(), slog.LevelInfo) {
		return
	}
	rec := slog.NewRecord(end, slog.LevelInfo, "request", 0)
	rec.AddAttrs(slog.String("api", info.API), slog.String("method", r.Method), slog.String("path", path),
		slog.Int("status", status), slog.Float64("duration_ms", durationMS(dur)))
	if info.Fault != "" {
		rec.AddAttrs(slog.String("fault", info.Fault)) // a log reader sees why a request failed
	}
	_ = h.Handle(r.Context(), rec)
}

// answer is what record needs of the response: the body the tap kept and
// the headers (its Content-Type says how to read it for credentials).
type answer struct {
	tap    *tap
	header http.Header
}

// record writes the request's journal entry, with path (the request's,
// redacted: redactPath); owner is the API that owns the path, as observe
// worked it out (World.owner), for the secrets to redact; the entry's
// time is the world clock's when the real time was end (serve's).
func (w *World) record(r *http.Request, path, owner string, info *request.Info, status int, end time.Time, dur time.Duration, violations []journal.Violation, ans answer) {
	e := &journal.Entry{
		Time: w.clock.At(end).In(clock.Moscow), API: info.API, Method: r.Method, Path: path, Query: r.URL.RawQuery,
		Remote: r.RemoteAddr, Headers: journal.Redact(r.Header, w.secrets.all.Query), Status: status,
		DurationMS: durationMS(dur), Fault: info.Fault, ContractViolations: violations,
	}
	body := info.Body
	if len(body) > journal.MaxBody {
		body, e.BodyTruncated = body[:journal.MaxBody], true
	}
	e.ResponseBody, e.ResponseSize = ans.tap.kept()
	e.Body = string(w.redact(e, r, owner, body, ans))
	w.journal.AddOwned(e)
}

// adminAuth requires the admin token when one is configured, on every
// control route of every world but GET and HEAD /__admin/health, which
// reveal nothing and serve probes that hold no token (SPEC §1, §10). The
// scheme is matched without regard to case (RFC 9110 §11.1: "bearer"
// is Bearer); the token is compared in constant time.
func (w *World) adminAuth(next echo.HandlerFunc) echo.HandlerFunc {
	if w.cfg.AdminToken == "" {
		return next
	}
	want := []byte(w.cfg.AdminToken)
	return func(c echo.Context) error {
		r := c.Request()
		if c.Path() == AdminPrefix+"/health" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			return next(c)
		}
		scheme, token, _ := strings.Cut(r.Header.Get(echo.HeaderAuthorization), " ")
		if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare([]byte(strings.TrimLeft(token, " ")), want) != 1 {
			return echo.NewHTTPError(http.StatusUnauthorized, "the control API needs Authorization: Bearer <admin token>")
		}
		return next(c)
	}
}

// listenerOf marks a request that reached a per-API listener on a path of
// another API: the value is the listener's API, which answers it.
type listenerOf struct{}

// otherAPIsPath is the API of the per-API listener that r reached on
// another API's path (listenerOf), if any. Without a per-API listener no
// request is marked, and the request's context, six values deep under
// net/http, is not searched (issue 16).
func (w *World) otherAPIsPath(r *http.Request) (string, bool) {
	if !w.perAPI.Load() {
		return "", false
	}
	only, ok := r.Context().Value(listenerOf{}).(string)
	return only, ok
}

// only serves one API on a listener of its own: its prefix and the control
// API; any other path is that API's 404. Every request goes through the
// root's echo, so the 404 too gets its log line and journal entry.
func (s *Server) only(name string) http.Handler {
	s.perAPI.Store(true)
	var owner api.API
	for _, a := range s.apis {
		if a.Name() == name {
			owner = a
		}
	}
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if !owns(owner, r.URL.Path) && !strings.HasPrefix(r.URL.Path, AdminPrefix+"/") {
			r = r.WithContext(context.WithValue(r.Context(), listenerOf{}, name))
		}
		s.echo.ServeHTTP(rw, r)
	})
}
