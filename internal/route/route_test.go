package route_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/route"
)

func text(s string) echo.HandlerFunc {
	return func(c echo.Context) error { return c.String(http.StatusOK, s) }
}

// serve mounts t under /x and answers one request; errors are rendered as
// "<status> <Allow>" so the test sees what the vendor renderer would get.
func serve(t route.Table, method, path string) (int, string, http.Header) {
	e := echo.New()
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		he, _ := err.(*echo.HTTPError)
		_ = c.String(he.Code, "error")
	}
	t.Mount(e.Group("/x", func(next echo.HandlerFunc) echo.HandlerFunc { return next }))
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec.Code, rec.Body.String(), rec.Header()
}

func TestTable_Mount(t *testing.T) {
	optional := route.Table{Routes: []route.Route{
		{http.MethodGet, "/a", text("get a")},
		{http.MethodPost, "/a", text("post a")},
		{http.MethodPost, "/b/:id", text("post b")},
		{http.MethodGet, "/f/*", text("filter")},
	}}
	redirect := func(c echo.Context) error { return c.String(http.StatusMovedPermanently, "moved") }
	required := route.Table{Slash: route.SlashRequired, Redirect: redirect, Routes: []route.Route{
		{http.MethodGet, "/p/", text("get p")},
		{http.MethodGet, "/o/:id/", text("get o")},
	}}
	laravel := optional
	laravel.MethodNotAllowed = func(c echo.Context, allow []string) error {
		return c.String(http.StatusMethodNotAllowed, c.Request().Method+" not in "+allow[0]+".."+allow[len(allow)-1])
	}
	for _, tc := range []struct {
		name         string
		table        route.Table
		method, path string
		status       int
		body, allow  string
	}{
		{"serves GET", optional, "GET", "/x/a", 200, "get a", ""},
		{"serves POST on the same path", optional, "POST", "/x/a", 200, "post a", ""},
		{"GET answers HEAD", optional, "HEAD", "/x/a", 200, "get a", ""},
		{"optional slash served", optional, "GET", "/x/a/", 200, "get a", ""},
		{"param path with slash", optional, "POST", "/x/b/7/", 200, "post b", ""},
		{"wildcard takes the rest", optional, "GET", "/x/f/a/b/", 200, "filter", ""},
		{"wrong method is 405 with Allow", optional, "DELETE", "/x/a", 405, "error", "GET, HEAD, POST"},
		{"wrong method on slash variant", optional, "PUT", "/x/b/1/", 405, "error", "POST"},
		{"OPTIONS is a wrong method too", optional, "OPTIONS", "/x/a", 405, "error", "GET, HEAD, POST"},
		{"unknown path falls through", optional, "GET", "/x/zzz", 404, "error", ""},
		{"vendor 405", laravel, "PATCH", "/x/a", 405, "PATCH not in GET..POST", ""},
		{"required slash served", required, "GET", "/x/o/5/", 200, "get o", ""},
		{"bare path redirected", required, "GET", "/x/p", 301, "moved", ""},
		{"bare path redirected for any method", required, "POST", "/x/o/5", 301, "moved", ""},
		{"required slash 405", required, "POST", "/x/p/", 405, "error", "GET, HEAD"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body, h := serve(tc.table, tc.method, tc.path)
			if status != tc.status || body != tc.body || h.Get("Allow") != tc.allow {
				t.Errorf("%s %s = %d %q Allow %q, want %d %q Allow %q", tc.method, tc.path, status, body, h.Get("Allow"), tc.status, tc.body, tc.allow)
			}
		})
	}
}

func TestTable_Lookup(t *testing.T) {
	tb := route.Table{Routes: []route.Route{{http.MethodGet, "/test", nil}, {http.MethodGet, "/f/*", nil}}}
	for rel, want := range map[string]string{"/test": "/test", "/test/": "/test", "/nope": "", "/f/*": "/f/*"} {
		if got := tb.Lookup(rel); got != want {
			t.Errorf("Lookup(%q) = %q, want %q", rel, got, want)
		}
	}
}
