package amapi

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/phpjson"
	"github.com/mockserver/mockserver/internal/request"
)

// register creates a user and signs it in (POST api/register, 201).
func (a *API) register(c echo.Context) error {
	in, derr := DecodeInput(requestBody(c))
	token, err := a.store.Register(in, derr)
	if err != nil {
		return err
	}
	return respond(c, http.StatusCreated, signedUp{SignedUp: true, Token: token})
}

// login checks the pair and issues a new token (POST api/login, 201).
func (a *API) login(c echo.Context) error {
	in, derr := DecodeInput(requestBody(c))
	token, err := a.store.Login(in, derr)
	if err != nil {
		return err
	}
	return respond(c, http.StatusCreated, signedIn{SignedIn: true, Token: token})
}

// logout revokes every token of the caller (POST api/logout, 200). It reads
// no input, so whatever body comes with it is ignored, as in Laravel.
func (a *API) logout(c echo.Context) error {
	if err := a.store.Logout(bearer(c)); err != nil {
		return err
	}
	return respond(c, http.StatusOK, signedOut{SignedOut: true})
}

// changePassword sets a new password for the caller and returns a new
// token, every old one revoked (POST api/change-password, 201).
func (a *API) changePassword(c echo.Context) error {
	in, derr := DecodeInput(requestBody(c))
	token, err := a.store.ChangePassword(bearer(c), in, derr)
	if err != nil {
		return err
	}
	return respond(c, http.StatusCreated, passwordChanged{PasswordChanged: true, Token: token})
}

// test reports the service flags and whether the optional token is valid
// (GET api/test, 200). A bad token is not an error here: it is just not
// authenticated.
func (a *API) test(c echo.Context) error {
	flags, authenticated, err := a.store.Probe(bearer(c))
	if err != nil {
		return err
	}
	body := testAnswers[testAnswer(authenticated, flags.Available, flags.OnlineRegistration)]
	request.From(c).Fix(body) // shared, never changed: the journal keeps it uncopied
	writeJSON(c, http.StatusOK, body)
	return nil
}

// testAnswers are GET /api/test's eight answers (testAnswer numbers them),
// encoded once: the probe a client may send before every call otherwise
// encoded three booleans with phpjson on every request, a third of its
// CPU in process (issue 16). They are made at package init, not by a
// sync.OnceValue, whose call copied the whole array of eight slices out
// on every probe.
var testAnswers = func() (out [8][]byte) {
	for i := range out {
		b, err := phpjson.Marshal(testResult{IsAuthenticated: i&4 != 0, ServiceAvailable: i&2 != 0, OnlineRegistrationAvailable: i&1 != 0})
		if err != nil {
			panic(err) // three booleans always encode
		}
		out[i] = b
	}
	return out
}()

// testAnswer is the index in testAnswers of the answer with these flags.
func testAnswer(authenticated, available, online bool) int {
	i := 0
	if authenticated {
		i |= 4
	}
	if available {
		i |= 2
	}
	if online {
		i |= 1
	}
	return i
}
