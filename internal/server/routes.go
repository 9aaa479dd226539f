package server

import (
	"bytes"
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
	"github.com/mockserver/mockserver/internal/fault"
	"github.com/mockserver/mockserver/internal/journal"
	"github.com/mockserver/mockserver/internal/request"
)

// AdminPrefix is the control API's namespace, reserved like moto's /moto-api.
const AdminPrefix = "/__admin"

// routes builds the echo instance: the shared middleware, every vendor API
// under its prefix behind the state gate, and the control API.
func (s *Server) routes(buckets []string) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.renderError
	// Order matters: observe attaches the request.Info the others read and
	// sees the final status after the error has been rendered; recover turns
	// a panic into an error rendered in the API's shape; readBody enforces
	// the limit before any handler runs; faults sit outside the state gate,
	// so a delay holds no lock. checkAnswers, in tests only, sits right
	// inside observe to see each answer as the client gets it.
	mw := []echo.MiddlewareFunc{s.observe}
	if s.cfg.CheckAnswers != nil {
		mw = append(mw, s.checkAnswers)
	}
	e.Use(append(mw, s.recover, s.readBody, s.faults.Middleware)...)

	for _, a := range s.apis {
		g := e.Group(a.Prefix(), s.gated)
		a.Routes(g)
	}
	ag := e.Group(AdminPrefix, s.adminAuth)
	admin.Register(ag, s.adminDeps(buckets))
	for _, a := range s.apis {
		a.Admin(ag.Group("/" + a.Name()))
	}
	return e
}

// owns reports whether path is under a's prefix.
func owns(a api.API, path string) bool {
	p := a.Prefix()
	return strings.HasPrefix(path, p) && (len(path) == len(p) || path[len(p)] == '/')
}

// owner names the owner of path for request.Info.API: a vendor API's name,
// request.Admin, or "" when no one owns it. It runs once per request.
func (s *Server) owner(path string) string {
	for _, a := range s.apis {
		if owns(a, path) {
			return a.Name()
		}
	}
	if strings.HasPrefix(path, AdminPrefix) {
		return request.Admin
	}
	return ""
}

// renderError hands err to the API that owns the path, so even a 404, a 413
// or a panic comes back in that vendor's envelope. The owner is the one
// observe worked out for the request; anything else gets the control API's
// shape.
func (s *Server) renderError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	if info := request.From(c); info != nil {
		if a, ok := s.byName[info.API]; ok {
			a.RenderError(c, err)
			return
		}
	}
	admin.RenderError(c, err)
}

// gated holds the read side of the state gate for a vendor request.
func (s *Server) gated(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		s.gate.RLock()
		defer s.gate.RUnlock()
		return next(c)
	}
}

// recover turns a panic into an error (logged with its stack) so the process
// survives and the client gets the API's error shape, never an HTML page.
// http.ErrAbortHandler is let through: it is how a handler drops a connection.
func (s *Server) recover(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			r := recover()
			if r == nil {
				return
			}
			if r == http.ErrAbortHandler {
				panic(r)
			}
			s.log.Error("panic", "path", c.Request().URL.Path, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("internal error: %v", r)
		}()
		return next(c)
	}
}

// readBody reads the whole body up front, at most BodyLimit bytes: larger
// bodies get 413 in the API's shape before any handler runs, and the bytes
// are kept for the journal.
func (s *Server) readBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.Body == nil || r.Body == http.NoBody {
			return next(c)
		}
		if r.ContentLength > s.cfg.BodyLimit {
			return echo.ErrStatusRequestEntityTooLarge
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, s.cfg.BodyLimit+1))
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "could not read the request body").SetInternal(err)
		}
		if int64(len(body)) > s.cfg.BodyLimit {
			return echo.ErrStatusRequestEntityTooLarge
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		request.From(c).Body = body
		return next(c)
	}
}

// observe attaches the request's Info, naming the API that owns the path,
// then writes one log line and one journal entry per request, after the
// response (errors are rendered here so the status is final).
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		info := &request.Info{API: s.owner(c.Request().URL.Path)}
		request.Attach(c, info)
		if err := next(c); err != nil {
			c.Error(err)
		}
		r := c.Request()
		dur := time.Since(start)
		status := c.Response().Status
		attrs := []slog.Attr{slog.String("api", info.API), slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", status), slog.Duration("duration", dur)}
		if info.Fault != "" {
			attrs = append(attrs, slog.String("fault", info.Fault)) // a log reader sees why a request failed
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
		if info.API == request.Admin {
			return nil // the control API does not journal itself
		}
		e := journal.Entry{
			Time: s.clock.Now(), API: info.API, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
			Remote: r.RemoteAddr, Headers: journal.Redact(r.Header), Status: status,
			DurationMS: float64(dur.Microseconds()) / 1000, Fault: info.Fault,
			ContractViolations: s.requestViolations(c, info),
		}
		if body := info.Body; body != nil {
			if len(body) > journal.MaxBody {
				body, e.BodyTruncated = body[:journal.MaxBody], true
			}
			e.Body = string(body)
		}
		s.journal.Add(e)
		fault.Finish(c) // a dropped or truncated connection closes once it is on record
		return nil
	}
}

// adminAuth requires the admin token when one is configured.
func (s *Server) adminAuth(next echo.HandlerFunc) echo.HandlerFunc {
	if s.cfg.AdminToken == "" {
		return next
	}
	want := []byte("Bearer " + s.cfg.AdminToken)
	return func(c echo.Context) error {
		got := []byte(c.Request().Header.Get(echo.HeaderAuthorization))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			return echo.NewHTTPError(http.StatusUnauthorized, "the control API needs Authorization: Bearer <admin token>")
		}
		return next(c)
	}
}

// only serves one API on a listener of its own: its prefix and the control
// API; any other path is that API's 404.
func (s *Server) only(name string) http.Handler {
	var owner api.API
	for _, a := range s.apis {
		if a.Name() == name {
			owner = a
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if owns(owner, r.URL.Path) || strings.HasPrefix(r.URL.Path, AdminPrefix+"/") {
			s.echo.ServeHTTP(w, r)
			return
		}
		c := s.echo.NewContext(r, w)
		owner.RenderError(c, echo.ErrNotFound)
	})
}
