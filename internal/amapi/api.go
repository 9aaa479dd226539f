// Package amapi simulates the amapi.ru shop API (Laravel + Sanctum):
// registration, login, tokens, orders, one-click buys and callbacks
// (SPEC §4, api-docs/amapi.txt).
//
// The package has the floor plan of every vendor package: api.go the API
// value and its hooks, routes.go the route table, account.go and orders.go
// the handlers, wire.go the response types and the encoder, model.go the
// pure rules (Laravel's validation as data, Sanctum's tokens, order codes),
// store.go one function per use case, each in one write transaction, seed.go the
// scenario section, its checks and seeding, admin.go the control routes,
// errors.go the vendor's messages and envelopes; laravel.go holds what
// Laravel's framework answers before a controller runs (CORS, preflight,
// unknown routes and methods).
//
// # Locks
//
// amapi has one synchronised value of its own, API.seed (an atomic); all
// its other state is in the state file, behind bbolt's transactions, and
// every request runs under the server's state gate.
package amapi

import (
	"sync/atomic"

	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/route"
)

// API is the amapi simulation.
type API struct {
	deps  api.Deps
	store store
	table route.Table
	// seed is the loaded scenario's seed, which order codes derive from.
	// Load stores it while the server holds its state gate for writing and
	// order handlers read it under the gate's read side; the atomic keeps it
	// race-free without relying on that gate. It is amapi's only
	// synchronisation of its own: everything else is in the state file,
	// behind bbolt's transactions.
	seed atomic.Int64
}

// New returns the amapi simulation.
func New(deps api.Deps) *API {
	a := &API{deps: deps, store: store{db: deps.Store, cost: deps.PasswordCost, probes: newProbeCache()}}
	a.table = a.routes()
	return a
}

// Name implements api.API.
func (a *API) Name() string { return "amapi" }

// Prefix implements api.API.
func (a *API) Prefix() string { return "/api" }

// Secrets implements api.API.
func (a *API) Secrets() api.Secrets { return secrets }

// secrets are amapi's credentials (amapi.txt): the passwords of
// api/login, api/register and api/change-password. The bearer token travels
// in Authorization only (Sanctum reads no query or body token); it is made
// and answered as "token" by api/register, api/login and
// api/change-password, which the journal's copy of the answer redacts.
var secrets = api.Secrets{Body: []string{"password", "password_confirmation", "old_password"},
	Answer: []string{"token"},
	Hashes: []string{"password", "token"}}
