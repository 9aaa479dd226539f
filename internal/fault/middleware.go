package fault

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/request"
	"github.com/mockserver/mockserver/internal/scenario"
)

// Middleware applies the armed rules to every request whose request.Info
// names a vendor API (the control API and paths no API owns are never
// touched), and records the id of the rule that hit it in Info.Fault.
//
// It must sit inside the middleware that attaches the Info and journals
// requests, and outside the state gate: a delay then holds no lock, and the
// journal sees the final status. That outer middleware must call Finish
// once the request is on record: a dropped or truncated connection is
// closed only then, so a client never sees the failure before the journal
// holds it.
func (in *Injector) Middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		hit := in.Hit(c)
		if hit == nil {
			return next(c)
		}
		return in.Serve(c, next, hit)
	}
}

// Hit is the armed rule that hits the request c, recorded in its
// Info.Fault, or nil: Middleware in two steps, for a caller that runs
// several steps in one middleware of its own (echo builds a closure per
// middleware and request) and runs next itself when nothing hits.
func (in *Injector) Hit(c echo.Context) *Hit {
	info := request.From(c)
	if info == nil || !info.Vendor() {
		return nil
	}
	r := c.Request()
	hit := in.Match(info.API, r.Method, r.URL.Path)
	if hit != nil {
		info.Fault = hit.ID
	}
	return hit
}

// Finish closes the connection a drop or truncate took over, if any.
func Finish(c echo.Context) {
	if info := request.From(c); info != nil && info.Conn != nil {
		_ = info.Conn.Close()
	}
}

// Serve answers one request hit (Hit).
//
// Phase before: the pause, then the response the action describes; the
// handler never runs, unless the action is only a delay (a slow server).
// Phase after: the handler runs to completion with its response held back,
// then the pause, then that response is replaced, amended, cut or dropped.
func (in *Injector) Serve(c echo.Context, next echo.HandlerFunc, hit *Hit) error {
	a := hit.Action
	orig := c.Response()
	if hit.Delay > 0 {
		// A slow server on purpose: the delay must not run into the
		// listener's read or write timeout.
		request.Unhurried(orig, c.Request(), hit.Delay)
	}
	if hit.Phase != scenario.PhaseAfter {
		if !in.pause(c.Request().Context(), hit.Delay) {
			orig.Status = 0 // the client left during the pause: nothing ran, nothing is sent
			return nil
		}
		if a.Status == 0 && a.Body == nil && !a.Drop && !a.Truncate {
			return next(c)
		}
	}

	rec := hold(c)
	defer c.SetResponse(orig) // also when the handler panics, so the panic is answered
	if hit.Phase == scenario.PhaseAfter {
		if err := next(c); err != nil {
			c.Error(err) // rendered in the API's shape, into the held response
		}
		if !in.pause(c.Request().Context(), hit.Delay) {
			// The client left during the pause: the work is committed, but
			// nothing is sent, and the journal says so (status 0), as
			// decisions/faults.md promises of what the client received.
			orig.Status = 0
			return nil
		}
	}
	if a.Status != 0 || a.Body != nil {
		rec = hold(c) // the fault's response replaces the handler's whole
		respond(c, rec, a)
	}
	for k, v := range a.Headers {
		rec.header.Set(k, v)
	}
	c.SetResponse(orig)
	switch {
	case a.Drop:
		return drop(c)
	case a.Truncate:
		return truncate(c, rec)
	}
	return deliver(orig, rec)
}

// pause waits d; a client that goes away ends it early (false), and so does
// Interrupt (true: the request is finished without the rest of the delay).
// Delays are wall-clock network time (or what SetTimer made them), not the
// server clock, which tests may freeze.
func (in *Injector) pause(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	select {
	case <-in.timer()(d):
		return true
	case <-in.stop:
		return true
	case <-ctx.Done():
		return false
	}
}

// respond writes the action's own response into rec: its body with its
// status (200 when only a body is given), or, without a body, the API's
// error envelope for a status >= 400 (so a 503 looks like that vendor's 503)
// and an empty body below. The status is the action's whatever the API's
// error renderer makes of it.
func respond(c echo.Context, rec *recorder, a scenario.FaultAction) {
	status := a.Status
	if a.Body != nil {
		if status == 0 {
			status = http.StatusOK
		}
		ct := "text/plain; charset=utf-8"
		if json.Valid([]byte(*a.Body)) {
			ct = echo.MIMEApplicationJSON
		}
		_ = c.Blob(status, ct, []byte(*a.Body))
		return
	}
	if status >= 400 {
		c.Error(echo.NewHTTPError(status))
		rec.status = status
		return
	}
	_ = c.NoContent(status)
}

// recorder is a ResponseWriter that holds the response instead of sending it.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

// Header is the held response's header.
func (r *recorder) Header() http.Header { return r.header }

// WriteHeader holds the first status written.
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

// Write holds b, with status 200 unless one was written.
func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}

// Flush is a no-op: a held response is sent whole, or not at all, later.
func (r *recorder) Flush() {}

// hold points c's response at a fresh recorder.
func hold(c echo.Context) *recorder {
	rec := &recorder{header: http.Header{}}
	c.SetResponse(echo.NewResponse(rec, c.Echo()))
	return rec
}

// code is the held status: 200 when nothing set one.
func (r *recorder) code() int {
	if r.status == 0 {
		return http.StatusOK
	}
	return r.status
}

// deliver sends the held response as it is.
func deliver(res *echo.Response, rec *recorder) error {
	copyHeader(res.Header(), rec.header)
	res.WriteHeader(rec.code())
	_, err := res.Write(rec.body.Bytes())
	return err
}

// copyHeader sets every header of src on dst.
func copyHeader(dst, src http.Header) {
	for k, vs := range src {
		dst[k] = vs
	}
}

// drop closes the connection without a byte of response. The journal
// records status 0: the client got nothing.
func drop(c echo.Context) error {
	conn, _, err := http.NewResponseController(c.Response().Writer).Hijack()
	if err != nil {
		// A connection that cannot be taken over (HTTP/2) is reset instead.
		panic(http.ErrAbortHandler)
	}
	c.Response().Status = 0
	hijacked(c, conn)
	return nil
}

// truncate sends the status line and headers announcing the full
// Content-Length, then half of the body, then (in Finish) closes: the
// client reads a short body, as from a connection that broke mid-response.
func truncate(c echo.Context, rec *recorder) error {
	res := c.Response()
	body := rec.body.Bytes()
	copyHeader(res.Header(), rec.header)
	res.Header().Del("Transfer-Encoding")
	res.Header().Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	res.WriteHeader(rec.code())
	if _, err := res.Write(body[:len(body)/2]); err != nil {
		return nil // the client is gone already
	}
	rc := http.NewResponseController(res.Writer)
	if err := rc.Flush(); err != nil {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := rc.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	hijacked(c, conn)
	return nil
}

// hijacked hands the connection a drop or truncate took over to the
// request's Info, for Finish to close once the request is on record.
func hijacked(c echo.Context, conn net.Conn) {
	request.From(c).Conn = conn // only hit requests get here, and they have an Info
}
