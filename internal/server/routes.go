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
)

// AdminPrefix is the control API's namespace, reserved like moto's /moto-api.
const AdminPrefix = "/__admin"

func (s *Server) routes(buckets []string) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.renderError
	// Order matters: observe sees the final status after the error has been
	// rendered; recover turns a panic into an error rendered in the API's
	// shape; readBody enforces the limit before any handler runs; faults
	// sit outside the state gate, so a delay holds no lock.
	e.Use(s.observe, s.recover, s.readBody, s.faults.Middleware(s.vendorAPI))

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

// apiFor returns the API owning path, or nil.
func (s *Server) apiFor(path string) api.API {
	for _, a := range s.apis {
		p := a.Prefix()
		if strings.HasPrefix(path, p) && (len(path) == len(p) || path[len(p)] == '/') {
			return a
		}
	}
	return nil
}

// vendorAPI names the vendor API owning path, or "" (faults touch no other path).
func (s *Server) vendorAPI(path string) string {
	if a := s.apiFor(path); a != nil {
		return a.Name()
	}
	return ""
}

// apiName names the owner of path for logs and the journal.
func (s *Server) apiName(path string) string {
	if name := s.vendorAPI(path); name != "" {
		return name
	}
	if strings.HasPrefix(path, AdminPrefix) {
		return "admin"
	}
	return ""
}

// renderError hands err to the API that owns the path, so even a 404, a 413
// or a panic comes back in that vendor's envelope.
func (s *Server) renderError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	if a := s.apiFor(c.Request().URL.Path); a != nil {
		a.RenderError(c, err)
		return
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
		c.Set(api.BodyKey, body)
		return next(c)
	}
}

// observe writes one log line and one journal entry per request, after the
// response (errors are rendered here so the status is final).
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err)
		}
		r := c.Request()
		dur := time.Since(start)
		name := s.apiName(r.URL.Path)
		status := c.Response().Status
		hit, _ := c.Get(journal.FaultKey).(string) // the fault rule that hit the request, if any
		attrs := []slog.Attr{slog.String("api", name), slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", status), slog.Duration("duration", dur)}
		if hit != "" {
			attrs = append(attrs, slog.String("fault", hit)) // a log reader sees why a request failed
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
		if name == "admin" {
			return nil // the control API does not journal itself
		}
		e := journal.Entry{
			Time: s.clock.Now(), API: name, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
			Remote: r.RemoteAddr, Headers: journal.Redact(r.Header), Status: status,
			DurationMS: float64(dur.Microseconds()) / 1000, Fault: hit,
		}
		if body, ok := c.Get(api.BodyKey).([]byte); ok {
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
		if s.apiFor(r.URL.Path) == owner || strings.HasPrefix(r.URL.Path, AdminPrefix+"/") {
			s.echo.ServeHTTP(w, r)
			return
		}
		c := s.echo.NewContext(r, w)
		owner.RenderError(c, echo.ErrNotFound)
	})
}
