// Package amapi simulates the amapi.ru shop API (Laravel + Sanctum):
// registration, login, tokens, orders, one-click buys and callbacks.
package amapi

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/phpjson"
	"github.com/mockserver/mockserver/internal/scenario"
	"github.com/mockserver/mockserver/internal/state"
)

// Buckets are amapi's collections in the state file.
var Buckets = []string{"amapi.users", "amapi.tokens", "amapi.orders", "amapi.service"}

// API is the amapi simulation.
type API struct{ deps api.Deps }

// New returns the amapi simulation.
func New(deps api.Deps) *API { return &API{deps: deps} }

// Name implements api.API.
func (a *API) Name() string { return "amapi" }

// Prefix implements api.API.
func (a *API) Prefix() string { return "/api" }

// Routes implements api.API.
func (a *API) Routes(g *echo.Group) {}

// Admin implements api.API.
func (a *API) Admin(g *echo.Group) {}

// RenderError writes {"message": "..."} as Laravel does for API requests.
func (a *API) RenderError(c echo.Context, err error) {
	status := http.StatusInternalServerError
	var he *echo.HTTPError
	if errors.As(err, &he) {
		status = he.Code
	}
	body, _ := phpjson.Marshal(map[string]string{"message": http.StatusText(status)})
	_ = c.JSONBlob(status, body)
}

// Seed implements api.API.
func (a *API) Seed(tx *state.Tx, sc *scenario.Scenario) error { return nil }

// Load implements api.API.
func (a *API) Load(tx *state.Tx, sc *scenario.Scenario) error { return nil }
