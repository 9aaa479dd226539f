package amapi

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/state"
	"golang.org/x/crypto/bcrypt"
)

// Wire types, keys in the order amapi.txt shows them.
type (
	signedUp struct {
		SignedUp bool   `json:"signedUp"`
		Token    string `json:"token"`
	}
	signedIn struct {
		SignedIn bool   `json:"signedIn"`
		Token    string `json:"token"`
	}
	signedOut struct {
		SignedOut bool `json:"signedOut"`
	}
	passwordChanged struct {
		PasswordChanged bool   `json:"passwordChanged"`
		Token           string `json:"token"`
	}
	testResult struct {
		IsAuthenticated             bool `json:"isAuthenticated"`
		ServiceAvailable            bool `json:"serviceAvailable"`
		OnlineRegistrationAvailable bool `json:"onlineRegistrationAvailable"`
	}
)

// runtimeCost is the bcrypt cost of passwords set through the API
// (Laravel's default rounds); scenario passwords use the minimum.
const runtimeCost = bcrypt.DefaultCost

// bearer is the request's bearer token, "" when there is none.
func bearer(c echo.Context) string {
	t, _ := BearerToken(c.Request().Header.Get(echo.HeaderAuthorization))
	return t
}

// register creates a user and signs it in (POST api/register, 201). The
// password is hashed between the read that validates and the write that
// stores, so bcrypt never holds the write lock; the write checks the email
// again.
func (a *API) register(c echo.Context) error {
	in, derr := DecodeInput(requestBody(c))
	var msgs []string
	err := a.deps.Store.View(func(tx *state.Tx) error {
		flags, err := serviceUp(tx, flagSignedUp)
		if err != nil {
			return err
		}
		if !flags.OnlineRegistration {
			return fail(http.StatusForbidden, flagSignedUp, MsgRegistrationClosed)
		}
		if err := readable(flagSignedUp, derr); err != nil {
			return err
		}
		var lookupErr error
		msgs = Validate(in, RegisterRules, Checks{"email": func(email string) string {
			_, taken, err := userByEmail(tx, email)
			if err != nil {
				lookupErr = err
			}
			if taken {
				return fmt.Sprintf(fmtUnique, "email")
			}
			return ""
		}})
		return lookupErr
	})
	if err != nil {
		return err
	}
	if len(msgs) > 0 {
		return invalid(flagSignedUp, msgs...)
	}
	hash, err := bcrypt.GenerateFromPassword(bcryptInput(in["password"].(string)), runtimeCost)
	if err != nil {
		return err
	}
	name, email := strings.TrimSpace(in["name"].(string)), strings.TrimSpace(in["email"].(string))
	var token string
	err = a.deps.Store.Update(func(tx *state.Tx) error {
		if _, taken, err := userByEmail(tx, email); err != nil || taken {
			if taken {
				return invalid(flagSignedUp, fmt.Sprintf(fmtUnique, "email"))
			}
			return err
		}
		u, err := insertUser(tx, name, email, string(hash))
		if err != nil {
			return err
		}
		token, err = issueToken(tx, u.ID)
		return err
	})
	if err != nil {
		return err
	}
	return respond(c, http.StatusCreated, signedUp{SignedUp: true, Token: token})
}

// login checks the pair and issues a new token (POST api/login, 201).
func (a *API) login(c echo.Context) error {
	in, derr := DecodeInput(requestBody(c))
	var user userRecord
	err := a.deps.Store.View(func(tx *state.Tx) error {
		if _, err := serviceUp(tx, flagSignedIn); err != nil {
			return err
		}
		if err := readable(flagSignedIn, derr); err != nil {
			return err
		}
		if msgs := Validate(in, LoginRules, nil); len(msgs) > 0 {
			return invalid(flagSignedIn, msgs...)
		}
		u, found, err := userByEmail(tx, in["email"].(string))
		if err != nil {
			return err
		}
		if !found || bcrypt.CompareHashAndPassword([]byte(u.Password), bcryptInput(in["password"].(string))) != nil {
			return invalid(flagSignedIn, MsgWrongCredentials)
		}
		user = u
		return nil
	})
	if err != nil {
		return err
	}
	var token string
	err = a.deps.Store.Update(func(tx *state.Tx) error {
		// The password may have changed since it was checked.
		if now, err := userByID(tx, user.ID); err != nil || now.Password != user.Password {
			return invalid(flagSignedIn, MsgWrongCredentials)
		}
		var err error
		token, err = issueToken(tx, user.ID)
		return err
	})
	if err != nil {
		return err
	}
	return respond(c, http.StatusCreated, signedIn{SignedIn: true, Token: token})
}

// serviceUp is the check every endpoint but test makes first: while the
// service is unavailable (scenario or control API) it answers 503 in the
// endpoint's shape.
func serviceUp(tx *state.Tx, flag string) (serviceFlags, error) {
	f, err := getFlags(tx)
	if err == nil && !f.Available {
		err = unavailable(flag)
	}
	return f, err
}

// readable turns a body that could not be decoded into the endpoint's 400.
func readable(flag string, derr error) error {
	if derr != nil {
		return invalid(flag, derr.Error())
	}
	return nil
}

// admit makes the checks of every "requires authentication" endpoint in
// Laravel's order: the token (401, Sanctum's middleware), then the service
// flag (503, the controller).
func admit(tx *state.Tx, token, flag string) (session, error) {
	s, ok, err := authenticate(tx, token)
	if err != nil {
		return session{}, err
	}
	if !ok {
		return session{}, errUnauthenticated()
	}
	_, err = serviceUp(tx, flag)
	return s, err
}

// protected runs fn for an admitted caller in the request's one
// read-write transaction.
func (a *API) protected(c echo.Context, flag string, fn func(tx *state.Tx, s session) error) error {
	token := bearer(c)
	return a.deps.Store.Update(func(tx *state.Tx) error {
		s, err := admit(tx, token, flag)
		if err != nil {
			return err
		}
		return fn(tx, s)
	})
}

// logout revokes every token of the caller (POST api/logout, 200). It reads
// no input, so whatever body comes with it is ignored, as in Laravel.
func (a *API) logout(c echo.Context) error {
	err := a.protected(c, flagSignedOut, func(tx *state.Tx, s session) error {
		return revokeTokens(tx, s.user.ID)
	})
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, signedOut{SignedOut: true})
}

// changePassword sets a new password for the caller, who names their own
// email and current password; every old token is revoked and a new one
// returned (POST api/change-password, 201). As in register, bcrypt runs
// outside the write, which checks again that nothing moved meanwhile.
func (a *API) changePassword(c echo.Context) error {
	const flag = flagPasswordChanged
	in, derr := DecodeInput(requestBody(c))
	token := bearer(c)
	var caller session
	err := a.deps.Store.View(func(tx *state.Tx) error {
		s, err := admit(tx, token, flag)
		if err != nil {
			return err
		}
		if err := readable(flag, derr); err != nil {
			return err
		}
		msgs := Validate(in, ChangePasswordRules, Checks{
			"email": func(email string) string {
				if !strings.EqualFold(email, s.user.Email) {
					return MsgEmailNotCallers
				}
				return ""
			},
			"old_password": func(old string) string {
				if bcrypt.CompareHashAndPassword([]byte(s.user.Password), bcryptInput(old)) != nil {
					return MsgOldPasswordMismatch
				}
				return ""
			},
		})
		if len(msgs) > 0 {
			return invalid(flag, msgs...)
		}
		caller = s
		return nil
	})
	if err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword(bcryptInput(in["password"].(string)), runtimeCost)
	if err != nil {
		return err
	}
	var newToken string
	err = a.protected(c, flag, func(tx *state.Tx, s session) error {
		if s.user.ID != caller.user.ID || s.user.Password != caller.user.Password {
			return invalid(flag, MsgOldPasswordMismatch) // changed by another request meanwhile
		}
		if err := setPassword(tx, s.user, string(hash)); err != nil {
			return err
		}
		if err := revokeTokens(tx, s.user.ID); err != nil {
			return err
		}
		var err error
		newToken, err = issueToken(tx, s.user.ID)
		return err
	})
	if err != nil {
		return err
	}
	return respond(c, http.StatusCreated, passwordChanged{PasswordChanged: true, Token: newToken})
}

// test reports the service flags and whether the optional token is valid
// (GET api/test, 200). A bad token is not an error here: it is just not
// authenticated. It reads in a View and so does not stamp last_used_at:
// clients poll this probe, and a durable write (an fsync) per poll would make
// it some thirty times slower than any other read.
func (a *API) test(c echo.Context) error {
	var out testResult
	read := func(tx *state.Tx) error {
		flags, err := getFlags(tx)
		if err != nil {
			return err
		}
		out.ServiceAvailable, out.OnlineRegistrationAvailable = flags.Available, flags.OnlineRegistration
		if token := bearer(c); token != "" {
			_, out.IsAuthenticated, err = authenticate(tx, token)
		}
		return err
	}
	if err := a.deps.Store.View(read); err != nil {
		return err
	}
	return respond(c, http.StatusOK, out)
}
