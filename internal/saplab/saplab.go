// Package saplab simulates the Saplab shop back office (PHP + PostgreSQL):
// employees, shipping types, statuses, client groups, clients, balances and
// order positions.
package saplab

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/phpjson"
	"github.com/mockserver/mockserver/internal/scenario"
	"github.com/mockserver/mockserver/internal/state"
)

// Buckets are saplab's collections in the state file.
var Buckets = []string{"saplab.clients", "saplab.orders", "saplab.transactions", "saplab.settings"}

// API is the saplab simulation.
type API struct{ deps api.Deps }

// New returns the saplab simulation.
func New(deps api.Deps) *API { return &API{deps: deps} }

// Name implements api.API.
func (a *API) Name() string { return "saplab" }

// Prefix implements api.API.
func (a *API) Prefix() string { return "/panel" }

// Routes implements api.API.
func (a *API) Routes(g *echo.Group) {}

// Admin implements api.API.
func (a *API) Admin(g *echo.Group) {}

// RenderError writes {"status":"error","text":"..."} as the panel does.
func (a *API) RenderError(c echo.Context, err error) {
	status := http.StatusInternalServerError
	var he *echo.HTTPError
	if errors.As(err, &he) {
		status = he.Code
	}
	body, _ := phpjson.Marshal(phpjson.Object{{Key: "status", Value: "error"}, {Key: "text", Value: http.StatusText(status)}})
	_ = c.JSONBlob(status, body)
}

// Seed implements api.API.
func (a *API) Seed(tx *state.Tx, sc *scenario.Scenario) error { return nil }

// Load implements api.API.
func (a *API) Load(tx *state.Tx, sc *scenario.Scenario) error { return nil }
