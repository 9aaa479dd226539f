package saplab

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/money"
	"github.com/mockserver/mockserver/internal/phpjson"
	"github.com/mockserver/mockserver/internal/state"
)

// newOrders is the body of POST /__admin/saplab/orders: one storefront
// order of one client, with its positions. The storefront that creates
// orders is outside the panel's API (SPEC §6), so this is how demos and
// tests add them.
type newOrders struct {
	ClientID        int64         `json:"client_id"`
	Invoice         string        `json:"invoice"`
	ShippingID      *int64        `json:"shipping_id"`
	ShippingAddress *string       `json:"shipping_address"`
	StatusID        *int64        `json:"status_id"`
	Positions       []newPosition `json:"positions"`
}

type newPosition struct {
	Brand           string     `json:"brand"`
	Article         string     `json:"article"`
	Name            string     `json:"name"`
	DistributorID   int64      `json:"distributor_id"`
	Price           jsonAmount `json:"price"`
	InitialPrice    jsonAmount `json:"initial_price"`
	Quantity        int64      `json:"quantity"`
	DeliveryTimeMin int64      `json:"deliverytime_min"`
	DeliveryTimeMax int64      `json:"deliverytime_max"`
	// The document's table spells it "delivarytime"; both are read.
	DelivaryTimeMin int64  `json:"delivarytime_min"`
	DelivaryTimeMax int64  `json:"delivarytime_max"`
	ClientComment   string `json:"client_comment"`
	ManagerComment  string `json:"manager_comment"`
	DenyRequest     bool   `json:"deny_request"`
}

// jsonAmount reads money given as "236.69" or 236.69.
type jsonAmount struct {
	money.Amount
	set bool
}

func (j *jsonAmount) UnmarshalJSON(b []byte) error {
	s := string(bytes.Trim(b, `"`))
	a, err := money.Parse(s)
	if err != nil {
		return fmt.Errorf("%s is not an amount like \"236.69\" (%v)", b, err)
	}
	j.Amount, j.set = a, true
	return nil
}

// maxPositions bounds one request, as a storefront basket would be.
const maxPositions = 500

func (in *newOrders) check(v *view) []string {
	var p []string
	if in.ClientID <= 0 {
		p = append(p, "client_id is required")
	} else if _, ok := v.clientIndex(in.ClientID); !ok {
		p = append(p, fmt.Sprintf("client_id: client %d does not exist", in.ClientID))
	}
	if in.ShippingID != nil && *in.ShippingID != 0 && v.shipping[*in.ShippingID] == nil {
		p = append(p, fmt.Sprintf("shipping_id: shipping type %d does not exist", *in.ShippingID))
	}
	if in.StatusID != nil && v.statuses[*in.StatusID] == nil {
		p = append(p, fmt.Sprintf("status_id: status %d does not exist", *in.StatusID))
	}
	if len(in.Positions) == 0 {
		p = append(p, "positions: at least one position is required")
	}
	if len(in.Positions) > maxPositions {
		p = append(p, fmt.Sprintf("positions: at most %d per request", maxPositions))
	}
	for i, pos := range in.Positions {
		at := fmt.Sprintf("positions[%d].", i)
		if strings.TrimSpace(pos.Brand) == "" {
			p = append(p, at+"brand is required")
		}
		if strings.TrimSpace(pos.Article) == "" {
			p = append(p, at+"article is required")
		}
		if !pos.Price.set || pos.Price.Amount < 0 {
			p = append(p, at+"price is required and must not be negative")
		}
		if pos.InitialPrice.Amount < 0 {
			p = append(p, at+"initial_price must not be negative")
		}
		if pos.Quantity < 1 || pos.Quantity > 10000 {
			p = append(p, at+"quantity must be between 1 and 10000")
		}
		if pos.DistributorID != 0 && v.distributors[pos.DistributorID] == nil {
			p = append(p, fmt.Sprintf("%sdistributor_id: distributor %d does not exist", at, pos.DistributorID))
		}
		lo, hi := max(pos.DeliveryTimeMin, pos.DelivaryTimeMin), max(pos.DeliveryTimeMax, pos.DelivaryTimeMax)
		if lo < 0 || hi < lo || hi > 365 {
			p = append(p, at+"delivery times must satisfy 0 <= min <= max <= 365")
		}
	}
	return p
}

// adminCreateOrders is POST /__admin/saplab/orders: it validates the order
// and adds its positions as the storefront does: the new status, accepted
// automatically (or the status_id given), with that history. It answers 201
// with the positions as GET /panel/order shows them.
func (a *API) adminCreateOrders(c echo.Context) error {
	body, err := api.Body(c)
	if err != nil {
		return &api.ControlError{Status: http.StatusBadRequest, Message: "could not read the body"}
	}
	if !utf8.Valid(body) {
		return &api.ControlError{Status: http.StatusBadRequest, Message: "the body is not valid UTF-8"}
	}
	var in newOrders
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return &api.ControlError{Status: http.StatusBadRequest, Message: "the body must be a JSON order: " + err.Error()}
	}
	var created []*order
	var owner *client
	err = a.write(func(t *txn, v *view) error {
		if ps := in.check(v); len(ps) > 0 {
			return &api.ControlError{Status: http.StatusBadRequest, Message: "the order has problems; nothing was created", Problems: ps}
		}
		cl, err := get[client](t.Tx, bClients, in.ClientID)
		if err != nil {
			return err
		}
		owner = cl
		statusID := v.settings.AcceptedStatusID
		if statusID == 0 || v.statuses[statusID] == nil {
			statusID = v.settings.NewStatusID
		}
		if in.StatusID != nil {
			statusID = *in.StatusID
		}
		shipping := cl.ShippingID
		if in.ShippingID != nil {
			shipping = *in.ShippingID
		}
		address := ""
		if shipping != 0 {
			address = cl.Address
		}
		if in.ShippingAddress != nil {
			address = *in.ShippingAddress // as given, like a client's address
		}
		for _, pos := range in.Positions {
			id, err := nextID(t.Tx, bOrders)
			if err != nil {
				return err
			}
			invoice := in.Invoice
			if invoice == "" {
				invoice = fmt.Sprintf("API-%d", id)
				in.Invoice = invoice
			}
			o := &order{
				ID: id, ClientID: cl.ID, Invoice: invoice, Brand: strings.TrimSpace(pos.Brand), Article: strings.TrimSpace(pos.Article),
				Name: strings.TrimSpace(pos.Name), DistributorID: pos.DistributorID, Price: pos.Price.Amount,
				InitialPrice: pos.InitialPrice.Amount, Quantity: pos.Quantity,
				DeliveryTimeMin: max(pos.DeliveryTimeMin, pos.DelivaryTimeMin), DeliveryTimeMax: max(pos.DeliveryTimeMax, pos.DelivaryTimeMax),
				StatusID: statusID, ShippingID: shipping, ShippingAddress: address, ClientComment: pos.ClientComment,
				ManagerComment: pos.ManagerComment, DenyRequest: pos.DenyRequest,
				IsDenied: statusID != 0 && statusID == v.settings.DeniedStatusID, Created: t.Now(), Modified: t.Now(),
			}
			o.History = entryHistory(v.settings, v.statuses, statusID, t.Now(), systemManager)
			if err := t.putOrder(o); err != nil {
				return err
			}
			created = append(created, o)
		}
		return nil
	})
	if err != nil {
		var ae *api.ControlError
		if errors.As(err, &ae) {
			return ae
		}
		return err
	}
	out := struct {
		Orders []any `json:"orders"`
	}{}
	err = a.read(func(_ *state.Tx, v *view) error {
		for _, o := range created {
			out.Orders = append(out.Orders, v.wireOrder(o, owner))
		}
		return nil
	})
	if err != nil {
		return err
	}
	b, err := phpjson.Marshal(out)
	if err != nil {
		return err
	}
	return c.JSONBlob(http.StatusCreated, b)
}
