package amapi

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/route"
)

// Routes implements api.API: it mounts the route table. Errors under /api
// are rendered by RenderError (errors.go).
func (a *API) Routes(g *echo.Group) { a.table.Mount(g) }

// routes is amapi.txt's route table. Laravel's router matches
// rtrim($path, '/'), so every path is served with and without a trailing
// slash; a GET route answers HEAD too, as Route::get registers both. A
// known path asked with another method, OPTIONS and CORS preflights
// included, gets Laravel's answer (routeMiss), and every answer carries
// HandleCors's headers (cors); both are in laravel.go.
func (a *API) routes() route.Table {
	return route.Table{
		Routes: []route.Route{
			{Method: http.MethodPost, Path: "/create-order", Handler: a.order(createOrder)},
			{Method: http.MethodPost, Path: "/buy-click", Handler: a.order(buyClick)},
			{Method: http.MethodPost, Path: "/callback", Handler: a.order(callback)},
			{Method: http.MethodPost, Path: "/register", Handler: a.register},
			{Method: http.MethodPost, Path: "/login", Handler: a.login},
			{Method: http.MethodPost, Path: "/logout", Handler: a.logout},
			{Method: http.MethodPost, Path: "/change-password", Handler: a.changePassword},
			{Method: http.MethodGet, Path: "/test", Handler: a.test},
		},
		Slash:            route.SlashOptional,
		MethodNotAllowed: routeMiss,
		Middleware:       []echo.MiddlewareFunc{cors},
	}
}
