// Package console is the web console (SPEC §11): a page and its script and
// style sheet, embedded in the binary and served by the root world at
// GET / and under /console/. Everything it shows it reads from the
// control API (/__admin) in the browser; the server side is only these
// files, so a console tab costs the server what its control calls cost.
// The live view reads GET /__admin/requests/stream (admin/stream.go).
package console

import (
	"embed"
	"io/fs"
	"net/http"

	"github.com/labstack/echo/v4"
)

// Prefix is where the console's assets are served; "/" serves its page.
const Prefix = "/console"

//go:embed assets
var assets embed.FS

// files are the assets at their names (app.js, app.css, ...).
var files, _ = fs.Sub(assets, "assets")

// securityHeaders keep the page to its own origin: no script, style,
// frame or connection anywhere else (nothing is fetched from the internet).
var securityHeaders = map[string]string{
	"Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
	"X-Content-Type-Options": "nosniff",
	"Referrer-Policy":        "no-referrer",
}

// Register mounts the console on e: GET|HEAD / (the page) and
// /console/<asset>.
func Register(e *echo.Echo) {
	static := http.StripPrefix(Prefix+"/", http.FileServerFS(files))
	serve := func(c echo.Context) error {
		h := c.Response().Header()
		for k, v := range securityHeaders {
			h.Set(k, v)
		}
		// The page and its assets change with the binary only; revalidate
		// so a new version is never mixed with a cached script.
		h.Set(echo.HeaderCacheControl, "no-cache")
		r := c.Request()
		if r.URL.Path == "/" {
			http.ServeFileFS(c.Response(), r, files, "index.html")
			return nil
		}
		static.ServeHTTP(c.Response(), r)
		return nil
	}
	methods := []string{http.MethodGet, http.MethodHead}
	e.Match(methods, "/", serve)
	e.Match(methods, Prefix+"/*", serve)
}
