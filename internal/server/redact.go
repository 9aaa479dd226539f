package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/journal"
	"github.com/mockserver/mockserver/internal/redact"
)

// redact replaces the credentials in a journal entry before it is added,
// so the journal never holds them (issue 14): the owner API's secrets
// (api.API.Secrets) in the entry's query string, and in body, which it
// returns redacted (body itself when nothing is), besides the headers
// journal.Redact already covered. A path no API owns, and another API's
// path on a per-API listener, get every API's secrets: a client that sent
// a credential to the wrong place has still sent it. The body is redacted
// as bytes, before the entry's one copy of it is made: a worst-case load
// (64 KiB bodies) paid three copies per request when the string was
// redacted.
func (w *World) redact(e *journal.Entry, r *http.Request, body []byte) []byte {
	s := w.secretsFor(e.API, w.owner(r.URL.Path))
	e.Query = redact.Query(e.Query, s.Query)
	return redact.Body(body, r.Header.Get(echo.HeaderContentType), s.Body)
}

// secretsFor is the secrets of the API that answered and of the one that
// owns the path: one API's when they are the same, every API's when
// neither is a vendor or they differ.
func (w *World) secretsFor(answered, owner string) api.Secrets {
	if a, ok := w.byName[answered]; ok && answered == owner {
		return a.Secrets()
	}
	var all api.Secrets
	for _, a := range w.apis {
		s := a.Secrets()
		all.Query = append(all.Query, s.Query...)
		all.Body = append(all.Body, s.Body...)
	}
	return all
}
