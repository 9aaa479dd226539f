package server

import (
	"net/http"
	"strings"
	"sync/atomic"
	"unsafe"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/journal"
	"github.com/mockserver/mockserver/internal/redact"
	"github.com/mockserver/mockserver/internal/slotmemo"
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
func (w *World) redact(e *journal.Entry, r *http.Request, owner string, body []byte, ans answer) []byte {
	sec := w.secretsFor(e.API, owner)
	s := &sec.Secrets
	e.Query = sec.redactQuery(e.Query, e.Status >= 200 && e.Status < 400 && e.Fault == "")
	if e.ResponseBody != "" && sec.answerMentions(e.ResponseBody, ans.tap.fixedAnswer()) {
		e.ResponseBody = string(redact.Body([]byte(e.ResponseBody), ans.header.Get(echo.HeaderContentType), s.Answer))
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
	return redact.URL(p, w.secrets.all.Query)
}

// answerMentions reports whether body, an answer, holds any of s's
// Answer secrets' names at all (mentions). fixed says body is a handler's
// fixed bytes (request.Info.Fix), which never change: the last such body
// found to mention none is remembered (s.clean), by its address and
// length, and not searched again. amapi's GET api/test answers one of
// eight fixed bodies, which were searched for "token" on every request
// (issue 16).
func (s *apiSecrets) answerMentions(body string, fixed bool) bool {
	if len(s.Answer) == 0 {
		return false
	}
	if fixed {
		if c := s.clean.Load(); c != nil && c.data == unsafe.StringData(body) && c.len == len(body) {
			return false
		}
	}
	if mentions(body, s.Answer) {
		return true
	}
	if fixed {
		s.clean.Store(&fixedBody{data: unsafe.StringData(body), len: len(body)})
	}
	return false
}

// fixedBody is where a fixed answer's bytes are, and how many.
type fixedBody struct {
	data *byte
	len  int
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
// neither is a vendor or they differ. Both are made once, with the world
// (worldSecrets.collect): an API's Secrets is a value of four slices, and
// every request copied one, or built every API's anew (issue 16).
func (w *World) secretsFor(answered, owner string) *apiSecrets {
	if answered == owner {
		for i := range w.secrets.each {
			if s := &w.secrets.each[i]; s.name == answered {
				return s
			}
		}
	}
	return &w.secrets.all
}

// worldSecrets is the secrets of each of a world's APIs, and of all of
// them together (all: its name is "").
type worldSecrets struct {
	each []apiSecrets
	all  apiSecrets
}

// apiSecrets is one API's secrets (or all APIs'), and the memo of the
// queries they were redacted in.
type apiSecrets struct {
	name string
	api.Secrets
	queries *slotmemo.Memo[string]
	clean   atomic.Pointer[fixedBody] // the last fixed answer that mentions no Answer secret
}

// collect makes ws the secrets of apis.
func (ws *worldSecrets) collect(apis []api.API) {
	ws.each = make([]apiSecrets, len(apis))
	for i, a := range apis {
		s := a.Secrets()
		ws.each[i].name, ws.each[i].Secrets = a.Name(), s
		ws.each[i].queries = slotmemo.New[string](memoQueryMax)
		ws.all.Query = append(ws.all.Query, s.Query...)
		ws.all.Body = append(ws.all.Body, s.Body...)
		ws.all.Answer = append(ws.all.Answer, s.Answer...)
	}
	ws.all.queries = slotmemo.New[string](memoQueryMax)
}

// Each set of secrets (apiSecrets) keeps the last queries that redaction
// changed, with what it made of them (slotmemo): a client polls with the
// same query (carreta's api_key on every request), and redacting it again
// made a new string each time, an allocation a request (issue 16). A
// query's redaction by one set of names never changes, so nothing is
// invalidated. Not held: queries longer than memoQueryMax, queries with no
// secret (they cost no string), and those of a refused request (keep
// false: a 401 for an api_key sent in error) or a faulted one (a fault's
// answer checks no key), so that a credential the API did not accept is
// not held in memory past its request, as before the memo.
const memoQueryMax = 256

// redactQuery is redact.Query(raw, s.Query), from the memo when raw is
// there; keep says a query redaction changed may be held.
func (s *apiSecrets) redactQuery(raw string, keep bool) string {
	if raw == "" || len(s.Query) == 0 {
		return raw
	}
	return s.queries.Get(raw, func(raw string) (string, bool) {
		red := redact.Query(raw, s.Query)
		return red, keep && red != raw
	})
}
