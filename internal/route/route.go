// Package route mounts a vendor API's route table on an echo group with the
// HTTP rules all three vendors' frameworks share: a GET route answers HEAD,
// a known path asked with another method answers 405 with Allow (not the
// group's catch-all 404), and a trailing slash is either optional (Laravel,
// the PHP panel) or required with the bare path redirected (Django's
// APPEND_SLASH). Each vendor package describes its table as data and calls
// Mount once; what differs between vendors (the 405 body, the redirect) is
// a function the vendor passes in. NotAllowed gives routes registered one
// by one (the control API's) the same 405 with Allow.
package route

import (
	"net/http"
	"reflect"
	"runtime"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
)

// Route is one vendor route: a method and a path relative to the API's
// prefix (echo syntax: ":id" for a parameter, a trailing "*" for the rest).
type Route struct {
	Method  string
	Path    string
	Handler echo.HandlerFunc
}

// Slash is a framework's trailing-slash rule.
type Slash int

const (
	// SlashOptional serves every path with and without a trailing slash
	// (Laravel matches rtrim($path, '/'); the panel's router likewise). A
	// path ending in "*" already takes any rest and is mounted once.
	SlashOptional Slash = iota
	// SlashRequired is Django's: routes are written with their trailing
	// slash, and the bare path goes to Table.Redirect for every method.
	SlashRequired
)

// Verbs is the order Allow lists methods in: Laravel's Router::$verbs,
// which is also the order the Django and panel answers were pinned in.
var Verbs = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
	http.MethodPatch, http.MethodDelete, http.MethodOptions}

// Table is one API's routes and the framework rules they follow.
type Table struct {
	Routes []Route
	Slash  Slash
	// Redirect answers a bare path under SlashRequired.
	Redirect echo.HandlerFunc
	// MethodNotAllowed answers a known path asked with a method it does not
	// serve; allow lists the path's methods in Verbs order. Nil sets Allow
	// to them joined by ", " and returns echo.ErrMethodNotAllowed for the
	// API's error renderer.
	MethodNotAllowed func(c echo.Context, allow []string) error
	// Middleware wraps every handler the table mounts, 405s included,
	// once, when the table is mounted (wrap): a middleware here must only
	// wrap, doing its work in the handler it returns.
	Middleware []echo.MiddlewareFunc
}

// Mount registers the table on g.
func (t Table) Mount(g *echo.Group) {
	for _, p := range t.paths() {
		t.serve(g, p, p)
		for _, v := range t.variants(p) {
			if t.Slash == SlashRequired {
				t.named(g.Any(v, t.wrap(t.Redirect)), t.Redirect)
				continue
			}
			t.serve(g, v, p)
		}
	}
}

// serve mounts the table's path p at the spelling at: first every method
// as the 405, then the real handlers over the methods p serves.
func (t Table) serve(g *echo.Group, at, p string) {
	na := t.notAllowed(t.Allowed(p))
	t.named(g.Any(at, t.wrap(na)), na)
	for _, r := range t.Routes {
		if r.Path != p {
			continue
		}
		h := t.wrap(r.Handler)
		t.named([]*echo.Route{g.Add(r.Method, at, h)}, r.Handler)
		if r.Method == http.MethodGet && !t.has(p, http.MethodHead) {
			t.named([]*echo.Route{g.Add(http.MethodHead, at, h)}, r.Handler)
		}
	}
}

// named names routes after h, the handler inside the table's middleware,
// as echo names a route whose middleware it applies per request: the
// route listing (Echo.Routes) tells a 405 from a real handler by it.
func (t Table) named(routes []*echo.Route, h echo.HandlerFunc) {
	if len(t.Middleware) == 0 {
		return // echo named them after h already
	}
	name := runtime.FuncForPC(reflect.ValueOf(h).Pointer()).Name()
	for _, r := range routes {
		r.Name = name
	}
}

// wrap is h inside the table's middleware, the first outermost, as echo
// would apply them. It is done once, at mount: echo applies a route's
// middleware anew on every request (a closure each, issue 16), and the
// middleware the tables use only wrap.
func (t Table) wrap(h echo.HandlerFunc) echo.HandlerFunc {
	for i := len(t.Middleware) - 1; i >= 0; i-- {
		h = t.Middleware[i](h)
	}
	return h
}

// Allowed lists the methods path (as written in the table) serves, HEAD
// included for a GET route, in Verbs order.
func (t Table) Allowed(path string) []string {
	var out []string
	for _, v := range Verbs {
		if t.has(path, v) || v == http.MethodHead && t.has(path, http.MethodGet) {
			out = append(out, v)
		}
	}
	return out
}

// Lookup finds the table's path that a request path relative to the
// prefix, with or without the trailing slash the rule allows, would match
// literally (parameters not expanded); "" when none. It serves APIs that
// must answer a route miss themselves.
func (t Table) Lookup(rel string) string {
	for _, p := range t.paths() {
		if rel == p {
			return p
		}
		for _, v := range t.variants(p) {
			if rel == v {
				return p
			}
		}
	}
	return ""
}

func (t Table) has(path, method string) bool {
	for _, r := range t.Routes {
		if r.Path == path && r.Method == method {
			return true
		}
	}
	return false
}

// paths lists the table's distinct paths in order of first appearance.
func (t Table) paths() []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range t.Routes {
		if !seen[r.Path] {
			seen[r.Path] = true
			out = append(out, r.Path)
		}
	}
	return out
}

// variants are the other spellings of p the slash rule serves.
func (t Table) variants(p string) []string {
	switch {
	case strings.HasSuffix(p, "*"):
		return nil
	case t.Slash == SlashRequired:
		if trimmed := strings.TrimSuffix(p, "/"); trimmed != p && trimmed != "" {
			return []string{trimmed}
		}
		return nil
	default:
		return []string{p + "/"}
	}
}

func (t Table) notAllowed(allow []string) echo.HandlerFunc {
	return func(c echo.Context) error {
		if t.MethodNotAllowed != nil {
			return t.MethodNotAllowed(c, allow)
		}
		c.Response().Header().Set(echo.HeaderAllow, strings.Join(allow, ", "))
		return echo.ErrMethodNotAllowed
	}
}

// Methods are the methods NotAllowed answers for: Verbs, and the two other
// methods of RFC 9110 §9.
var Methods = append(append([]string(nil), Verbs...), http.MethodConnect, http.MethodTrace)

// NotAllowed completes routes that were registered one by one rather than
// through a Table (the control API: its own routes and each vendor's under
// /__admin/<api>): on every path of routes under prefix, each method of
// Methods the path does not serve answers with notAllowed(allow), allow
// listing the methods it does serve in Verbs order. Without it such a
// request falls to the group's catch-all and answers 404, as if the path
// did not exist. g is the group mounted at prefix, so its middleware (the
// admin token) runs first; routes is what echo has registered
// (Echo.Routes), read once every route under prefix is in.
func NotAllowed(g *echo.Group, prefix string, routes []*echo.Route, notAllowed func(allow []string) echo.HandlerFunc) {
	served := map[string][]string{}
	var paths []string
	for _, r := range routes {
		rel, ok := strings.CutPrefix(r.Path, prefix)
		if !ok || (rel != "" && rel[0] != '/') || !slices.Contains(Methods, r.Method) {
			continue // another prefix's route, or a catch-all (echo's RouteNotFound)
		}
		if _, seen := served[rel]; !seen {
			paths = append(paths, rel)
		}
		served[rel] = append(served[rel], r.Method)
	}
	for _, rel := range paths {
		var allow []string
		for _, v := range Verbs {
			if slices.Contains(served[rel], v) {
				allow = append(allow, v)
			}
		}
		h := notAllowed(allow)
		for _, m := range Methods {
			if !slices.Contains(served[rel], m) {
				g.Add(m, rel, h)
			}
		}
	}
}
