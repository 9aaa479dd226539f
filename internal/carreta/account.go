package carreta

import (
	"hash/maphash"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/request"
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
	sum, remembered := keySums.lookup(key)
	if !remembered {
		sum = keyHash(key)
	}
	acc, ok := v.accounts[sum]
	if !ok || len(acc.allowed) > 0 && !acc.allows(clientIP(r, a.deps.TrustProxy)) {
		return nil, errUnauthorized // the address is read only for an allowlist
	}
	if !remembered {
		keySums.keep(key, sum) // an account's key: one sent in error is not held past its request
	}
	return acc, nil
}

// keySums is the process's memo of api keys' SHA-256 (keyHash).
var keySums = keyMemo{seed: maphash.MakeSeed()}

// keyMemo keeps the SHA-256 of the api keys of accounts that requests
// came with lately, in a few slots picked by a hash of the key: a client
// sends the same key on every request, and hashing it was 5% of carreta's
// small read in process (issue 16). A key's hash never changes, so
// nothing is ever invalidated: a key whose account is gone or changed is
// looked up in the view as before. Only a key that named an account is
// kept (authenticate): a key a client sent in error (a real one of
// another system, say) is hashed, refused and not held in memory past its
// request, as before the memo; nor can a flood of wrong keys evict the
// good ones. Keys longer than memoKeyMax are hashed every time, not held.
type keyMemo struct {
	seed  maphash.Seed
	slots [memoSlots]atomic.Pointer[keySum]
}

// The memo's slots, and the longest key it holds.
const memoSlots, memoKeyMax = 16, 128

// keySum is one key and its hash, never changed once stored.
type keySum struct {
	key string
	sum [32]byte
}

// lookup is keyHash(key) when the memo holds key.
func (m *keyMemo) lookup(key string) ([32]byte, bool) {
	if len(key) > memoKeyMax {
		return [32]byte{}, false
	}
	if ks := m.slot(key).Load(); ks != nil && ks.key == key {
		return ks.sum, true
	}
	return [32]byte{}, false
}

// keep remembers sum, keyHash(key), in key's slot.
func (m *keyMemo) keep(key string, sum [32]byte) {
	if len(key) <= memoKeyMax {
		m.slot(key).Store(&keySum{key: strings.Clone(key), sum: sum}) // not the request's query's memory
	}
}

// slot is key's slot.
func (m *keyMemo) slot(key string) *atomic.Pointer[keySum] {
	return &m.slots[maphash.String(m.seed, key)%memoSlots]
}

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
