// Package saplab simulates the Saplab shop back office (PHP + PostgreSQL):
// employees, shipping types, statuses, client groups, clients, balances and
// order positions, under /panel (SPEC §6, api-docs/saplab.txt).
//
// Layout, the same in every vendor package: api.go is the API value and
// where the server's hooks land; routes.go the route table and the
// permission of each route; one file per resource holds its handlers
// (auth.go, managers.go, settings.go, clients.go, balance.go, orders.go),
// which read the request (fields.go), call a use case of store.go and
// answer through wire.go; model.go holds the rules as pure functions
// (lifecycle.go those of the automatic status moves, SPEC §12);
// store.go the store: the view and the row cache with their locks, the
// buckets, the stored records and one exported method per use case, each
// opening one transaction; view.go the in-memory columns the list filters scan and
// rowcache.go the rows kept between writes; seed.go the scenario section,
// its checks, Seed and Load, with generate.go for generated rows; admin.go
// the control route; errors.go every message and the error envelope. The
// form decoder and the path filter parser are packages of their own
// (phpform, filter).
//
// Locks: the mutexes below, described at their fields.
//   - store.writeMu keeps apart the writes that must not share a group
//     commit's batch (held shared by most writes, exclusively by client
//     and reference-table writes, from before the write joins the group
//     commit until its view changes are published);
//   - store.viewMu guards the view: readers hold it shared for their whole
//     read, a committed write's publish (run by the batch's leader after
//     the fsync) exclusively only to apply its changes, so readers never
//     wait for a commit's fsync;
//   - store.rowsMu guards the row cache (store.rows); the answer cache
//     (store.answers, answers.go, an answercache.Cache) has a lock of its
//     own, a leaf, and its version moves only under viewMu held
//     exclusively;
//   - API.loginMu guards the login cache (API.logins); the held answers
//     (API.held, held.go, an answercache.Cache) lock themselves;
//   - textIndex.mu guards a client text column's trigram index and kept
//     matches, spanMemo.mu the kept date-range summaries, dict.once a
//     position text dictionary's map, made on first use after a start
//     from the stored view (textindex.go, drivers.go, view.go): leaves,
//     taken only under viewMu (or on a view not yet published).
//
// SaveView (viewstore.go) holds writeMu exclusively, viewMu shared only
// while it encodes the view, then writes it in a transaction of its own.
//
// writeMu comes before the group commit, bbolt's writer lock and viewMu;
// rowsMu, textIndex.mu and spanMemo.mu are only taken while viewMu is held
// (shared or exclusive); loginMu and the held answers' lock
// are never held together with another lock. Nothing else in the package
// locks: the view is changed only under viewMu held exclusively, in a
// publish (which the group commit runs before any later batch, so a
// write's function reads the view without a lock) or in Load. The view's
// lifecycle.Queue (positions with an automatic move to make) has its own
// leaf mutex in the lifecycle package, taken inside writes (under writeMu
// and bbolt's writer lock) and in publish, and read by reads with an
// atomic load.
package saplab

import (
	"sync"

	"github.com/mockserver/mockserver/internal/api"
)

// API is the saplab simulation. Its hooks into the server: Routes
// (routes.go), Admin (admin.go), RenderError (errors.go), Seed and Load
// (seed.go), CatchUp (orders.go).
type API struct {
	deps api.Deps
	// store runs the use cases; it owns the view, the row cache and their
	// locks (store.go).
	store *store

	// loginMu guards logins: SHA-256 of the credentials bcrypt has already
	// accepted, as the client sent them, with the employee id and the view
	// they were checked against, so that only the first request of an
	// employee pays for bcrypt (auth.go). An entry counts only while its
	// view is the store's; Load clears it (the passwords may have changed).
	loginMu sync.Mutex
	logins  map[[32]byte]knownLogin

	// held is the answers held by caller and URI (held.go), which lock
	// themselves (a leaf).
	held heldAnswers
}

// New returns the saplab simulation.
func New(deps api.Deps) *API {
	return &API{deps: deps, store: newStore(deps), logins: map[[32]byte]knownLogin{}}
}

// Name implements api.API.
func (a *API) Name() string { return "saplab" }

// Prefix implements api.API.
func (a *API) Prefix() string { return "/panel" }

// Secrets implements api.API.
func (a *API) Secrets() api.Secrets { return secrets }

// secrets are saplab's credentials (saplab.txt): the client form's
// password field (POST /panel/client/form). The employee's own password
// travels in HTTP Basic Authorization only. No answer carries a password
// (GET /panel/client/form/{id} leaves it out), so answers have no secrets.
var secrets = api.Secrets{Body: []string{"password"}, Hashes: []string{"password_hash"}}
