// Package amapi simulates the amapi.ru shop API (Laravel + Sanctum):
// registration, login, tokens, orders, one-click buys and callbacks
// (SPEC §4, api-docs/amapi.txt).
//
// The package is laid out as the other vendor APIs: routes.go is the route
// table and Laravel's routing answers, account.go and orders.go the
// handlers, rules.go the validation rules as data and pure functions,
// token.go Sanctum's token forms, store.go the buckets and tx-scoped
// functions, errors.go the vendor's messages and envelopes.
package amapi

import (
	"fmt"
	"sync/atomic"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/scenario"
	"github.com/mockserver/mockserver/internal/state"
	"golang.org/x/crypto/bcrypt"
)

// API is the amapi simulation.
type API struct {
	deps api.Deps
	// seed is the loaded scenario's seed, which order codes derive from.
	seed atomic.Int64
}

// New returns the amapi simulation.
func New(deps api.Deps) *API { return &API{deps: deps} }

// Name implements api.API.
func (a *API) Name() string { return "amapi" }

// Prefix implements api.API.
func (a *API) Prefix() string { return "/api" }

// Seed writes the scenario's service flags, users and tokens. Passwords are
// hashed at bcrypt's minimum cost so that a reset stays fast; tokens of the
// "<id>|<secret>" form keep their id, the others (Sanctum also accepts a
// token without "|") take the ids after them.
func (a *API) Seed(tx *state.Tx, sc *scenario.Scenario) error {
	s := sc.Amapi.Service
	flags := serviceFlags{Available: s.Available == nil || *s.Available,
		OnlineRegistration: s.OnlineRegistration == nil || *s.OnlineRegistration}
	if err := putFlags(tx, flags); err != nil {
		return err
	}
	type pending struct {
		user  uint64
		token string
	}
	var withID, withoutID []pending
	for _, u := range sc.Amapi.Users {
		hash, err := bcrypt.GenerateFromPassword(bcryptInput(u.Password), bcrypt.MinCost)
		if err != nil {
			return fmt.Errorf("user %s: %w", u.Email, err)
		}
		rec, err := insertUser(tx, u.Name, u.Email, string(hash))
		if err != nil {
			return err
		}
		for _, t := range u.Tokens {
			if ref, _ := ParseToken(t); ref.ID != 0 {
				withID = append(withID, pending{rec.ID, t})
			} else {
				withoutID = append(withoutID, pending{rec.ID, t})
			}
		}
	}
	for _, p := range append(withID, withoutID...) {
		if err := seedToken(tx, p.user, p.token); err != nil {
			return err
		}
	}
	return nil
}

// Load remembers the scenario's seed for order codes; everything else is
// read from the state file per request.
func (a *API) Load(_ *state.Tx, sc *scenario.Scenario) error {
	a.seed.Store(sc.Seed)
	return nil
}

// bcryptInput is what PHP's password_hash and password_verify see of a
// password: its first 72 bytes.
func bcryptInput(password string) []byte {
	b := []byte(password)
	if len(b) > 72 {
		b = b[:72]
	}
	return b
}

// requestBody is the body the server already read (at most 1 MiB).
func requestBody(c echo.Context) []byte {
	b, _ := api.Body(c) // under the server it cannot fail; alone, a failed read is an empty body
	return b
}
