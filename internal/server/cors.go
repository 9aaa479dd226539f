package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// corsPolicy is what --cors allows: any origin ("*") or the listed ones. A
// nil policy adds nothing, and amapi keeps its own Laravel-like CORS (a
// preflight answered as fruitcake/php-cors does), as the real service has.
type corsPolicy struct {
	any     bool
	origins map[string]bool
}

// parseCORS reads --cors: "" (off), "*", or a comma list of origins
// (scheme://host[:port], as a browser sends Origin).
func parseCORS(s string) (*corsPolicy, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if s == "*" {
		return &corsPolicy{any: true}, nil
	}
	p := &corsPolicy{origins: map[string]bool{}}
	for _, o := range strings.Split(s, ",") {
		o = strings.TrimSpace(o)
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" || u.RawQuery != "" {
			return nil, fmt.Errorf("--cors takes * or origins like http://localhost:3000, comma-separated; got %q", o)
		}
		p.origins[o] = true
	}
	return p, nil
}

// corsMethods are the methods a preflight is told it may use: every one
// the three APIs and /__admin answer.
const corsMethods = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"

// wrap adds the policy to h: a request from an allowed origin gets
// Access-Control-Allow-Origin (and Expose-Headers, so a page reads the
// vendors' own headers), and its preflight is answered 204 here, before
// faults and the journal: a preflight is the browser's, not the client's
// under test. Other requests pass unchanged.
func (p *corsPolicy) wrap(h http.Handler) http.Handler {
	if p == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" || !(p.any || p.origins[origin]) {
			h.ServeHTTP(w, r)
			return
		}
		hd := w.Header()
		if p.any {
			hd.Set("Access-Control-Allow-Origin", "*")
		} else {
			hd.Set("Access-Control-Allow-Origin", origin)
			hd.Add("Vary", "Origin")
		}
		hd.Set("Access-Control-Expose-Headers", "*")
		if r.Method != http.MethodOptions || r.Header.Get("Access-Control-Request-Method") == "" {
			h.ServeHTTP(w, r)
			return
		}
		hd.Set("Access-Control-Allow-Methods", corsMethods)
		if want := r.Header.Get("Access-Control-Request-Headers"); want != "" {
			hd.Set("Access-Control-Allow-Headers", want) // Authorization included: the admin token, amapi's bearer
		}
		hd.Set("Access-Control-Max-Age", "600")
		w.WriteHeader(http.StatusNoContent)
	})
}
