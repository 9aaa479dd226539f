package amapi

import (
	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/phpjson"
)

// Response bodies, keys in the order amapi.txt shows them. Requests are
// read as Input (model.go): amapi keeps each request exactly as sent.
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
	// orderCreated is the 201 body of create-order, buy-click and callback.
	orderCreated struct {
		OrderCreated bool   `json:"OrderCreated"`
		OrderCode    string `json:"OrderCode"`
	}
)

// The control API's bodies (/__admin/amapi/service), in its plain JSON.
type (
	// serviceView is what GET and POST answer: every flag.
	serviceView struct {
		Available          bool `json:"available"`
		OnlineRegistration bool `json:"online_registration"`
	}
	// serviceChange is a POST body: the flags to set, others left as they are.
	serviceChange struct {
		Available          *bool `json:"available"`
		OnlineRegistration *bool `json:"online_registration"`
	}
)

// requestBody is the body the server already read (at most 1 MiB).
func requestBody(c echo.Context) []byte {
	b, _ := api.Body(c) // under the server it cannot fail; alone, a failed read is an empty body
	return b
}

// bearer is the request's bearer token, "" when there is none.
func bearer(c echo.Context) string {
	t, _ := BearerToken(c.Request().Header.Get(echo.HeaderAuthorization))
	return t
}

// writeJSON writes an encoded JSON body (api.WriteJSON: echo's Blob with
// a shared Content-Type).
func writeJSON(c echo.Context, status int, body []byte) { api.WriteJSON(c, status, body) }

// respond writes v (a wire type) as PHP's json_encode would.
func respond(c echo.Context, status int, v any) error {
	b, err := phpjson.Marshal(v)
	if err != nil {
		return err
	}
	writeJSON(c, status, b)
	return nil
}
