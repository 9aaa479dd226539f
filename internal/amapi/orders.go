package amapi

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/state"
)

// orderKind is one of the three ways to ask the shop for something; all of
// them answer the same way and are stored together.
type orderKind struct {
	name  string
	rules []Field
}

var (
	createOrder = orderKind{"create-order", CreateOrderRules}
	buyClick    = orderKind{"buy-click", BuyClickRules}
	callback    = orderKind{"callback", CallbackRules}
)

// orderCreated is the 201 body of all three (amapi.txt).
type orderCreated struct {
	OrderCreated bool   `json:"OrderCreated"`
	OrderCode    string `json:"OrderCode"`
}

// order handles POST api/create-order, api/buy-click and api/callback:
// validate, store the request as sent with a new code, answer the code.
func (a *API) order(kind orderKind) echo.HandlerFunc {
	return func(c echo.Context) error {
		body := requestBody(c)
		in, derr := DecodeInput(body)
		var code string
		err := a.protected(c, flagOrderCreated, func(tx *state.Tx, s session) error {
			if err := readable(flagOrderCreated, derr); err != nil {
				return err
			}
			if msgs := Validate(in, kind.rules, nil); len(msgs) > 0 {
				return invalid(flagOrderCreated, msgs...)
			}
			o, err := insertOrder(tx, a.seed.Load(), kind.name, s, body)
			code = o.Code
			return err
		})
		if err != nil {
			return err
		}
		return respond(c, http.StatusCreated, orderCreated{OrderCreated: true, OrderCode: code})
	}
}
