package carreta

import (
	"net/http"
	"net/netip"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/request"
	"github.com/mockserver/mockserver/internal/slotmemo"
)

// clientIP is the TCP peer, or with --trust-proxy the first address of
// X-Forwarded-For (the client as the first proxy saw it). ok is false when
// the address cannot be read, which no allowlist matches.
func clientIP(r *http.Request, trustProxy bool) (netip.Addr, bool) {
	if trustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			first, _, _ := strings.Cut(xff, ",")
			first = strings.TrimSpace(first)
			ip, err := netip.ParseAddr(first)
			if err != nil { // some proxies append the port: "10.0.0.1:5123"
				ap, perr := netip.ParseAddrPort(first)
				ip, err = ap.Addr(), perr
			}
			return ip.Unmap().WithZone(""), err == nil
		}
	}
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}, false
	}
	return ap.Addr().Unmap().WithZone(""), true
}

// authenticate finds the account of ?api_key= and checks its IP allowlist.
// Every failure is the same 401, as the document shows: a client learns
// nothing about which part was wrong.
func (a *API) authenticate(c echo.Context, v *view) (*account, error) {
	r := c.Request()
	key := queryValue(r.URL.RawQuery, "api_key")
	if key == "" {
		return nil, errUnauthorized
	}
	sum, remembered := keySums.Lookup(key)
	if !remembered {
		sum = keyHash(key)
	}
	acc, ok := v.accounts[sum]
	if !ok || len(acc.allowed) > 0 && !acc.allows(clientIP(r, a.deps.TrustProxy)) {
		return nil, errUnauthorized // the address is read only for an allowlist
	}
	if !remembered {
		keySums.Keep(key, sum) // an account's key: one sent in error is not held past its request
	}
	return acc, nil
}

// keySums is the process's memo of the api keys' SHA-256 (keyHash) of
// accounts: a client sends the same key on every request, and hashing it
// was 5% of carreta's small read in process (issue 16). A key's hash never
// changes, so nothing is invalidated: a key whose account is gone or
// changed is looked up in the view as before. Only a key that named an
// account is kept (authenticate): a key a client sent in error (a real one
// of another system, say) is hashed, refused and not held in memory past
// its request, as before the memo; nor can a flood of wrong keys evict the
// good ones. Keys longer than 128 bytes are hashed every time.
var keySums = slotmemo.New[[32]byte](128)

// profile is GET profile/: the body was encoded at Load.
func (a *API) profile(c echo.Context) error {
	acc, err := a.authenticate(c, a.view)
	if err != nil {
		return err
	}
	request.From(c).Fix(acc.profile) // encoded once per view, never changed: the journal keeps it uncopied
	writeJSON(c, http.StatusOK, acc.profile)
	return nil
}
