package amapi

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// order handles POST api/create-order, api/buy-click and api/callback:
// validate, store the request as sent with a new code, answer the code
// (201).
func (a *API) order(kind orderKind) echo.HandlerFunc {
	return func(c echo.Context) error {
		body := requestBody(c)
		in, derr := DecodeInput(body)
		code, err := a.store.PlaceOrder(bearer(c), kind, a.seed.Load(), body, in, derr)
		if err != nil {
			return err
		}
		return respond(c, http.StatusCreated, orderCreated{OrderCreated: true, OrderCode: code})
	}
}
