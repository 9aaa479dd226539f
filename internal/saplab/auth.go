package saplab

import (
	"crypto/sha256"
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
// compared by digits) and returns a copy of the employee. An inactive
// employee cannot log in.
func (a *API) authenticate(c echo.Context) (*employee, error) {
	login, pw, ok := c.Request().BasicAuth()
	if !ok {
		return nil, errUnauthorized
	}
	digits := filter.Digits(login)
	emp := a.store.employeeByLogin(digits)
	if emp == nil || !emp.Status {
		// The bcrypt work a wrong password costs a known login, so the
		// answer's time does not tell which logins exist (every employee
		// is seeded, at SeedCost).
		password.NoAccount([]byte(pw), password.SeedCost)
		return nil, errUnauthorized
	}
	key := loginKey(digits, pw)
	a.loginMu.Lock()
	id, known := a.logins[key]
	a.loginMu.Unlock()
	if known && id == emp.ID {
		return emp, nil
	}
	if !password.Matches([]byte(emp.PasswordHash), []byte(pw)) {
		return nil, errUnauthorized
	}
	a.loginMu.Lock()
	a.logins[key] = emp.ID
	a.loginMu.Unlock()
	return emp, nil
}

// loginKey is the login cache's key of a login's digits and a password:
// SHA-256 of digits, a NUL and the password (the cache holds no
// password), hashed from a buffer on the stack, not from a string made
// for it on every request (issue 16).
func loginKey(digits, pw string) [32]byte {
	var buf [128]byte
	return sha256.Sum256(append(append(append(buf[:0], digits...), 0), pw...))
}

// forgetLogins empties the login cache.
func (a *API) forgetLogins() {
	a.loginMu.Lock()
	a.logins = map[[32]byte]int64{}
	a.loginMu.Unlock()
}
