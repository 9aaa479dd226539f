package carreta

import (
	"net/http"
	"net/netip"
	"strings"

	"github.com/labstack/echo/v4"
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
	acc, ok := v.accounts[keyHash(key)]
	if !ok || !acc.allows(clientIP(r, a.deps.TrustProxy)) {
		return nil, errUnauthorized
	}
	return acc, nil
}

// profile is GET profile/: the body was encoded at Load.
func (a *API) profile(c echo.Context) error {
	acc, err := a.authenticate(c, a.view)
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, acc.profile)
	return nil
}
