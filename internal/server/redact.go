package server

import (
	"net/http"
	"strings"

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
//
// The answer (its Content-Type answerType) gets the Answer secrets of the
// same APIs: amapi's token. Only an answer that names one is read at all,
// so carreta's and saplab's answers, which carry none, cost a search for
// nothing. The Content-Types are looked up only when a body is read:
// a GET has none to redact, and most answers name no secret (issue 16).
// owner is the API that owns the request's path (World.owner), which
// observe has worked out already: it is not worked out again.
func (w *World) redact(e *journal.Entry, r *http.Request, owner string, body []byte, answer http.Header) []byte {
	s := w.secretsFor(e.API, owner)
	e.Query = redact.Query(e.Query, s.Query)
	if e.ResponseBody != "" && mentions(e.ResponseBody, s.Answer) {
		e.ResponseBody = string(redact.Body([]byte(e.ResponseBody), answer.Get(echo.HeaderContentType), s.Answer))
	}
	if len(body) == 0 || len(s.Body) == 0 {
		return body // what redact.Body returns for them, without its Content-Type
	}
	return redact.Body(body, r.Header.Get(echo.HeaderContentType), s.Body)
}

// redactPath is the decoded path p with every API's query secrets
// replaced after a "?" or "#" in it (redact.URL): a client that escaped
// its "?" (/v1/profile/%3Fapi_key=) sent its key in the path, which the
// journal's entry and the request's log line keep. p itself, with no
// look-up of the secrets, when it has neither.
func (w *World) redactPath(p string) string {
	if !redact.HasQueryOrFragment(p) {
		return p
	}
	return redact.URL(p, w.querySecrets)
}

// mentions reports whether body holds any of names at all: a quick test
// before the answer is read for them.
func mentions(body string, names []string) bool {
	for _, n := range names {
		if strings.Contains(body, n) {
			return true
		}
	}
	return false
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
		all.Answer = append(all.Answer, s.Answer...)
	}
	return all
}
