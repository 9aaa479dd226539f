// Package carreta simulates api.carreta.ru (Django): profile, part search
// with signed offers, orders with the order_qty rules, order history.
//
// The files are those of every vendor package: api.go the API value,
// routes.go the route table, account.go, search.go and orders.go the
// handlers, wire.go the wire types, the request readers (pathID, queryValue,
// the order decoder) and the encoder, model.go the rules as pure functions
// (lifecycle.go those of the status table and the automatic moves),
// store.go the stored records and one function per use case, seed.go the
// scenario section (its checks, Seed and Load), admin.go the
// /__admin/carreta routes, errors.go the messages and the error envelope.
// Beside them: appendslash.go is Django's APPEND_SLASH redirect, view.go
// the in-memory view the hot paths read, index.go the order list's indexes
// in the state file and its comment columns, orderlist.go a page of the
// list written from the state file (storedorder.go each order from its
// stored bytes, ordercache.go the view's cache of orders written),
// sign.go the offer signatures and sources, generate.go the made-up
// offers.
//
// # Locks
//
// carreta has four locks of its own, uses a fifth through its view's
// lifecycle.Queue, and relies on one of the server's:
//
//   - columns.mu (sync.RWMutex, index.go) guards the comment columns of
//     the order list's client_comment filter: a filtered list reads its
//     account's column inside its read transaction, extending it from the
//     list index first (write lock) when it is behind. Writes never take
//     it: the list index itself is written in the order's transaction.
//   - view.pages's mutex (answercache.Cache, a leaf) guards the kept
//     order-list answers; order writes bump its atomic version after
//     committing.
//   - genCache.mu (sync.RWMutex, view.go) guards genCache.m, the encoded answers of
//     generated searches, filled by whichever search asks first.
//   - orderCache.mu (sync.Mutex, ordercache.go) guards a view's cache of
//     the orders the list wrote lately; a made page takes it inside its
//     read transaction, once to look its orders up and once to keep those
//     it wrote. A leaf: writes never take it (an entry is used only for
//     the very record bytes it was made from).
//   - lifecycle.Queue.mu (sync.Mutex, in the lifecycle package) guards the
//     view's queue of orders with an automatic move to make: a catch-up
//     takes from it inside its write transaction, createOrder and the
//     control API's status move change it after their commits. It is a
//     leaf; reads test the queue with an atomic load, without it.
//   - API.view itself has no lock: Load replaces it while the server holds
//     its state gate for writing (every vendor request, and every request
//     to carreta's own control routes, holds it for reading), so a request
//     sees one view from start to end. Everything else in a view
//     (accounts, catalog, the signer's pinned signatures and sources, the
//     status table and lifecycle) is written only while Load builds it and
//     read-only once published.
package carreta

import (
	"github.com/mockserver/mockserver/internal/api"
)

// API is the carreta simulation. Its hooks into the server: Routes
// (routes.go), Admin (admin.go), RenderError (errors.go), Seed and Load
// (seed.go), CatchUp (orders.go).
type API struct {
	deps  api.Deps
	store store
	// view is replaced by Load while the server holds vendor requests off
	// (the state gate), and read by every request.
	view *view
	// held is the answers held by URI (held.go), which lock themselves.
	held heldAnswers
}

// New returns the carreta simulation.
func New(deps api.Deps) *API { return &API{deps: deps, store: store{db: deps.Store}} }

// Name implements api.API.
func (a *API) Name() string { return "carreta" }

// Prefix implements api.API.
func (a *API) Prefix() string { return "/v1" }

// Secrets implements api.API.
func (a *API) Secrets() api.Secrets { return secrets }

// secrets are carreta's credentials (carreta.txt): the api_key of every
// request's query string. The API reads it nowhere else, but a client that
// also puts it in a JSON body has still sent its key. No answer carries it
// (the profile answers balance, city, email, name and phone), so answers
// have no secrets.
var secrets = api.Secrets{Query: []string{"api_key"}, Body: []string{"api_key"}, Hashes: []string{"api_key_sha256"}}
