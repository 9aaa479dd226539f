package carreta

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/route"
)

// Routes implements api.API: it mounts the route table.
func (a *API) Routes(g *echo.Group) { a.routes().Mount(g) }

// routes is carreta's route table: the paths of carreta.txt, all with a
// trailing slash, as Django writes them. A GET route answers HEAD too, as
// Django views do; another method is 405 with Allow, rendered by
// RenderError; the bare path is Django's APPEND_SLASH redirect.
func (a *API) routes() route.Table {
	return route.Table{
		Slash:    route.SlashRequired,
		Redirect: appendSlash,
		Routes: []route.Route{
			{Method: http.MethodGet, Path: "/profile/", Handler: a.profile},
			{Method: http.MethodGet, Path: "/search/", Handler: a.search},
			{Method: http.MethodGet, Path: "/order/", Handler: a.listOrders},
			{Method: http.MethodPost, Path: "/order/", Handler: a.createOrder},
			{Method: http.MethodGet, Path: "/order/:id/", Handler: a.order},
			{Method: http.MethodGet, Path: "/order/:id/history/", Handler: a.history},
		},
	}
}
