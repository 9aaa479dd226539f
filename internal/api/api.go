// Package api is the contract between the server and each simulated vendor
// API (amapi, carreta, saplab): what an API package must provide for the
// server to mount it, seed it, render its errors and steer it.
package api

import (
	"io"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/request"
	"github.com/mockserver/mockserver/internal/state"
)

// API is one simulated vendor API.
type API interface {
	// Name is the API's short name: "amapi", "carreta", "saplab". It names
	// the API in the journal, in fault rules and under /__admin.
	Name() string
	// Prefix is the path prefix the API owns on the shared listener
	// ("/api", "/v1", "/panel"). Prefixes never overlap.
	Prefix() string
	// Routes registers the vendor routes on the group for Prefix.
	Routes(g *echo.Group)
	// Admin registers API-specific control routes on /__admin/<Name>.
	Admin(g *echo.Group)
	// Secrets names the API's credentials as its requests carry them: the
	// journal records each request with these values replaced
	// (internal/redact), besides the Authorization, Proxy-Authorization and
	// Cookie headers of every API, and its answer with the Answer fields
	// replaced. The list follows the vendor's document.
	Secrets() Secrets
	// RenderError writes err in the vendor's own error envelope. It is
	// called for every error under Prefix: handler errors, unknown routes
	// (echo 404/405), bodies over the limit (413) and recovered panics.
	RenderError(c echo.Context, err error)
}

// Each API also has Seed and Load methods taking its own scenario section
// (amapi.Section, ...) and the scenario's seed, which the server calls by
// name; they are not in the interface because each takes its own section
// type. The signatures are the same in every package, an unused argument
// named _:
//
//   - Seed(tx *state.Tx, sec *Section, seed int64) error writes the section
//     into the API's buckets, which the reset has just emptied. It runs
//     inside the one transaction that replaces the whole state, so an
//     error leaves the old state untouched.
//   - Load(tx *state.Tx, sec *Section, seed int64) error runs after every
//     seed and at start-up on a kept file, in a read transaction, so the API
//     can rebuild in-memory views (indexes, caches, the scenario's knobs)
//     from what is stored.

// Secrets is a declarative list of an API's secret names.
type Secrets struct {
	// Query names query parameters (carreta's api_key).
	Query []string
	// Body names fields of JSON, url-encoded and multipart bodies, at any
	// depth of a JSON body (amapi's password fields, saplab's client
	// password).
	Body []string
	// Answer names fields of the API's JSON answers, at any depth, that
	// carry a credential (amapi's bearer token on register, login and
	// change-password): the journal keeps answers with them replaced.
	Answer []string
	// Hashes names the fields of the API's stored records that hold a
	// credential's hash (bcrypt of a password, SHA-256 of a token or key):
	// GET /__admin/state leaves them out of every record it shows.
	Hashes []string
}

// Deps is what the server hands every API.
type Deps struct {
	Store *state.Store
	Clock *clock.Clock
	Log   *slog.Logger
	// TrustProxy makes the client IP the first X-Forwarded-For address
	// instead of the TCP peer (carreta's allowlist).
	TrustProxy bool
	// PasswordCost is the bcrypt cost of passwords set at run time
	// (registration, password changes); 0 means bcrypt.DefaultCost, the
	// vendors' own. Tests lower it: at the default, hashing is most of the
	// suite's time. Seeded passwords always use bcrypt.MinCost.
	PasswordCost int
}

// Body returns the request body. Under the server it is the bytes the server
// already read for the body limit and the journal (request.Info.Body), so no
// handler copies the body a second time; the journal records the same
// slice, so callers must not change it. Without the server's middleware (a
// handler tested alone) it reads the body itself.
func Body(c echo.Context) ([]byte, error) {
	if i := request.From(c); i != nil {
		return i.Body, nil
	}
	r := c.Request()
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	return io.ReadAll(r.Body)
}

// WriteJSON writes body, already encoded, as a JSON answer: what echo's
// JSONBlob writes (application/json unless a Content-Type is already set,
// the status, the body), but with one shared value for the Content-Type
// and its key not canonicalized again: JSONBlob's Header.Set made a slice
// a request, a fifth of a kept answer's own cost (issue 16). The length is
// left to net/http (a Content-Length up to its 2 KB buffer, chunked past
// it). A write error is the client's leaving.
func WriteJSON(c echo.Context, status int, body []byte) {
	w := c.Response()
	if h := w.Header(); len(h[echo.HeaderContentType]) == 0 || h[echo.HeaderContentType][0] == "" {
		h[echo.HeaderContentType] = jsonType
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// jsonType is the Content-Type WriteJSON sets, shared by every answer. Its
// capacity is 1, so an Add to a header holding it copies it rather than
// writing into it; nothing else writes a header's values in place
// (net/http, echo and the fault injector set or copy them whole).
var jsonType = []string{echo.MIMEApplicationJSON}[:1:1]
