package saplab

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/strictjson"
)

// Admin implements api.API: POST /__admin/saplab/orders adds positions as
// the storefront would. Its errors are the control API's
// (api.ControlError), not the panel's.
func (a *API) Admin(g *echo.Group) {
	g.POST("/orders", a.adminCreateOrders)
	g.GET("/clients/:id", a.adminClient)
}

// adminClient is GET /__admin/saplab/clients/{id}: the client as the
// panel's client form shows it (GET /panel/client/form/{id}), with the
// balance, debt, blocked_debt and group the panel works out from the
// positions, for the web console, which reads only the control API. The
// ledger is GET /__admin/state/saplab/transactions?where.client_id={id}.
func (a *API) adminClient(c echo.Context) error {
	id, ok := pathID(c)
	if !ok {
		return api.Controlf(http.StatusNotFound, msgCtlNoClientID, c.Param("id"))
	}
	out, err := a.store.FindClientForm(id)
	var notFound *Error
	if errors.As(err, &notFound) {
		return api.Controlf(http.StatusNotFound, msgCtlNoClientID, c.Param("id"))
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// maxPositions bounds one request, as a storefront basket would be.
const maxPositions = 500

// adminCreateOrders is POST /__admin/saplab/orders: it validates the order
// and adds its positions as the storefront does: the new status, accepted
// automatically (or the status_id given), with that history. It answers 201
// with the positions as GET /panel/order shows them.
func (a *API) adminCreateOrders(c echo.Context) error {
	body, err := api.Body(c)
	if err != nil {
		return api.Controlf(http.StatusBadRequest, msgCtlBody)
	}
	if !utf8.Valid(body) {
		return api.Controlf(http.StatusBadRequest, msgCtlNotUTF8)
	}
	var in newOrders
	if err := strictjson.Decode(body, &in); err != nil {
		return api.Controlf(http.StatusBadRequest, msgCtlNotJSON, err)
	}
	created, err := a.store.InsertOrders(&in)
	if err != nil {
		return err
	}
	return respond(c, http.StatusCreated, struct {
		Orders []any `json:"orders"`
	}{created})
}

// check lists the order's problems against the shop in v (nil when there
// are none).
func (in *newOrders) check(v *view) []string {
	var p []string
	if in.ClientID <= 0 {
		p = append(p, msgCtlClientRequired)
	} else if _, ok := v.clientIndex(in.ClientID); !ok {
		p = append(p, fmt.Sprintf(msgCtlNoClient, in.ClientID))
	}
	if in.ShippingID != nil && *in.ShippingID != 0 && v.shipping[*in.ShippingID] == nil {
		p = append(p, fmt.Sprintf(msgCtlNoShipping, *in.ShippingID))
	}
	if in.StatusID != nil && v.statuses[*in.StatusID] == nil {
		p = append(p, fmt.Sprintf(msgCtlNoStatus, *in.StatusID))
	}
	if len(in.Positions) == 0 {
		p = append(p, msgCtlNoPositions)
	}
	if len(in.Positions) > maxPositions {
		p = append(p, fmt.Sprintf(msgCtlTooManyPosition, maxPositions))
	}
	for i, pos := range in.Positions {
		p = append(p, pos.check(i, v)...)
	}
	return p
}

// check lists the problems of position i: positionFaults worded for the
// control route, where the price is required, then its distributor, in the
// order the body's fields are read.
func (pos *newPosition) check(i int, v *view) []string {
	lo, hi := pos.deliveryTimes()
	faults := positionFaults(positionLine{brand: pos.Brand, article: pos.Article, price: pos.Price.Amount,
		initialPrice: pos.InitialPrice.Amount, quantity: pos.Quantity, deliveryMin: lo, deliveryMax: hi})
	if !pos.Price.set && !slices.Contains(faults, faultPrice) {
		faults = append(faults, faultPrice)
		slices.Sort(faults)
	}
	var p []string
	for _, f := range faults {
		switch f {
		case faultBrand:
			p = append(p, fmt.Sprintf(msgCtlBrand, i))
		case faultArticle:
			p = append(p, fmt.Sprintf(msgCtlArticle, i))
		case faultPrice:
			p = append(p, fmt.Sprintf(msgCtlPrice, i))
		case faultInitialPrice:
			p = append(p, fmt.Sprintf(msgCtlInitialPrice, i))
		case faultQuantity:
			p = append(p, fmt.Sprintf(msgCtlQuantity, i, maxQuantity))
		}
	}
	if pos.DistributorID != 0 && v.distributors[pos.DistributorID] == nil {
		p = append(p, fmt.Sprintf(msgCtlNoDistributor, i, pos.DistributorID))
	}
	if slices.Contains(faults, faultDelivery) {
		p = append(p, fmt.Sprintf(msgCtlDeliveryTimes, i, maxDeliveryDays))
	}
	return p
}

// placement is where the order's positions go: the accepted status (the
// new one when the shop has no accepted status) unless status_id is given,
// and the client's shipping type and, with one, their address, unless the
// order gives its own (an address as given, like a client's).
func (in *newOrders) placement(cl *client, v *view) (statusID, shipping int64, address string) {
	statusID = v.settings.AcceptedStatusID
	if statusID == 0 || v.statuses[statusID] == nil {
		statusID = v.settings.NewStatusID
	}
	if in.StatusID != nil {
		statusID = *in.StatusID
	}
	shipping = cl.ShippingID
	if in.ShippingID != nil {
		shipping = *in.ShippingID
	}
	if shipping != 0 {
		address = cl.Address
	}
	if in.ShippingAddress != nil {
		address = *in.ShippingAddress
	}
	return statusID, shipping, address
}

// deliveryTimes reads either spelling of the delivery times.
func (pos *newPosition) deliveryTimes() (lo, hi int64) {
	return max(pos.DeliveryTimeMin, pos.DelivaryTimeMin), max(pos.DeliveryTimeMax, pos.DelivaryTimeMax)
}

// order is the position as stored, without its status and shipping
// (placement).
func (pos *newPosition) order(id, clientID int64, invoice string, now time.Time) *order {
	lo, hi := pos.deliveryTimes()
	return &order{
		ID: id, ClientID: clientID, Invoice: invoice, Brand: strings.TrimSpace(pos.Brand), Article: strings.TrimSpace(pos.Article),
		Name: strings.TrimSpace(pos.Name), DistributorID: pos.DistributorID, Price: pos.Price.Amount,
		InitialPrice: pos.InitialPrice.Amount, Quantity: pos.Quantity, DeliveryTimeMin: lo, DeliveryTimeMax: hi,
		ClientComment: pos.ClientComment, ManagerComment: pos.ManagerComment, DenyRequest: pos.DenyRequest,
		Created: now, Modified: now,
	}
}
