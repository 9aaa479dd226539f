package amapi

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
)

// route is one vendor route, relative to /api.
type route struct {
	method string
	path   string
	handle func(a *API) echo.HandlerFunc
}

// routes is amapi.txt's route table. GET routes answer HEAD too, as
// Laravel's Route::get registers both.
var routes = []route{
	{http.MethodPost, "/create-order", func(a *API) echo.HandlerFunc { return a.order(createOrder) }},
	{http.MethodPost, "/buy-click", func(a *API) echo.HandlerFunc { return a.order(buyClick) }},
	{http.MethodPost, "/callback", func(a *API) echo.HandlerFunc { return a.order(callback) }},
	{http.MethodPost, "/register", func(a *API) echo.HandlerFunc { return a.register }},
	{http.MethodPost, "/login", func(a *API) echo.HandlerFunc { return a.login }},
	{http.MethodPost, "/logout", func(a *API) echo.HandlerFunc { return a.logout }},
	{http.MethodPost, "/change-password", func(a *API) echo.HandlerFunc { return a.changePassword }},
	{http.MethodGet, "/test", func(a *API) echo.HandlerFunc { return a.test }},
	{http.MethodHead, "/test", func(a *API) echo.HandlerFunc { return a.test }},
}

// Routes implements api.API. Each path is served with and without a
// trailing slash: Laravel's router matches rtrim($path, '/').
func (a *API) Routes(g *echo.Group) {
	for _, r := range routes {
		h := r.handle(a)
		g.Add(r.method, r.path, h, cors)
		g.Add(r.method, r.path+"/", h, cors)
	}
}

// laravelVerbs is Router::$verbs, the order Laravel lists allowed methods in.
var laravelVerbs = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
	http.MethodPatch, http.MethodDelete, http.MethodOptions}

// allowedMethods lists the methods amapi serves at rel (a path relative to
// /api without trailing slash), in Laravel's order.
func allowedMethods(rel string) []string {
	var out []string
	for _, v := range laravelVerbs {
		for _, r := range routes {
			if r.path == rel && r.method == v {
				out = append(out, v)
				break
			}
		}
	}
	return out
}

// routeMiss answers a request echo found no handler for, the way Laravel's
// router does: a CORS preflight gets 204 (HandleCors runs before routing),
// a plain OPTIONS on a known path 200 with Allow, a wrong method 405 naming
// the supported ones, anything else 404.
func (a *API) routeMiss(c echo.Context) {
	r := c.Request()
	rel := strings.TrimRight(strings.TrimPrefix(r.URL.Path, a.Prefix()), "/")
	laravelPath := strings.Trim(r.URL.EscapedPath(), "/")
	allowed := allowedMethods(rel)
	switch {
	case r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "":
		preflight(c)
	case len(allowed) == 0 || slices.Contains(allowed, r.Method):
		// The second case is a known route behind two or more trailing
		// slashes, which echo does not match; too rare to serve.
		writeJSON(c, http.StatusNotFound, frameworkBody(fmt.Sprintf(fmtRouteNotFound, laravelPath)))
	case r.Method == http.MethodOptions:
		c.Response().Header().Set(echo.HeaderAllow, strings.Join(allowed, ","))
		_ = c.NoContent(http.StatusOK)
	default:
		others := slices.DeleteFunc(allowed, func(m string) bool { return m == r.Method })
		list := strings.Join(others, ", ")
		c.Response().Header().Set(echo.HeaderAllow, list)
		writeJSON(c, http.StatusMethodNotAllowed, frameworkBody(fmt.Sprintf(fmtMethodNotAllow, r.Method, laravelPath, list)))
	}
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

// laravelHeaders sets what every /api response carries.
func laravelHeaders(c echo.Context) {
	h := c.Response().Header()
	h.Set(echo.HeaderAccessControlAllowOrigin, "*")
	h.Set(echo.HeaderCacheControl, "no-cache, private")
}

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
