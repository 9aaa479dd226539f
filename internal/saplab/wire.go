package saplab

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/money"
	"github.com/mockserver/mockserver/internal/phpjson"
)

// Wire types: what PHP's json_encode makes of the panel's PostgreSQL rows
// (SPEC §6). Every scalar is a string, a LEFT JOIN that found nothing is
// null, and fields are declared in the order the document's examples show,
// which is the order they go out in. The request of the control route
// POST /__admin/saplab/orders is here too (newOrders), and pathID, which
// reads the :id path parameter; the panel's own requests are forms, read by
// fields.go.

// pathID is parseID of the :id path parameter.
func pathID(c echo.Context) (int64, bool) { return parseID(c.Param("id")) }

// respond writes v as the panel's PHP json_encode would.
func respond(c echo.Context, status int, v any) error {
	body, err := phpjson.Marshal(v)
	if err != nil {
		return err
	}
	writeJSON(c, status, body)
	return nil
}

// writeJSON writes body, already encoded, as the panel's JSON answer
// (api.WriteJSON: echo's JSONBlob with a shared Content-Type).
//
// The length is left to net/http, as it was: an answer it holds whole (up
// to 2 KB) carries a Content-Length, a longer one (a list page) goes out
// chunked. saplab.txt says nothing of framing, and a PHP script's output
// behind Apache or nginx goes out chunked too once it outgrows the
// server's buffer (docs/decisions.md, issue 16, small reads).
func writeJSON(c echo.Context, status int, body []byte) { api.WriteJSON(c, status, body) }

// successAnswer is {"status":"success","text":text}; a struct, not a
// phpjson.Object, since its keys are known: an Object encodes each value on
// its own and has encoding/json check the whole again, which was a twentieth
// of a pay's processor time besides the fsync (issue 16).
type successAnswer struct {
	Status string `json:"status"`
	Text   string `json:"text"`
}

// success is {"status":"success","text":text}.
func success(c echo.Context, text string) error {
	return respond(c, http.StatusOK, successAnswer{Status: "success", Text: text})
}

// statusSuccess is {"status":"success"}, the answer of the reference tables'
// writes (saplab.txt), encoded once.
func statusSuccess(c echo.Context) error {
	writeJSON(c, http.StatusOK, statusSuccessBody)
	return nil
}

// statusSuccessBody is statusSuccess's answer.
var statusSuccessBody = []byte(`{"status":"success"}`)

// answered writes text (or {"status":"success"} without one) once err is nil.
func answered(c echo.Context, err error, text string) error {
	if err != nil {
		return err
	}
	if text == "" {
		return statusSuccess(c)
	}
	return success(c, text)
}

// orEmpty is s, or an empty list where PHP would print [] rather than null.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// itos prints an integer column as PHP's PDO gives it: a string.
func itos(n int64) string { return strconv.FormatInt(n, 10) }

// btos prints a boolean column as PHP's PDO gives PostgreSQL's: "1" or "0".
func btos(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// strp is a pointer to s, for columns of a LEFT JOIN.
func strp(s string) *string { return &s }

type wireManager struct {
	ID               string  `json:"id"`
	Phone            string  `json:"phone"`
	Name             string  `json:"name"`
	Seat             string  `json:"seat"`
	Email            string  `json:"email"`
	PointID          string  `json:"point_id"`
	PointName        *string `json:"point_name"`
	PointAddress     *string `json:"point_address"`
	ManagerGroupID   string  `json:"manager_group_id"`
	ManagerGroupName *string `json:"manager_group_name"`
	ClientCount      string  `json:"client_count"`
	Status           string  `json:"status"`
	ClientUse        string  `json:"client_use"`
	ContactShow      string  `json:"contact_show"`
	Backup           *string `json:"backup"`
}

type wireShippingType struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	MinPrice string `json:"min_price"`
}

type wireStatus struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Color string `json:"color"`
	SMS   string `json:"sms"`
	Email string `json:"email"`
}

// wireGroup is a discount group. The table in saplab.txt says "id", its
// example says "group_id"; the example is what a client parses.
type wireGroup struct {
	GroupID  string `json:"group_id"`
	Name     string `json:"name"`
	Discount string `json:"discount"`
	Comment  string `json:"comment"`
}

type wireClientRow struct {
	ID             string  `json:"id"`
	Phone          string  `json:"phone"`
	Name           string  `json:"name"`
	Address        string  `json:"address"`
	Email          string  `json:"email"`
	DateAdded      string  `json:"date_added"`
	IsWholesaler   string  `json:"is_wholesaler"`
	WholesalerInfo string  `json:"wholesaler_info"`
	DateModified   string  `json:"date_modified"`
	Group          *string `json:"group"`
	GroupID        string  `json:"group_id"`
	Manager        *string `json:"manager"`
	ManagerID      string  `json:"manager_id"`
	Point          *string `json:"point"`
	PointID        string  `json:"point_id"`
	Status         string  `json:"status"`
	Comment        string  `json:"comment"`
	ShippingID     string  `json:"shipping_id"`
	Balance        string  `json:"balance"`
	Debt           string  `json:"debt"`
	BlockedDebt    string  `json:"blocked_debt"`
	Limit          string  `json:"limit"`
}

// wireClientForm is GET /panel/client/form/$ID's client. wholesaler_data is
// left out for a private person (saplab.txt: "отсутствует если
// is_wholesaler=0"); the stored wholesaler record has the document's shape.
type wireClientForm struct {
	ID             string      `json:"id"`
	Phone          string      `json:"phone"`
	Name           string      `json:"name"`
	Address        string      `json:"address"`
	Email          string      `json:"email"`
	Status         string      `json:"status"`
	GroupID        string      `json:"group_id"`
	Group          *string     `json:"group"`
	Discount       *string     `json:"discount"`
	ShippingID     string      `json:"shipping_id"`
	ManagerID      string      `json:"manager_id"`
	IsWholesaler   string      `json:"is_wholesaler"`
	WholesalerInfo string      `json:"wholesaler_info"`
	Comment        string      `json:"comment"`
	WholesalerData *wholesaler `json:"wholesaler_data,omitempty"`
	PointID        string      `json:"point_id"`
	Balance        string      `json:"balance"`
	Debt           string      `json:"debt"`
	BlockedDebt    string      `json:"blocked_debt"`
	Limit          string      `json:"limit"`
	DateAdded      string      `json:"date_added"`
	DateModified   string      `json:"date_modified"`
}

type wireTransaction struct {
	Date    string `json:"date"`
	Amount  string `json:"amount"`
	Comment string `json:"comment"`
}

type wireBalance struct {
	Pages        int64             `json:"pages"`
	Transactions []wireTransaction `json:"transactions"`
	Page         int64             `json:"page"`
}

type wireComment struct {
	ClientComment  string  `json:"client_comment"`
	ManagerComment *string `json:"manager_comment,omitempty"`
}

type wireHistory struct {
	Date    string `json:"date"`
	Color   string `json:"color"`
	Status  string `json:"status"`
	Manager string `json:"manager"`
}

// A position is rendered from three parts because the document's two
// examples order two keys differently: the legal entity's position (id 20)
// has wholesaler_info before is_wholesaler, the private person's (id 19)
// the other way round. Both orders are reproduced, each for its kind.
type wireOrderHead struct {
	ID         string `json:"id"`
	ClientID   string `json:"client_id"`
	ClientName string `json:"client_name"`
}

type wireOrderTail struct {
	DateAdded       string        `json:"date_added"`
	DateModified    string        `json:"date_modified"`
	DistributorID   string        `json:"distributor_id"`
	DistributorName *string       `json:"distributor_name"`
	Invoice         string        `json:"invoice"`
	Brand           string        `json:"brand"`
	Article         string        `json:"article"`
	Comment         wireComment   `json:"comment"`
	Name            string        `json:"name"`
	StatusName      *string       `json:"status_name"`
	DenyRequest     string        `json:"deny_request"`
	StatusColor     *string       `json:"status_color"`
	ShippingID      string        `json:"shipping_id"`
	ShippingAddress string        `json:"shipping_address"`
	ShippingName    *string       `json:"shipping_name"`
	DeliveryTimeMax string        `json:"deliverytime_max"`
	DeliveryTimeMin string        `json:"deliverytime_min"`
	InitialPrice    string        `json:"initial_price"`
	Price           string        `json:"price"`
	DocID           *string       `json:"doc_id"`
	Total           string        `json:"total"`
	Quantity        string        `json:"quantity"`
	IsArchived      string        `json:"is_archived"`
	StatusID        string        `json:"status_id"`
	IsPayed         string        `json:"is_payed"`
	History         []wireHistory `json:"history"`
	IsDenied        string        `json:"is_denied"`
}

type wireOrderPerson struct {
	wireOrderHead
	IsWholesaler   string `json:"is_wholesaler"`
	WholesalerInfo string `json:"wholesaler_info"`
	wireOrderTail
}

type wireOrderCompany struct {
	wireOrderHead
	WholesalerInfo string `json:"wholesaler_info"`
	IsWholesaler   string `json:"is_wholesaler"`
	wireOrderTail
}

// wireManager renders an employee for GET /panel/manager, with office,
// group and the number of clients assigned to them. backup is the panel's
// service json column; nothing here deactivates managers, so it is null.
func (v *view) wireManager(e *employee) wireManager {
	m := wireManager{
		ID: itos(e.ID), Phone: e.Phone, Name: e.Name, Seat: e.Seat, Email: e.Email,
		PointID: itos(e.PointID), ManagerGroupID: itos(e.GroupID), ClientCount: itos(v.clientCount(e.ID)),
		Status: btos(e.Status), ClientUse: btos(e.ClientUse), ContactShow: btos(e.ContactShow),
	}
	if p := v.points[e.PointID]; p != nil {
		m.PointName, m.PointAddress = strp(p.Name), strp(p.Address)
	}
	if g := v.mgroups[e.GroupID]; g != nil {
		m.ManagerGroupName = strp(g.Name)
	}
	return m
}

// wireOrder renders a position; c is its client (nil if it has vanished).
func (v *view) wireOrder(o *order, c *client) any {
	head := wireOrderHead{ID: itos(o.ID), ClientID: itos(o.ClientID)}
	var info string
	var company bool
	if c != nil {
		head.ClientName = c.Name
		info = wholesalerInfo(c)
		company = c.IsWholesaler
	}
	tail := wireOrderTail{
		DateAdded:       PGTime(o.Created),
		DateModified:    PGTime(o.Modified),
		DistributorID:   itos(o.DistributorID),
		Invoice:         o.Invoice,
		Brand:           o.Brand,
		Article:         o.Article,
		Comment:         wireComment{ClientComment: o.ClientComment},
		Name:            o.Name,
		DenyRequest:     btos(o.DenyRequest),
		ShippingID:      itos(o.ShippingID),
		ShippingAddress: o.ShippingAddress,
		DeliveryTimeMax: itos(o.DeliveryTimeMax),
		DeliveryTimeMin: itos(o.DeliveryTimeMin),
		InitialPrice:    o.InitialPrice.Trim(),
		Price:           o.Price.Trim(),
		Total:           o.Total().Trim(),
		Quantity:        itos(o.Quantity),
		IsArchived:      btos(o.IsArchived),
		StatusID:        itos(o.StatusID),
		IsPayed:         btos(o.IsPayed),
		History:         make([]wireHistory, len(o.History)),
		IsDenied:        btos(o.IsDenied),
	}
	if o.ManagerComment != "" {
		tail.Comment.ManagerComment = strp(o.ManagerComment)
	}
	if d := v.distributors[o.DistributorID]; d != nil {
		tail.DistributorName = strp(d.Name)
	}
	if s := v.statuses[o.StatusID]; s != nil {
		tail.StatusName, tail.StatusColor = strp(s.Name), strp(s.Color)
	}
	if s := v.shipping[o.ShippingID]; s != nil {
		tail.ShippingName = strp(s.Name)
	}
	if o.DocID != nil {
		tail.DocID = strp(itos(*o.DocID))
	}
	for i, h := range o.History {
		tail.History[i] = wireHistory{Date: HistoryTime(h.Date), Color: h.Color, Status: h.Status, Manager: h.Manager}
	}
	if company {
		return wireOrderCompany{wireOrderHead: head, WholesalerInfo: info, IsWholesaler: "1", wireOrderTail: tail}
	}
	return wireOrderPerson{wireOrderHead: head, IsWholesaler: "0", WholesalerInfo: info, wireOrderTail: tail}
}

// wireClientRow renders a client for the list.
func (v *view) wireClientRow(c *client, idx int32) wireClientRow {
	debt, blocked := v.debt(idx)
	row := wireClientRow{
		ID: itos(c.ID), Phone: c.Phone, Name: c.Name, Address: c.Address, Email: c.Email,
		DateAdded: PGTime(c.Created), IsWholesaler: btos(c.IsWholesaler), WholesalerInfo: wholesalerInfo(c),
		DateModified: PGTime(c.Modified), GroupID: itos(c.GroupID), ManagerID: itos(c.ManagerID),
		PointID: itos(c.PointID), Status: btos(c.Status), Comment: c.Comment, ShippingID: itos(c.ShippingID),
		Balance: c.Balance.Trim(), Debt: debt.Trim(), BlockedDebt: blocked.Trim(), Limit: itos(c.Limit),
	}
	if g := v.groups[c.GroupID]; g != nil {
		row.Group = strp(g.Name)
	}
	if m := v.employees[c.ManagerID]; m != nil {
		row.Manager = strp(m.Name)
	}
	if p := v.points[c.PointID]; p != nil {
		row.Point = strp(p.Name)
	}
	return row
}

// wireClientForm renders a client for GET /panel/client/form/$ID.
func (v *view) wireClientForm(c *client, idx int32) wireClientForm {
	debt, blocked := v.debt(idx)
	f := wireClientForm{
		ID: itos(c.ID), Phone: c.Phone, Name: c.Name, Address: c.Address, Email: c.Email,
		Status: btos(c.Status), GroupID: itos(c.GroupID), ShippingID: itos(c.ShippingID),
		ManagerID: itos(c.ManagerID), IsWholesaler: btos(c.IsWholesaler), WholesalerInfo: wholesalerInfo(c),
		Comment: c.Comment, PointID: itos(c.PointID), Balance: c.Balance.Trim(), Debt: debt.Trim(),
		BlockedDebt: blocked.Trim(), Limit: itos(c.Limit), DateAdded: PGTime(c.Created), DateModified: PGTime(c.Modified),
	}
	if g := v.groups[c.GroupID]; g != nil {
		f.Group, f.Discount = strp(g.Name), strp(itos(g.Discount))
	}
	if c.IsWholesaler {
		w := wholesaler{}
		if c.Wholesaler != nil {
			w = *c.Wholesaler
		}
		f.WholesalerData = &w
	}
	return f
}

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

// newPosition is one position of a newOrders.
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

// UnmarshalJSON reads a JSON number or string as an amount.
func (j *jsonAmount) UnmarshalJSON(b []byte) error {
	s := string(bytes.Trim(b, `"`))
	a, err := money.Parse(s)
	if err != nil {
		return fmt.Errorf(msgCtlAmount, b, err)
	}
	j.Amount, j.set = a, true
	return nil
}
