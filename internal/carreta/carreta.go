// Package carreta simulates api.carreta.ru (Django): profile, part search
// with signed offers, orders with the order_qty rules, order history.
package carreta

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/pyjson"
	"github.com/mockserver/mockserver/internal/scenario"
	"github.com/mockserver/mockserver/internal/state"
)

// Buckets are carreta's collections in the state file.
var Buckets = []string{"carreta.accounts", "carreta.orders", "carreta.history"}

// API is the carreta simulation.
type API struct{ deps api.Deps }

// New returns the carreta simulation.
func New(deps api.Deps) *API { return &API{deps: deps} }

// Name implements api.API.
func (a *API) Name() string { return "carreta" }

// Prefix implements api.API.
func (a *API) Prefix() string { return "/v1" }

// Routes implements api.API.
func (a *API) Routes(g *echo.Group) {}

// Admin implements api.API.
func (a *API) Admin(g *echo.Group) {}

// RenderError writes {"error": "..."} with Python's separators.
func (a *API) RenderError(c echo.Context, err error) {
	status := http.StatusInternalServerError
	var he *echo.HTTPError
	if errors.As(err, &he) {
		status = he.Code
	}
	body, _ := pyjson.Marshal(map[string]string{"error": http.StatusText(status)})
	_ = c.JSONBlob(status, body)
}

// Seed implements api.API.
func (a *API) Seed(tx *state.Tx, sc *scenario.Scenario) error { return nil }

// Load implements api.API.
func (a *API) Load(tx *state.Tx, sc *scenario.Scenario) error { return nil }
