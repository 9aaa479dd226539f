package saplab

import (
	"github.com/mockserver/mockserver/internal/gojson"
)

// The records a pay, a deny or any other position write stores, and the
// seeding of a large state (seeder.encode), encoded by hand
// (state.Appender): byte for byte json.Marshal's output of the same
// struct, field by field in its order with its tags (records_internal_test.go
// and seedjson_test.go compare the two), without its reflection walk,
// which cost more than bbolt's put of the record (issue 16).

// AppendJSON appends the client's row.
func (c *client) AppendJSON(dst []byte) ([]byte, bool) {
	dst = gojson.Key(append(dst, '{'), "id")
	dst = gojson.AppendInt(dst, c.ID)
	dst = gojson.AppendString(gojson.Key(dst, "name"), c.Name)
	dst = gojson.AppendString(gojson.Key(dst, "phone"), c.Phone)
	dst = gojson.AppendString(gojson.Key(dst, "email"), c.Email)
	if c.PasswordHash != "" {
		dst = gojson.AppendString(gojson.Key(dst, "password_hash"), c.PasswordHash)
	}
	dst = gojson.AppendString(gojson.Key(dst, "address"), c.Address)
	dst = gojson.AppendInt(gojson.Key(dst, "group_id"), c.GroupID)
	dst = gojson.AppendInt(gojson.Key(dst, "manager_id"), c.ManagerID)
	dst = gojson.AppendInt(gojson.Key(dst, "point_id"), c.PointID)
	dst = gojson.AppendInt(gojson.Key(dst, "shipping_id"), c.ShippingID)
	dst = gojson.AppendInt(gojson.Key(dst, "limit"), c.Limit)
	dst = gojson.AppendString(gojson.Key(dst, "comment"), c.Comment)
	dst = gojson.AppendBool(gojson.Key(dst, "status"), c.Status)
	dst = gojson.AppendBool(gojson.Key(dst, "is_wholesaler"), c.IsWholesaler)
	if c.Wholesaler != nil {
		dst = c.Wholesaler.appendJSON(gojson.Key(dst, "wholesaler"))
	}
	dst = c.Balance.AppendQuoted(gojson.Key(dst, "balance"))
	dst, ok := gojson.AppendTime(gojson.Key(dst, "created"), c.Created)
	dst, ok2 := gojson.AppendTime(gojson.Key(dst, "modified"), c.Modified)
	return append(dst, '}'), ok && ok2
}

// appendJSON appends the client's company details.
func (w *wholesaler) appendJSON(dst []byte) []byte {
	dst = append(dst, '{')
	for _, f := range [...]struct{ k, v string }{
		{"bik", w.BIK}, {"inn", w.INN}, {"kpp", w.KPP}, {"bank", w.Bank}, {"orgn", w.ORGN}, {"type", w.Type},
		{"account", w.Account}, {"address", w.Address}, {"org_name", w.OrgName}, {"bank_account", w.BankAccount},
	} {
		dst = gojson.AppendString(gojson.Key(dst, f.k), f.v)
	}
	return append(dst, '}')
}

// AppendJSON appends the ledger entry's row.
func (tr *transaction) AppendJSON(dst []byte) ([]byte, bool) {
	dst = gojson.Key(append(dst, '{'), "id")
	dst = gojson.AppendInt(dst, tr.ID)
	dst = gojson.AppendInt(gojson.Key(dst, "client_id"), tr.ClientID)
	dst = tr.Amount.AppendQuoted(gojson.Key(dst, "amount"))
	dst = gojson.AppendString(gojson.Key(dst, "comment"), tr.Comment)
	if tr.OrderID != 0 {
		dst = gojson.AppendInt(gojson.Key(dst, "order_id"), tr.OrderID)
	}
	dst, ok := gojson.AppendTime(gojson.Key(dst, "created"), tr.Created)
	return append(dst, '}'), ok
}

// AppendJSON appends the position's row.
func (o *order) AppendJSON(dst []byte) ([]byte, bool) {
	dst = gojson.Key(append(dst, '{'), "id")
	dst = gojson.AppendInt(dst, o.ID)
	dst = gojson.AppendInt(gojson.Key(dst, "client_id"), o.ClientID)
	dst = gojson.AppendString(gojson.Key(dst, "invoice"), o.Invoice)
	dst = gojson.AppendString(gojson.Key(dst, "brand"), o.Brand)
	dst = gojson.AppendString(gojson.Key(dst, "article"), o.Article)
	dst = gojson.AppendString(gojson.Key(dst, "name"), o.Name)
	dst = gojson.AppendInt(gojson.Key(dst, "distributor_id"), o.DistributorID)
	dst = o.Price.AppendQuoted(gojson.Key(dst, "price"))
	dst = o.InitialPrice.AppendQuoted(gojson.Key(dst, "initial_price"))
	dst = gojson.AppendInt(gojson.Key(dst, "quantity"), o.Quantity)
	dst = gojson.AppendInt(gojson.Key(dst, "deliverytime_min"), o.DeliveryTimeMin)
	dst = gojson.AppendInt(gojson.Key(dst, "deliverytime_max"), o.DeliveryTimeMax)
	dst = gojson.AppendInt(gojson.Key(dst, "status_id"), o.StatusID)
	dst = gojson.AppendInt(gojson.Key(dst, "shipping_id"), o.ShippingID)
	dst = gojson.AppendString(gojson.Key(dst, "shipping_address"), o.ShippingAddress)
	dst = gojson.AppendString(gojson.Key(dst, "client_comment"), o.ClientComment)
	if o.ManagerComment != "" {
		dst = gojson.AppendString(gojson.Key(dst, "manager_comment"), o.ManagerComment)
	}
	dst = gojson.AppendBool(gojson.Key(dst, "deny_request"), o.DenyRequest)
	dst = gojson.AppendBool(gojson.Key(dst, "is_archived"), o.IsArchived)
	dst = gojson.AppendBool(gojson.Key(dst, "is_denied"), o.IsDenied)
	dst = gojson.AppendBool(gojson.Key(dst, "is_payed"), o.IsPayed)
	dst = gojson.Key(dst, "doc_id")
	if o.DocID == nil {
		dst = append(dst, "null"...)
	} else {
		dst = gojson.AppendInt(dst, *o.DocID)
	}
	dst, ok := gojson.AppendTime(gojson.Key(dst, "created"), o.Created)
	dst, ok2 := gojson.AppendTime(gojson.Key(dst, "modified"), o.Modified)
	dst, ok3 := appendHistory(gojson.Key(dst, "history"), o.History)
	ok4 := true
	if o.Auto != nil {
		dst, ok4 = o.Auto.AppendJSON(gojson.Key(dst, "auto"))
	}
	return append(dst, '}'), ok && ok2 && ok3 && ok4
}

// appendHistory appends a position's history: null when nil, as
// json.Marshal writes a nil slice.
func appendHistory(dst []byte, h []historyEntry) ([]byte, bool) {
	if h == nil {
		return append(dst, "null"...), true
	}
	dst = append(dst, '[')
	ok := true
	for i := range h {
		if i > 0 {
			dst = append(dst, ',')
		}
		e := &h[i]
		dst = gojson.AppendInt(gojson.Key(append(dst, '{'), "status_id"), e.StatusID)
		var okd bool
		dst, okd = gojson.AppendTime(gojson.Key(dst, "date"), e.Date)
		dst = gojson.AppendString(gojson.Key(dst, "color"), e.Color)
		dst = gojson.AppendString(gojson.Key(dst, "status"), e.Status)
		dst = append(gojson.AppendString(gojson.Key(dst, "manager"), e.Manager), '}')
		ok = ok && okd
	}
	return append(dst, ']'), ok
}
