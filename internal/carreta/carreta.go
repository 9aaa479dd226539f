// Package carreta simulates api.carreta.ru (Django): profile, part search
// with signed offers, orders with the order_qty rules, order history.
//
// The layout: routes.go is the route table, handlers.go speaks the wire
// (auth, query, bodies), model.go holds the rules as pure functions, wire.go
// the wire types and the order decoder, store.go the stored records and the
// transaction-scoped functions, view.go the in-memory views the hot paths
// read, sign.go the offer signatures, generate.go the made-up offers.
package carreta

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/scenario"
	"github.com/mockserver/mockserver/internal/state"
)

// API is the carreta simulation.
type API struct {
	deps api.Deps
	// view is replaced by Load while the server holds vendor requests off
	// (the state gate), and read by every request.
	view *view
}

// New returns the carreta simulation.
func New(deps api.Deps) *API { return &API{deps: deps} }

// Name implements api.API.
func (a *API) Name() string { return "carreta" }

// Prefix implements api.API.
func (a *API) Prefix() string { return "/v1" }

// RenderError writes {"error": "..."} with Python's separators; the 401 body
// is the document's, byte for byte.
func (a *API) RenderError(c echo.Context, err error) {
	e := toError(c, err)
	if e.Status >= http.StatusInternalServerError && a.deps.Log != nil {
		a.deps.Log.Error("carreta: internal error", "path", c.Request().URL.Path, "err", err)
	}
	body := unauthorizedBody
	if e.Status != http.StatusUnauthorized {
		body = mustMarshal(map[string]string{"error": e.Message})
	}
	writeJSON(c, e.Status, body)
}

// Seed implements api.API.
func (a *API) Seed(tx *state.Tx, sc *scenario.Scenario) error {
	return seed(tx, &sc.Carreta)
}

// Load implements api.API: it rebuilds the in-memory view from what is
// stored and the scenario's catalog.
func (a *API) Load(tx *state.Tx, sc *scenario.Scenario) error {
	v, err := buildView(tx, sc)
	if err != nil {
		return err
	}
	a.view = v
	return nil
}
