// Package admin is the control API under /__admin (SPEC §8): health, reset,
// scenario load, the request journal and its waits, fault rules, state
// inspection and the clock; on the root world, the worlds too (SPEC §10,
// worlds.go). Every world mounts its own. It answers plain JSON; it is
// ours, not a vendor's.
//
// The control API has no lock of its own and takes the server's state gate
// only through Control: reset and scenario load go through Control.Apply,
// which write-holds it; state inspection and clock moves first call
// Control.CatchUp, which read-holds it while the automatic status moves
// that fell due are applied (SPEC §12); the journal, the fault rules and
// the clock lock themselves; state inspection reads in bbolt read
// transactions.
package admin

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/check"
	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/fault"
	"github.com/mockserver/mockserver/internal/journal"
	"github.com/mockserver/mockserver/internal/lifecycle"
	"github.com/mockserver/mockserver/internal/pathglob"
	"github.com/mockserver/mockserver/internal/redact"
	"github.com/mockserver/mockserver/internal/request"
	"github.com/mockserver/mockserver/internal/route"
	"github.com/mockserver/mockserver/internal/scenario"
	"github.com/mockserver/mockserver/internal/state"
	"github.com/mockserver/mockserver/internal/strictjson"
)

// Control is what the control API needs of the server.
type Control interface {
	Apply(sc *scenario.Scenario) error
	Reset() error
	Current() *scenario.Scenario
	LoadNamed(name string) (*scenario.Scenario, error)
	// ParseBody reads a posted scenario, resolving its extends: as
	// LoadNamed resolves a name.
	ParseBody(body []byte) (*scenario.Scenario, error)
	// CatchUp applies the automatic status moves that have fallen due
	// (SPEC §12): state reads show what clients would read, and a clock
	// move applies every move it passed.
	CatchUp() error
	// Preview lists the automatic status moves a clock move to until
	// would apply, earliest first, applying none.
	Preview(until time.Time) ([]lifecycle.Change, error)
}

// Deps is what Register is handed.
type Deps struct {
	Control Control
	Store   *state.Set
	Clock   *clock.Clock
	Journal *journal.Journal
	// Faults are the armed fault rules.
	Faults *fault.Injector
	// Buckets are the API buckets, named "<api>.<collection>".
	Buckets []string
	// APIs are the API names, in mounting order.
	APIs []string
	// Hashes are, per API name, the fields of its records that hold a
	// credential's hash (api.Secrets.Hashes), left out of /__admin/state.
	Hashes map[string][]string
	// Worlds are the server's worlds: set on the root world's control API
	// only, which alone mounts /__admin/worlds.
	Worlds Worlds
}

// RenderError writes err as {"error": "..."} (with "problems" for a bad
// scenario). It also answers paths that belong to no API. Only the router's
// own not-found (echo.ErrNotFound itself) becomes "no such route": a 404 a
// handler returns says what it did not find, and keeps its message.
func RenderError(c echo.Context, err error) {
	var ae *api.ControlError
	var he *echo.HTTPError
	switch {
	case errors.As(err, &ae):
	case errors.Is(err, echo.ErrNotFound): // the router's sentinel, not any 404
		ae = &api.ControlError{Status: http.StatusNotFound, Message: "no such route: " + c.Request().Method + " " + c.Request().URL.Path}
	case errors.As(err, &he):
		ae = &api.ControlError{Status: he.Code, Message: fmt.Sprint(he.Message)}
	default:
		ae = &api.ControlError{Status: http.StatusInternalServerError, Message: err.Error()}
	}
	_ = c.JSON(ae.Status, ae)
}

// handlers are the control API's routes, over what Register was handed.
type handlers struct{ Deps }

// Register mounts the control API on g (the /__admin group).
func Register(g *echo.Group, d Deps) {
	h := handlers{d}
	// HEAD too: container and Kubernetes probes sometimes use it. net/http
	// sends no body for HEAD, so the one handler serves both.
	g.Match([]string{http.MethodGet, http.MethodHead}, "/health", h.health)
	g.POST("/reset", h.reset)
	g.GET("/scenario", h.scenario)
	g.POST("/scenario", h.loadScenario)
	g.GET("/requests", h.requests)
	g.GET("/requests/count", h.count)
	g.GET("/requests/wait", h.wait)
	g.GET("/requests/stream", h.stream)
	g.DELETE("/requests", h.clearRequests)
	registerFaults(g, h)
	g.GET("/state", h.collections)
	g.GET("/state/:api/:collection", h.rows)
	g.GET("/state/:api/:collection/:id", h.row)
	g.GET("/snapshot", h.snapshot)
	g.GET("/clock", h.getClock)
	g.POST("/clock", h.setClock)
	g.GET("/clock/preview", h.previewClock)
	registerOpenAPI(g)
	if d.Worlds != nil {
		registerWorlds(g, h)
	}
}

// MethodNotAllowed answers a control route asked with a method it does not
// serve: 405 with Allow, as the vendor APIs answer (route.NotAllowed
// mounts it on every control path).
func MethodNotAllowed(allow []string) echo.HandlerFunc {
	list := strings.Join(allow, ", ")
	return func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderAllow, list)
		r := c.Request()
		return api.Controlf(http.StatusMethodNotAllowed, "%s %s: this route answers %s", r.Method, r.URL.Path, list)
	}
}

// health answers {"status": "ok"} while the server runs.
func (h handlers) health(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// reset returns the state to the scenario loaded (POST /__admin/reset).
func (h handlers) reset(c echo.Context) error {
	if err := h.Control.Reset(); err != nil {
		return api.Controlf(http.StatusInternalServerError, "reset failed: %v", err)
	}
	return c.JSON(http.StatusOK, h.scenarioInfo())
}

// scenarioInfo is how the control API shows the scenario loaded.
type scenarioInfo struct {
	Status      string `json:"status"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Seed        int64  `json:"seed"`
	File        string `json:"file"`
}

// scenarioInfo describes the scenario loaded now.
func (h handlers) scenarioInfo() scenarioInfo {
	sc := h.Control.Current()
	return scenarioInfo{Status: "ok", Name: sc.Name, Description: sc.Description, Seed: sc.Seed, File: sc.File}
}

// scenario shows the scenario loaded (GET /__admin/scenario).
func (h handlers) scenario(c echo.Context) error {
	return c.JSON(http.StatusOK, h.scenarioInfo())
}

// loadScenario validates a scenario (YAML or JSON body, or ?name=) and only
// then replaces the state; problems come back as 400 with the old state kept.
func (h handlers) loadScenario(c echo.Context) error {
	var sc *scenario.Scenario
	var err error
	if name := c.QueryParam("name"); name != "" {
		sc, err = h.Control.LoadNamed(name)
	} else {
		body, rerr := api.Body(c)
		if rerr != nil {
			return api.Controlf(http.StatusBadRequest, "could not read the body: %v", rerr)
		}
		if len(strings.TrimSpace(string(body))) == 0 {
			return api.Controlf(http.StatusBadRequest, "send a scenario as the body (YAML or JSON), or ?name= of a file in scenarios/")
		}
		sc, err = h.Control.ParseBody(body)
	}
	if err != nil {
		return scenarioError(err, "the scenario has problems; the state was not changed")
	}
	if err := h.Control.Apply(sc); err != nil {
		return api.Controlf(http.StatusBadRequest, "the scenario could not be applied; the state was not changed: %v", err)
	}
	return c.JSON(http.StatusOK, h.scenarioInfo())
}

// scenarioError is the 400 of a scenario that could not be read: msg and
// every problem as file:line: message when the loader found problems, the
// loader's message otherwise (an unknown name). Loading a scenario and
// creating a world from one answer alike.
func scenarioError(err error, msg string) *api.ControlError {
	var ps check.Problems
	if !errors.As(err, &ps) {
		return api.Controlf(http.StatusBadRequest, "%v", err)
	}
	out := &api.ControlError{Status: http.StatusBadRequest, Message: msg}
	for _, p := range ps {
		out.Problems = append(out.Problems, p.String())
	}
	return out
}

// The journal routes' query parameters: the filter's, and for a wait how
// many requests and how long.
var (
	filterParams = []string{"api", "method", "path", "fault", "since", "violations"}
	waitParams   = append(slices.Clip(filterParams), "count", "timeout")
)

// filter reads api, method, path, fault and since (an entry id, or an RFC
// 3339 time). A misspelt api, a method that is no HTTP method, a broken
// glob, an unknown parameter (?fualt=x) or one given twice is a 400, not a
// filter that silently matches nothing (a wait runs into its timeout) or
// everything (a verification passes that should fail). known are the
// parameters the route takes.
func (h handlers) filter(c echo.Context, known []string) (journal.Filter, error) {
	if err := onlyParams(c, known); err != nil {
		return journal.Filter{}, err
	}
	f := journal.Filter{API: c.QueryParam("api"), Method: c.QueryParam("method"), Path: c.QueryParam("path"), Fault: c.QueryParam("fault")}
	if err := violationsFilter(c, &f); err != nil {
		return f, err
	}
	if f.API != "" && !slices.Contains(h.APIs, f.API) {
		return f, api.Controlf(http.StatusBadRequest, "api must be one of %s, got %q", strings.Join(h.APIs, ", "), f.API)
	}
	if f.Method != "" && !slices.Contains(route.Methods, strings.ToUpper(f.Method)) {
		return f, api.Controlf(http.StatusBadRequest, "method must be an HTTP method (%s, in any case), got %q", strings.Join(route.Methods, ", "), f.Method)
	}
	if f.Path != "" && (!strings.HasPrefix(f.Path, "/") || !pathglob.Valid(f.Path)) {
		return f, api.Controlf(http.StatusBadRequest, "path must be a path starting with /, exact or a glob with * and **, got %q", f.Path)
	}
	if strings.ContainsAny(f.Path, "?#") {
		// The journal keeps the query apart (the entry's "query"); a path
		// with one would match nothing and turn a wait into a timeout.
		return f, api.Controlf(http.StatusBadRequest, "path is matched without the query string (see each entry's query), got %q", f.Path)
	}
	if s := c.QueryParam("since"); s != "" {
		if id, err := strconv.ParseUint(s, 10, 64); err == nil {
			f.Since = id
		} else if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			f.SinceTime = t
		} else {
			return f, api.Controlf(http.StatusBadRequest, "since must be an entry id or an RFC 3339 time, got %q", s)
		}
	}
	return f, nil
}

// onlyParams refuses a query parameter the route does not take, or one
// given more than once (the filter would read only the first).
func onlyParams(c echo.Context, known []string) error {
	q := c.QueryParams()
	keys := slices.Sorted(maps.Keys(q))
	for _, k := range keys {
		if !slices.Contains(known, k) {
			return api.Controlf(http.StatusBadRequest, "unknown parameter %q; this route takes %s", k, strings.Join(known, ", "))
		}
		if len(q[k]) > 1 {
			return api.Controlf(http.StatusBadRequest, "%s is given %d times; it takes one value", k, len(q[k]))
		}
	}
	return nil
}

// requests lists the journal entries the filter selects, streamed: each
// entry is encoded and written in turn, so a listing of a full journal
// costs the server one entry's encoding at a time, never the whole answer
// (a full budget can encode to several times its size: \u escapes). The
// bytes are those c.JSON wrote for {"requests": [...]} before.
func (h handlers) requests(c echo.Context) error {
	f, err := h.filter(c, filterParams)
	if err != nil {
		return err
	}
	res := c.Response()
	res.Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	res.WriteHeader(http.StatusOK)
	if c.Request().Method == http.MethodHead {
		return nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf) // as c.JSON encodes: HTML escaped, no indent
	buf.WriteString(`{"requests":[`)
	sep := ""
	err = h.Journal.Each(f, func(e *journal.Entry) error {
		buf.WriteString(sep)
		sep = ","
		if err := enc.Encode(e); err != nil {
			return err
		}
		buf.Truncate(buf.Len() - 1) // Encode's newline
		if buf.Len() < 32<<10 {
			return nil // small entries go out together
		}
		_, err := res.Write(buf.Bytes())
		buf.Reset()
		return err
	})
	if err != nil {
		// The status is sent: a client gone, or an entry that cannot be
		// encoded, ends the answer short, which its JSON shows.
		return nil
	}
	buf.WriteString("]}\n")
	_, _ = res.Write(buf.Bytes())
	return nil
}

// count counts the journal entries the filter selects.
func (h handlers) count(c echo.Context) error {
	f, err := h.filter(c, filterParams)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]int{"count": h.Journal.Count(f)})
}

// MaxWait bounds /requests/wait so a forgotten test cannot hold a request forever.
const MaxWait = 60 * time.Second

// wait answers as soon as count matching requests are in the journal, with
// how many match then (at least count: decisions/faults.md), or
// 408 with the count so far when timeout (default 5s) passes or the server
// starts shutting down (a pending wait must not hold the shutdown up).
func (h handlers) wait(c echo.Context) error {
	f, err := h.filter(c, waitParams)
	if err != nil {
		return err
	}
	n := 1
	if s := c.QueryParam("count"); s != "" {
		if n, err = strconv.Atoi(s); err != nil || n < 1 {
			return api.Controlf(http.StatusBadRequest, "count must be a positive integer, got %q", s)
		}
	}
	timeout := 5 * time.Second
	if s := c.QueryParam("timeout"); s != "" {
		if timeout, err = time.ParseDuration(s); err != nil || timeout <= 0 || timeout > MaxWait {
			return api.Controlf(http.StatusBadRequest, "timeout must be a duration up to %s, like 2s, got %q", MaxWait, s)
		}
	}
	// A wait may outlast the listener's read and write timeouts, which
	// would end it as if the client had left; it moves them past its own.
	request.Unhurried(c.Response(), c.Request(), timeout)
	ctx, cancel := context.WithTimeout(c.Request().Context(), timeout)
	defer cancel()
	got, err := h.Journal.Wait(ctx, f, n)
	if err != nil {
		msg := fmt.Sprintf("%d of %d requests arrived within %s", got, n, timeout)
		if errors.Is(err, journal.ErrInterrupted) {
			msg = fmt.Sprintf("the server is shutting down; %d of %d requests arrived", got, n)
		}
		return c.JSON(http.StatusRequestTimeout, map[string]any{"count": got, "error": msg})
	}
	return c.JSON(http.StatusOK, map[string]int{"count": got})
}

// clearRequests empties the journal.
//
// A journal that held much (8 MiB or more) has its memory handed back to
// the system at once, in the background, rather than by the runtime's
// gradual scavenging: who clears a large journal to free memory sees it
// freed (docs/decisions.md, "Memory").
func (h handlers) clearRequests(c echo.Context) error {
	held := h.Journal.Bytes()
	h.Journal.Clear()
	if held >= releaseAfterClear && releasing.CompareAndSwap(false, true) {
		go func() {
			defer releasing.Store(false)
			debug.FreeOSMemory()
		}()
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// releaseAfterClear is the journal size past which a clear hands memory
// back at once; releasing keeps it to one at a time across worlds.
const releaseAfterClear = 8 << 20

var releasing atomic.Bool

// collections lists the inspectable collections per API.
func (h handlers) collections(c echo.Context) error {
	out := map[string][]string{}
	for _, name := range h.APIs {
		out[name] = []string{}
	}
	for _, b := range h.Buckets {
		apiName, coll, ok := strings.Cut(b, ".")
		if ok {
			out[apiName] = append(out[apiName], coll)
		}
	}
	return c.JSON(http.StatusOK, out)
}

// bucket is the bucket the :api and :collection parameters name, or a 404.
func (h handlers) bucket(c echo.Context) (string, error) {
	name := c.Param("api") + "." + c.Param("collection")
	if !slices.Contains(h.Buckets, name) {
		return "", api.Controlf(http.StatusNotFound, "no collection %s/%s (GET /__admin/state lists them)", c.Param("api"), c.Param("collection"))
	}
	return name, nil
}

// record turns a stored value into JSON for the response; values that are not
// JSON (should an API store binary) are shown as base64 strings.
func record(v []byte) json.RawMessage {
	if json.Valid(v) {
		return append(json.RawMessage(nil), v...)
	}
	b, _ := json.Marshal(base64.StdEncoding.EncodeToString(v))
	return b
}

// shown is a stored record as /__admin/state shows it: its API's
// credential hashes left out (issue 14: a bcrypt hash of a short password
// is one guess away from the password).
func (h handlers) shown(c echo.Context, v []byte) json.RawMessage {
	return record(redact.Omit(v, h.Hashes[c.Param("api")]))
}

// rows lists a collection's records: all of them, or a page and a filter
// (rows.go); X-Total-Count says how many matched, so the console can page
// a collection of 100 000 clients without fetching it.
func (h handlers) rows(c echo.Context) error {
	name, err := h.bucket(c)
	if err != nil {
		return err
	}
	rq, err := rowsQueryOf(c)
	if err != nil {
		return err
	}
	if err := h.Control.CatchUp(); err != nil {
		return err
	}
	var out []json.RawMessage
	var total int
	err = h.Store.View(name, func(tx *state.Tx) error {
		out, total, err = rq.page(tx, name, func(v []byte) json.RawMessage { return h.shown(c, v) })
		return err
	})
	if err != nil {
		return err
	}
	c.Response().Header().Set("X-Total-Count", strconv.Itoa(total))
	return c.JSON(http.StatusOK, out)
}

// row shows one record of a collection, by numeric id or by its key.
func (h handlers) row(c echo.Context) error {
	name, err := h.bucket(c)
	if err != nil {
		return err
	}
	if err := h.Control.CatchUp(); err != nil {
		return err
	}
	id := c.Param("id")
	var out json.RawMessage
	err = h.Store.View(name, func(tx *state.Tx) error {
		b := tx.Bucket(name)
		var v []byte
		if n, perr := strconv.ParseUint(id, 10, 64); perr == nil {
			v = b.Get(state.Key(n))
		}
		if v == nil {
			v = b.Get([]byte(id))
		}
		if v != nil {
			out = h.shown(c, v)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if out == nil {
		return api.Controlf(http.StatusNotFound, "no %s/%s with id %q", c.Param("api"), c.Param("collection"), id)
	}
	return c.JSON(http.StatusOK, out)
}

// snapshot streams a copy of the whole state as one bbolt file of the
// single-file layout, each API's rows as of one transaction
// (state.Set.Snapshot): it opens with --db like any state file.
func (h handlers) snapshot(c echo.Context) error {
	if err := h.Control.CatchUp(); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/octet-stream")
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="mockserver-snapshot.db"`)
	c.Response().WriteHeader(http.StatusOK)
	_, err := h.Store.Snapshot(c.Response())
	return err
}

// clockView is how the control API shows the server clock.
type clockView struct {
	Now    string `json:"now"`
	Frozen bool   `json:"frozen"`
}

// clockView reads the clock, in Moscow time as the vendors print it.
func (h handlers) clockView() clockView {
	return clockView{Now: h.Clock.Now().In(clock.Moscow).Format(time.RFC3339Nano), Frozen: h.Clock.Frozen()}
}

// getClock shows the server clock (GET /__admin/clock).
func (h handlers) getClock(c echo.Context) error { return c.JSON(http.StatusOK, h.clockView()) }

// clockRequest moves the server clock: set (RFC 3339, or a naive Moscow time
// as the vendors print it), advance (a Go duration such as "2h" or "-30m"),
// freeze (stop or restart the clock), reset (back to real time). A request
// that would take the clock outside years 1..9999 is a 400 and moves nothing.
type clockRequest struct {
	Set     string `json:"set"`
	Advance string `json:"advance"`
	Freeze  *bool  `json:"freeze"`
	Reset   bool   `json:"reset"`
}

// parseSet reads a clock move's set: RFC 3339, or a naive Moscow time as
// the vendors print it.
func parseSet(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		if t, err = check.ParseTime(s); err != nil {
			return t, api.Controlf(http.StatusBadRequest, "set: %q is neither RFC 3339 nor a time like 2017-01-15 22:02:43", s)
		}
	}
	return t, nil
}

// parseAdvance reads a clock move's advance: a Go duration.
func parseAdvance(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, api.Controlf(http.StatusBadRequest, "advance: %q is not a duration like 2h or -30m", s)
	}
	return d, nil
}

// setClock moves the clock as a clockRequest says. The body is decoded
// strictly: an unknown key or a second value is a 400, not a move silently
// other than the one meant.
func (h handlers) setClock(c echo.Context) error {
	body, err := api.Body(c)
	if err != nil {
		return api.Controlf(http.StatusBadRequest, "could not read the body: %v", err)
	}
	var req clockRequest
	if err := strictjson.Decode(body, &req); err != nil {
		return api.Controlf(http.StatusBadRequest, `send {"set": "2026-01-02T15:04:05+03:00"}, {"advance": "2h"}, {"freeze": true} or {"reset": true}: %v`, err)
	}
	var m clock.Move
	if req.Set != "" {
		t, err := parseSet(req.Set)
		if err != nil {
			return err
		}
		m.Set = &t
	}
	if req.Advance != "" {
		d, err := parseAdvance(req.Advance)
		if err != nil {
			return err
		}
		m.Advance = d
	}
	m.Reset, m.Freeze = req.Reset, req.Freeze
	if err := h.Clock.Move(m); err != nil { // clock.ErrOutOfRange, the only error
		return api.Controlf(http.StatusBadRequest, "%v; the clock was not moved", err)
	}
	// Every move the clock passed is applied now, not at the next read:
	// moving the clock back afterwards does not undo them.
	if err := h.Control.CatchUp(); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, h.clockView())
}
