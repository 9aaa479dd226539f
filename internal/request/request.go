// Package request carries what the server learns about one request while it
// passes through the middleware, in one typed value instead of loose context
// keys: which API owns the path (worked out once), the world prefix taken
// off the path, the body the server read up front, the fault rule that hit
// the request, and the connection a fault took over. The server's outermost
// middleware attaches an Info to every request (Carry, or Attach); the rest
// of the middleware, the error renderer, the fault injector and api.Body
// read it with From.
//
// It is a leaf: it imports nothing of this module, so the server, fault and
// api may all use it.
package request

import (
	"net"

	"github.com/labstack/echo/v4"
)

// Admin is Info.API for a path of the control API (/__admin).
const Admin = "admin"

// Info is the request-scoped data of one request. Each field is written by
// one middleware and read by those that run after it (or, for the outermost
// middleware, after the response).
type Info struct {
	// API names the owner of the path: a vendor API ("amapi", "carreta",
	// "saplab"), Admin for the control API, or "" for a path no one owns.
	// The server sets it once, before anything else runs; the error
	// renderer, fault injection, the log line and the journal all read it.
	API string

	// Prefix is the path prefix the request came in under and the server
	// took off before routing: "/w/<id>" for a world reached through the
	// shared listener, "" on the root world and on a world's own listener.
	// A response that names a URL of the same world (carreta's slash
	// redirect) puts it back, so the client stays in its world.
	Prefix string

	// Body is the whole request body, read by the server before any handler
	// ran and at most the body limit (nil when the request had none). The
	// journal records the same slice, so no one may change it.
	Body []byte

	// Fault is the id of the fault rule that hit the request ("" when none),
	// set by fault injection for the log line and the journal.
	Fault string

	// Conn is the connection a dropping or truncating fault took over. It is
	// closed (fault.Finish) only once the request is on record, so a client
	// never sees the failure before the journal holds it.
	Conn net.Conn

	// Fixed is an answer body the handler writes and promises never to
	// change (an answer encoded once and cached: carreta's search). The
	// journal keeps its copy of the answer as these very bytes rather than
	// copying them, when they are what reaches the writer (Fixes).
	Fixed []byte
}

// Fix declares body, which the handler is about to write, as never to
// change again: bytes built once and shared by every request that
// answers them, never a buffer that is reused. A handler run without the
// server (no Info) declares nothing.
func (i *Info) Fix(body []byte) {
	if i != nil {
		i.Fixed = body
	}
}

// Fixes reports whether b is the body declared with Fix, the same bytes
// (not a copy of them).
func (i *Info) Fixes(b []byte) bool {
	return i != nil && len(b) > 0 && len(b) == len(i.Fixed) && &b[0] == &i.Fixed[0]
}

// Vendor reports whether the path belongs to a vendor API: the only
// requests fault rules may touch.
func (i *Info) Vendor() bool { return i.API != "" && i.API != Admin }

// key is the echo context key of the Info; unexported, so nothing outside
// this package can set or read it but through Attach and From.
const key = "request.info"

// Attach makes i the Info of c's request, in c's store. The server calls
// it once per request, in its outermost middleware, where that runs
// before routing (a world's, which takes its prefix off the path first):
// echo's router takes only its own context. After routing, Carry is
// cheaper.
func Attach(c echo.Context, i *Info) { c.Set(key, i) }

// Context is an echo.Context that carries its request's Info: what the
// server's outermost middleware hands on when it runs after routing
// (Carry). echo makes a context's store, a map, anew for every request on
// its first Set, so Attach cost a map per request: a quarter of the
// bytes the mock allocated for a small read (issue 16). The server keeps
// a Context in the one allocation it makes per request.
type Context struct {
	echo.Context
	info *Info
}

// Carry makes into the context of c's request, carrying i, and returns
// it: the context to hand on to the handler in place of c.
func Carry(into *Context, c echo.Context, i *Info) echo.Context {
	into.Context, into.info = c, i
	return into
}

// Error renders err with echo's error handler, handing it this context
// (echo's own Error would hand it the context underneath, which does not
// carry the Info the error renderer reads).
func (c *Context) Error(err error) { c.Echo().HTTPErrorHandler(err, c) }

// From returns the Info of c's request, or nil when no server middleware
// attached one (a handler run alone in a test).
func From(c echo.Context) *Info {
	if ic, ok := c.(*Context); ok {
		return ic.info
	}
	i, _ := c.Get(key).(*Info)
	return i
}
