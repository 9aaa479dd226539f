package saplab

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"strings"
	"weak"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/password"
	"github.com/mockserver/mockserver/internal/request"
	"github.com/mockserver/mockserver/internal/saplab/filter"
	"github.com/mockserver/mockserver/internal/seal"
)

// handler is a panel handler that knows who is calling.
type handler func(c echo.Context, who *employee) error

// guard authenticates the caller and checks that their manager group holds
// perm (SPEC §6: 401 for bad credentials, 403 for a missing permission).
// A GET answered with a kept answer is held (held.go): the same request
// again, before any write or Load, is answered from there.
func (a *API) guard(perm string, h handler) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		creds, ok := basicCredentials(headerValue(r.Header, echo.HeaderAuthorization))
		if !ok {
			return errUnauthorized
		}
		key := heldKey{login: loginKey(creds), uri: r.RequestURI}
		hold := r.Method == http.MethodGet && keepAnswers.Load()
		var at heldAnswer // read only for a request that may be held: it takes viewMu
		if hold {
			if body, ok := a.held.get(key, a.store); ok {
				return writeAnswer(c, body, nil)
			}
			at = a.store.answersAt()
		}
		emp, err := a.authenticate(creds, key.login)
		if err != nil {
			return err
		}
		if !a.store.groupAllows(emp.GroupID, perm) {
			return textErr(http.StatusForbidden, msgForbidden)
		}
		if err := h(c, emp); err != nil || !hold {
			return err
		}
		if info := request.From(c); info != nil && info.Fixed != nil {
			a.held.put(key, info.Fixed, at) // writeAnswer's kept answer, the only Fix of saplab
		}
		return nil
	}
}

// authenticate checks HTTP Basic credentials (login = the employee's phone,
// compared by digits) and returns the employee, the view's own: employees
// are never changed once a view is loaded (a reload builds a new view), so
// it is shared, not copied, and must not be changed. An inactive employee
// cannot log in.
//
// Credentials bcrypt has accepted are remembered by SHA-256 of what the
// client sent (loginKey), with the employee's id and the view they were
// checked against, so a panel request after the first costs the hash and
// two look-ups: no decoding, no search of the employees by phone (issue 16).
// A remembered login counts only while its view is the store's (a reload
// may change phones, passwords or who is active) and its employee active;
// otherwise the credentials are checked again, as the first time.
//
// creds are the credentials as sent (basicCredentials) and key their
// loginKey, which guard has already made.
func (a *API) authenticate(creds string, key [32]byte) (*employee, error) {
	a.loginMu.Lock()
	known, hit := a.logins[key]
	a.loginMu.Unlock()
	if hit {
		if emp := a.store.signedIn(known.id, known.view.Value()); emp != nil {
			return emp, nil
		}
	}
	return a.signIn(creds, key)
}

// signIn checks credentials the login cache does not vouch for: the
// employee whose phone has the login's digits, active, with the password
// bcrypt accepts; and remembers them under key.
func (a *API) signIn(creds string, key [32]byte) (*employee, error) {
	var buf [basicAuthBuf]byte
	login, pw, ok := decodeCredentials(creds, buf[:])
	if !ok {
		return nil, errUnauthorized
	}
	emp, v := a.store.employeeByLogin(filter.Digits(string(login)))
	if emp == nil || !emp.Status {
		// The bcrypt work a wrong password costs a known login, so the
		// answer's time does not tell which logins exist (every employee
		// is seeded, at SeedCost).
		password.NoAccount(pw, password.SeedCost)
		return nil, errUnauthorized
	}
	if !password.Matches([]byte(emp.PasswordHash), pw) {
		return nil, errUnauthorized
	}
	a.loginMu.Lock()
	if len(a.logins) >= maxLogins {
		clear(a.logins)
	}
	a.logins[key] = knownLogin{id: emp.ID, view: weak.Make(v)}
	a.loginMu.Unlock()
	return emp, nil
}

// knownLogin is what the login cache remembers of accepted credentials:
// whose they are, and the view they were checked against. The view is held
// weakly: after a reset or reload an entry must not keep the old view (at
// the 100k scale, its columns) alive until its login comes back; a view
// gone is not the store's, so the entry then simply no longer counts.
type knownLogin struct {
	id   int64
	view weak.Pointer[view]
}

// maxLogins bounds the login cache: the same login written another way
// (its phone with spaces or dashes, another base64 of the same bytes) is
// another key, so a client could add entries, one bcrypt each; past the
// bound the cache starts over (the next request of each login pays bcrypt
// once more).
const maxLogins = 1024

// headerValue is h.Get(key) for a key already in canonical form, without
// canonicalizing it again: the first value or "".
func headerValue(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// basicAuthBuf is how many bytes signIn gives decodeCredentials of its stack,
// for the encoded credentials and the decoded ones together; longer ones
// are decoded on the heap.
const basicAuthBuf = 256

// basicCredentials is the credentials of auth, an Authorization value, as
// the client sent them (base64), when its scheme is Basic: "Basic" in any
// ASCII case and a space, as net/http's Request.BasicAuth accepts it.
// strings.EqualFold of the prefix's six bytes folds only ASCII here: a
// rune that folds to an ASCII letter ("ſ" for "s", the Kelvin sign for
// "k") takes more than one byte, so six bytes holding one are fewer than
// the prefix's six runes and never equal to it.
func basicCredentials(auth string) (string, bool) {
	const prefix = "Basic "
	if len(auth) < len(prefix) || !strings.EqualFold(auth[:len(prefix)], prefix) {
		return "", false
	}
	return auth[len(prefix):], true
}

// decodeCredentials is the login and the password of creds, standard
// base64 of login:password, without the strings Request.BasicAuth makes.
// It works in buf when the credentials fit (the encoded ones copied to its
// end, decoded to its start), so the two slices share buf's memory.
func decodeCredentials(enc string, buf []byte) (login, pw []byte, ok bool) {
	n := base64.StdEncoding.DecodedLen(len(enc))
	if n+len(enc) > len(buf) {
		buf = make([]byte, n+len(enc))
	}
	src := buf[len(buf)-len(enc):]
	copy(src, enc)
	n, err := base64.StdEncoding.Decode(buf[:n], src)
	if err != nil {
		return nil, nil, false
	}
	if login, pw, ok = bytes.Cut(buf[:n], []byte{':'}); !ok {
		return nil, nil, false
	}
	return login, pw, true
}

// loginKey is the login cache's key of credentials as the client sent
// them: their SHA-256 (the cache holds no password).
func loginKey(creds string) [32]byte { return seal.Sum(creds) }

// forgetLogins empties the login cache, and the held answers with it
// (Load also moves the answer cache on, which alone makes them stale).
func (a *API) forgetLogins() {
	a.loginMu.Lock()
	a.logins = map[[32]byte]knownLogin{}
	a.loginMu.Unlock()
	a.held.forget()
}
