package carreta

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// Routes implements api.API: the paths of carreta.txt, all with a trailing
// slash. GET routes answer HEAD too, as Django views do.
func (a *API) Routes(g *echo.Group) {
	// Every other method gets 405 with Allow. Echo would answer it with the
	// group's catch-all 404, so each path first takes any method, then the
	// real handlers replace the methods they serve.
	route := func(path string, get, post echo.HandlerFunc) {
		allow := "GET, HEAD"
		if post != nil {
			allow += ", POST"
		}
		g.Any(path, methodNotAllowed(allow))
		g.GET(path, get)
		g.HEAD(path, get)
		if post != nil {
			g.POST(path, post)
		}
	}
	route("/profile/", a.profile, nil)
	route("/search/", a.search, nil)
	route("/order/", a.listOrders, a.createOrder)
	route("/order/:id/", a.order, nil)
	route("/order/:id/history/", a.history, nil)

	// Django's APPEND_SLASH: the same paths without the slash redirect.
	for _, p := range []string{"/profile", "/search", "/order", "/order/:id", "/order/:id/history"} {
		g.Any(p, appendSlash)
	}
}

// Admin implements api.API: POST /__admin/carreta/orders/{id}/status moves
// an order along its statuses, as the supplier would.
func (a *API) Admin(g *echo.Group) {
	g.POST("/orders/:id/status", a.adminSetStatus)
}

// methodNotAllowed answers 405 with the methods the path serves.
func methodNotAllowed(allow string) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderAllow, allow)
		return echo.ErrMethodNotAllowed
	}
}

// appendSlash answers a slashless path with 301 to the slashed one, query
// kept, as Django's CommonMiddleware does with APPEND_SLASH in production:
// for every method (a POST loses its body, as it would against the real
// server), before authentication, with an empty text/html body. Like Django
// it only redirects when the slashed path exists, so /order/abc is a 404.
func appendSlash(c echo.Context) error {
	if c.Param("id") != "" {
		if _, ok := pathID(c); !ok {
			return echo.ErrNotFound
		}
	}
	r := c.Request()
	loc := r.URL.EscapedPath() + "/"
	if r.URL.RawQuery != "" {
		loc += "?" + r.URL.RawQuery
	}
	loc = iriToURI(loc)
	h := c.Response().Header()
	h.Set(echo.HeaderLocation, loc)
	h.Set(echo.HeaderContentType, "text/html; charset=utf-8")
	c.Response().WriteHeader(http.StatusMovedPermanently)
	return nil
}

// iriToURI is Django's iri_to_uri, which the redirect's Location passes
// through: Python's quote with safe="/#%[]=:;$&()+,!?*@'~", so a query a
// client sent unencoded (raw UTF-8, spaces) comes back percent-encoded and
// the header stays ASCII; what was already encoded is kept as sent.
func iriToURI(s string) string {
	const hex = "0123456789ABCDEF"
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_.-~/#%[]=:;$&()+,!?*@'", c) >= 0) {
			if b != nil {
				b = append(b, c)
			}
			continue
		}
		if b == nil {
			b = append(make([]byte, 0, len(s)+16), s[:i]...)
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	if b == nil {
		return s
	}
	return string(b)
}
