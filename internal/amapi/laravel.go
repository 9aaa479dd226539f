package amapi

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
)

// This file is what Laravel's framework answers around amapi's
// controllers: HandleCors's headers and preflight, and the router's
// answers for a path or method it has no route for.

// routeMiss answers, the way Laravel's router does, a request no route
// takes; allow lists the methods its path is served with (route.Verbs
// order), empty for an unknown path. A CORS preflight gets 204 (HandleCors
// runs before routing), a plain OPTIONS on a known path 200 with Allow, a
// wrong method 405 naming the supported ones, anything else 404. It is the
// route table's MethodNotAllowed hook, and RenderError's answer to echo's
// 404 and 405.
func routeMiss(c echo.Context, allow []string) error {
	r := c.Request()
	laravelPath := strings.Trim(r.URL.EscapedPath(), "/")
	switch {
	case r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "":
		preflight(c)
	case len(allow) == 0 || slices.Contains(allow, r.Method):
		// The second case is a known route behind two or more trailing
		// slashes, which echo does not match; too rare to serve.
		writeJSON(c, http.StatusNotFound, frameworkBody(fmt.Sprintf(fmtRouteNotFound, laravelPath)))
	case r.Method == http.MethodOptions:
		c.Response().Header().Set(echo.HeaderAllow, strings.Join(allow, ","))
		_ = c.NoContent(http.StatusOK)
	default:
		list := strings.Join(allow, ", ")
		c.Response().Header().Set(echo.HeaderAllow, list)
		writeJSON(c, http.StatusMethodNotAllowed, frameworkBody(fmt.Sprintf(fmtMethodNotAllow, r.Method, laravelPath, list)))
	}
	return nil
}

// allowedAt lists the methods the route table serves at a request path as
// Laravel's router sees it: relative to the prefix, trailing slashes
// trimmed (rtrim($path, '/')).
func (a *API) allowedAt(path string) []string {
	rel := strings.TrimRight(strings.TrimPrefix(path, a.Prefix()), "/")
	return a.table.Allowed(a.table.Lookup(rel))
}

// cors adds the headers Laravel's HandleCors adds with the default
// config/cors.php (paths api/*, every origin, method and header, no
// credentials), so the JavaScript examples work from a browser page too.
func cors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		laravelHeaders(c)
		return next(c)
	}
}

// laravelHeaders sets what every /api response carries. The values are
// shared slices, set straight into the map under their canonical names:
// Header.Set would make two slices a request (issue 16). Nothing changes a
// header's values in place; an Add appends past their capacity, to a copy.
func laravelHeaders(c echo.Context) {
	h := c.Response().Header()
	h[echo.HeaderAccessControlAllowOrigin] = anyOrigin
	h[echo.HeaderCacheControl] = noCachePrivate
}

// The values laravelHeaders sets, capacity 1 so an append copies them.
var (
	anyOrigin      = []string{"*"}[:1:1]
	noCachePrivate = []string{"no-cache, private"}[:1:1]
)

// preflight answers a CORS preflight as fruitcake/php-cors does with
// Laravel's defaults: 204, the requested method and headers echoed back,
// Access-Control-Max-Age: 0.
func preflight(c echo.Context) {
	req, h := c.Request().Header, c.Response().Header()
	laravelHeaders(c)
	h.Del(echo.HeaderCacheControl)
	h.Set(echo.HeaderAccessControlAllowMethods, strings.ToUpper(req.Get("Access-Control-Request-Method")))
	h.Add(echo.HeaderVary, "Access-Control-Request-Method")
	if want := req.Get("Access-Control-Request-Headers"); want != "" {
		h.Set(echo.HeaderAccessControlAllowHeaders, want)
	}
	h.Add(echo.HeaderVary, "Access-Control-Request-Headers")
	h.Set(echo.HeaderAccessControlMaxAge, "0")
	_ = c.NoContent(http.StatusNoContent)
}
