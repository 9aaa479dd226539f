package saplab

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/password"
	"github.com/mockserver/mockserver/internal/saplab/filter"
)

// handler is a panel handler that knows who is calling.
type handler func(c echo.Context, who *employee) error

// guard authenticates the caller and checks that their manager group holds
// perm (SPEC §6: 401 for bad credentials, 403 for a missing permission).
func (a *API) guard(perm string, h handler) echo.HandlerFunc {
	return func(c echo.Context) error {
		emp, err := a.authenticate(c)
		if err != nil {
			return err
		}
		if !a.store.groupAllows(emp.GroupID, perm) {
			return textErr(http.StatusForbidden, msgForbidden)
		}
		return h(c, emp)
	}
}

// authenticate checks HTTP Basic credentials (login = the employee's phone,
// compared by digits) and returns the employee, the view's own: employees
// are never changed once a view is loaded (a reload builds a new view), so
// it is shared, not copied, and must not be changed. An inactive employee
// cannot log in.
//
// A login the cache knows costs no allocation (issue 16): the credentials
// are decoded into a buffer on the stack (basicAuth), not into the two
// strings net/http's Request.BasicAuth makes, and the login's digits, the
// cache's key and the look-up are made from them there.
func (a *API) authenticate(c echo.Context) (*employee, error) {
	var buf [basicAuthBuf]byte
	login, pw, ok := basicAuth(c.Request().Header.Get(echo.HeaderAuthorization), buf[:])
	if !ok {
		return nil, errUnauthorized
	}
	digits := filter.Digits(string(login))
	emp := a.store.employeeByLogin(digits)
	if emp == nil || !emp.Status {
		// The bcrypt work a wrong password costs a known login, so the
		// answer's time does not tell which logins exist (every employee
		// is seeded, at SeedCost).
		password.NoAccount(pw, password.SeedCost)
		return nil, errUnauthorized
	}
	key := loginKey(digits, pw)
	a.loginMu.Lock()
	id, known := a.logins[key]
	a.loginMu.Unlock()
	if known && id == emp.ID {
		return emp, nil
	}
	if !password.Matches([]byte(emp.PasswordHash), pw) {
		return nil, errUnauthorized
	}
	a.loginMu.Lock()
	a.logins[key] = emp.ID
	a.loginMu.Unlock()
	return emp, nil
}

// basicAuthBuf is how many bytes basicAuth may use of the caller's stack,
// for the encoded credentials and the decoded ones together; longer ones
// are decoded on the heap.
const basicAuthBuf = 256

// basicAuth is the login and the password of auth, an Authorization value:
// what net/http's Request.BasicAuth accepts and gives ("Basic" in any ASCII
// case and a space, then standard base64 of login:password), without the
// strings it makes. It works in buf when the credentials fit (the encoded
// ones copied to its end, decoded to its start), so the two slices share
// buf's memory.
func basicAuth(auth string, buf []byte) (login, pw []byte, ok bool) {
	const prefix = "Basic "
	if len(auth) < len(prefix) || !asciiEqualFold(auth[:len(prefix)], prefix) {
		return nil, nil, false
	}
	enc := auth[len(prefix):]
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

// asciiEqualFold reports whether a and b are equal with ASCII letters
// compared without regard to case, and nothing else folded: net/http's
// rule for the scheme (strings.EqualFold would also take "ſ" for "s").
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

// lower is c in lower case when it is an ASCII letter, else c.
func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// loginKey is the login cache's key of a login's digits and a password:
// SHA-256 of digits, a NUL and the password (the cache holds no
// password), hashed from a buffer on the stack, not from a string made
// for it on every request (issue 16).
func loginKey(digits string, pw []byte) [32]byte {
	var buf [128]byte
	return sha256.Sum256(append(append(append(buf[:0], digits...), 0), pw...))
}

// forgetLogins empties the login cache.
func (a *API) forgetLogins() {
	a.loginMu.Lock()
	a.logins = map[[32]byte]int64{}
	a.loginMu.Unlock()
}
