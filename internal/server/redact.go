package server

import (
	"maps"
	"net/http"
	"slices"
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
func (w *World) redact(e *journal.Entry, r *http.Request, body []byte, answer http.Header) []byte {
	s := w.secretsFor(e.API, w.owner(r.URL.Path))
	e.Query = redact.Query(e.Query, s.Query)
	e.Headers = w.redactURLs(e.Headers)
	if e.ResponseBody != "" && mentions(e.ResponseBody, s.Answer) {
		e.ResponseBody = string(redact.Body([]byte(e.ResponseBody), answer.Get(echo.HeaderContentType), s.Answer))
	}
	if len(body) == 0 || len(s.Body) == 0 {
		return body // what redact.Body returns for them, without its Content-Type
	}
	return redact.Body(body, r.Header.Get(echo.HeaderContentType), s.Body)
}

// redactURLs is h with every API's query secrets replaced in the query of
// every header value that carries one (refererQuery): a browser sends the
// URL of the page it came from as the Referer, and a proxy in front of the
// mock passes the request's own URI on (X-Forwarded-Uri, X-Original-URL),
// and a carreta URL carries its api_key there. The URL may be any API's,
// so it gets all their secrets, as a path no API owns does. Only a value
// with a "?" or "#" is read; Authorization, Proxy-Authorization and Cookie
// are journal.Redact's already. h is the request's map or journal.Redact's
// clone, whose values are the request's: a changed value goes into a
// clone of h and of its values, never into h.
func (w *World) redactURLs(h map[string][]string) map[string][]string {
	var names []string
	var out map[string][]string
	for k, vs := range h {
		var red []string
		for i, v := range vs {
			if !strings.ContainsAny(v, "?#") {
				continue
			}
			if names == nil {
				names = w.secretsFor("", "").Query
			}
			r := refererQuery(v, names)
			if r == v {
				continue
			}
			if red == nil {
				red = slices.Clone(vs)
			}
			red[i] = r
		}
		if red == nil {
			continue
		}
		if out == nil {
			out = maps.Clone(h)
		}
		out[k] = red
	}
	if out == nil {
		return h
	}
	return out
}

// refererQuery is the URL v with names redacted in its query (between the
// first "?" and the fragment's "#") and in its fragment: a client-side
// route's own query ("#/search?api_key=") or the fragment's pairs
// ("#access_token="), which a client that sets the header itself keeps
// (a browser leaves the fragment out). v itself when none is there, with
// no allocation.
func refererQuery(v string, names []string) string {
	i := strings.IndexAny(v, "?#")
	if i < 0 {
		return v
	}
	base, query, frag, hasFrag := v[:i], "", v[i+1:], true
	if v[i] == '?' {
		query, frag, hasFrag = strings.Cut(v[i+1:], "#")
	}
	redQuery := redact.Query(query, names)
	redFrag := frag
	if hasFrag {
		if route, q, ok := strings.Cut(frag, "?"); ok {
			if r := redact.Query(q, names); r != q {
				redFrag = route + "?" + r
			}
		} else {
			redFrag = redact.Query(frag, names)
		}
	}
	if redQuery == query && redFrag == frag {
		return v
	}
	out := base
	if v[i] == '?' {
		out += "?" + redQuery
	}
	if hasFrag {
		out += "#" + redFrag
	}
	return out
}

// redactPath is the decoded path p with every API's query secrets
// replaced after a "?" or "#" in it (refererQuery): a client that escaped
// its "?" (/v1/profile/%3Fapi_key=) sent its key in the path, which the
// journal's entry and the request's log line keep. p itself, with no
// look-up of the secrets, when it has neither.
func (w *World) redactPath(p string) string {
	if !strings.ContainsAny(p, "?#") {
		return p
	}
	return refererQuery(p, w.secretsFor("", "").Query)
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
