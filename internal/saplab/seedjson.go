package saplab

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mockserver/mockserver/internal/money"
)

// The seeding of a large state writes half a million positions, and
// encoding/json's reflection over each was a fifth of its CPU (issue 16).
// These append the records a seeding writes, byte for byte what
// json.Marshal makes of them (TestSeedJSON compares the two on every
// generated row and on strings json escapes); a record they do not cover
// (a value json would escape, a position on an automatic path, a time
// json cannot write) reports !ok, and the seeder falls back to
// json.Marshal. Requests still encode with encoding/json: only seeding is
// in bulk.

// jsonRecord is a record with an encoder of its own for seeding.
type jsonRecord interface {
	appendJSON(b []byte) ([]byte, bool)
}

// jsonWriter appends JSON tokens; ok turns false at the first value it
// cannot write as json.Marshal would without escaping.
type jsonWriter struct {
	b  []byte
	ok bool
}

// key writes `,"name":` (no comma before the first key, which open wrote).
func (w *jsonWriter) key(name string) {
	if c := w.b[len(w.b)-1]; c != '{' {
		w.b = append(w.b, ',')
	}
	w.b = append(w.b, '"')
	w.b = append(w.b, name...)
	w.b = append(w.b, '"', ':')
}

func (w *jsonWriter) int(name string, v int64) {
	w.key(name)
	w.b = strconv.AppendInt(w.b, v, 10)
}

func (w *jsonWriter) bool(name string, v bool) {
	w.key(name)
	w.b = strconv.AppendBool(w.b, v)
}

func (w *jsonWriter) str(name, s string) {
	w.key(name)
	if !plainJSON(s) {
		w.ok = false
		return
	}
	w.b = append(w.b, '"')
	w.b = append(w.b, s...)
	w.b = append(w.b, '"')
}

// money is an Amount as its MarshalText writes it, quoted.
func (w *jsonWriter) money(name string, a money.Amount) {
	w.key(name)
	w.b = append(w.b, '"')
	w.b = a.AppendFixed2(w.b)
	w.b = append(w.b, '"')
}

// time is t as time.Time's MarshalJSON writes it (RFC 3339 with
// nanoseconds), which refuses a year outside [0,9999] and an offset of a
// day or more.
func (w *jsonWriter) time(name string, t time.Time) {
	w.key(name)
	_, off := t.Zone()
	if y := t.Year(); y < 0 || y > 9999 || off <= -24*3600 || off >= 24*3600 {
		w.ok = false
		return
	}
	w.b = append(w.b, '"')
	w.b = t.AppendFormat(w.b, time.RFC3339Nano)
	w.b = append(w.b, '"')
}

// plainJSON reports whether json.Marshal writes s as it is, quoted: valid
// UTF-8 with nothing it escapes (control characters, quote, backslash,
// the HTML characters <, > and &, U+2028 and U+2029).
func plainJSON(s string) bool {
	wide := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		case c >= utf8.RuneSelf:
			wide = true
		}
	}
	return !wide || (utf8.ValidString(s) && !strings.ContainsRune(s, '\u2028') && !strings.ContainsRune(s, '\u2029'))
}

func (o *order) appendJSON(b []byte) ([]byte, bool) {
	if o.Auto != nil {
		return nil, false
	}
	w := jsonWriter{b: append(b, '{'), ok: true}
	w.int("id", o.ID)
	w.int("client_id", o.ClientID)
	w.str("invoice", o.Invoice)
	w.str("brand", o.Brand)
	w.str("article", o.Article)
	w.str("name", o.Name)
	w.int("distributor_id", o.DistributorID)
	w.money("price", o.Price)
	w.money("initial_price", o.InitialPrice)
	w.int("quantity", o.Quantity)
	w.int("deliverytime_min", o.DeliveryTimeMin)
	w.int("deliverytime_max", o.DeliveryTimeMax)
	w.int("status_id", o.StatusID)
	w.int("shipping_id", o.ShippingID)
	w.str("shipping_address", o.ShippingAddress)
	w.str("client_comment", o.ClientComment)
	if o.ManagerComment != "" {
		w.str("manager_comment", o.ManagerComment)
	}
	w.bool("deny_request", o.DenyRequest)
	w.bool("is_archived", o.IsArchived)
	w.bool("is_denied", o.IsDenied)
	w.bool("is_payed", o.IsPayed)
	w.key("doc_id")
	if o.DocID == nil {
		w.b = append(w.b, "null"...)
	} else {
		w.b = strconv.AppendInt(w.b, *o.DocID, 10)
	}
	w.time("created", o.Created)
	w.time("modified", o.Modified)
	w.key("history")
	w.history(o.History)
	w.b = append(w.b, '}')
	return w.b, w.ok
}

// history writes a position's history: null when nil, as json does.
func (w *jsonWriter) history(h []historyEntry) {
	if h == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.b = append(w.b, '[')
	for i := range h {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		e := &h[i]
		w.b = append(w.b, '{')
		w.int("status_id", e.StatusID)
		w.time("date", e.Date)
		w.str("color", e.Color)
		w.str("status", e.Status)
		w.str("manager", e.Manager)
		w.b = append(w.b, '}')
	}
	w.b = append(w.b, ']')
}

func (t *transaction) appendJSON(b []byte) ([]byte, bool) {
	w := jsonWriter{b: append(b, '{'), ok: true}
	w.int("id", t.ID)
	w.int("client_id", t.ClientID)
	w.money("amount", t.Amount)
	w.str("comment", t.Comment)
	if t.OrderID != 0 {
		w.int("order_id", t.OrderID)
	}
	w.time("created", t.Created)
	w.b = append(w.b, '}')
	return w.b, w.ok
}

func (c *client) appendJSON(b []byte) ([]byte, bool) {
	w := jsonWriter{b: append(b, '{'), ok: true}
	w.int("id", c.ID)
	w.str("name", c.Name)
	w.str("phone", c.Phone)
	w.str("email", c.Email)
	if c.PasswordHash != "" {
		w.str("password_hash", c.PasswordHash)
	}
	w.str("address", c.Address)
	w.int("group_id", c.GroupID)
	w.int("manager_id", c.ManagerID)
	w.int("point_id", c.PointID)
	w.int("shipping_id", c.ShippingID)
	w.int("limit", c.Limit)
	w.str("comment", c.Comment)
	w.bool("status", c.Status)
	w.bool("is_wholesaler", c.IsWholesaler)
	if ws := c.Wholesaler; ws != nil {
		w.key("wholesaler")
		w.b = append(w.b, '{')
		for _, f := range [...]struct{ k, v string }{{"bik", ws.BIK}, {"inn", ws.INN}, {"kpp", ws.KPP}, {"bank", ws.Bank},
			{"orgn", ws.ORGN}, {"type", ws.Type}, {"account", ws.Account}, {"address", ws.Address},
			{"org_name", ws.OrgName}, {"bank_account", ws.BankAccount}} {
			w.str(f.k, f.v)
		}
		w.b = append(w.b, '}')
	}
	w.money("balance", c.Balance)
	w.time("created", c.Created)
	w.time("modified", c.Modified)
	w.b = append(w.b, '}')
	return w.b, w.ok
}
