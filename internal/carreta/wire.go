package carreta

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/money"
	"github.com/mockserver/mockserver/internal/pyjson"
	"github.com/mockserver/mockserver/internal/strictjson"
)

// Wire types: the only types with json tags meant for clients. Fields are
// declared in sorted key order, because pyjson keeps struct order and the
// vendor's json.dumps(sort_keys=True) sorts (SPEC §5).

// offerWire is one search result (carreta.txt "Формат ответа" of search).
type offerWire struct {
	Sig       string `json:"_"`
	Code      string `json:"code"`
	Desc      string `json:"desc"`
	IsCross   bool   `json:"is_cross"`
	Maker     string `json:"maker"`
	MinQty    int    `json:"min_qty"`
	Name      string `json:"name"`
	PeriodMax int    `json:"period_max"`
	PeriodMin int    `json:"period_min"`
	Price     string `json:"price"`
	Qty       string `json:"qty"`
	Source    string `json:"source"`
	Stat      *int   `json:"stat"`
}

// orderWire is an order as GET order/<id>/ and the list show it.
type orderWire struct {
	ClientComment string `json:"client_comment"`
	Code          string `json:"code"`
	Comment       string `json:"comment"`
	Created       string `json:"created"`
	ID            uint64 `json:"id"`
	Maker         string `json:"maker"`
	Name          string `json:"name"`
	Number        string `json:"number"`
	OrderQty      int    `json:"order_qty"`
	PeriodMax     int    `json:"period_max"`
	PeriodMin     int    `json:"period_min"`
	Price         string `json:"price"`
	Status        int    `json:"status"`
	StatusDisplay string `json:"status_display"`
	Total         string `json:"total"`
}

// historyWire is one entry of GET order/<id>/history/.
type historyWire struct {
	Comment string `json:"comment"`
	Created string `json:"created"`
}

// profileWire is GET profile/.
type profileWire struct {
	Balance string `json:"balance"`
	City    string `json:"city"`
	Email   string `json:"email"`
	Name    string `json:"name"`
	Phone   string `json:"phone"`
}

// objectsWire is the {"objects": [...]} envelope of every list.
type objectsWire[T any] struct {
	Objects []T `json:"objects"`
}

// statusRequest is the body of POST /__admin/carreta/orders/{id}/status:
// {"status": 3}, optionally with the supplier's "comment" on the order.
type statusRequest struct {
	Status  *int    `json:"status"`
	Comment *string `json:"comment"`
}

// statusResponse shows the order as the client will see it, and its history.
type statusResponse struct {
	Order   orderWire     `json:"order"`
	History []historyWire `json:"history"`
}

// emptyObjects is the body of a search for nothing.
var emptyObjects = []byte(`{"objects": []}`)

func toOfferWire(s Signer, o *Offer) offerWire {
	return offerWire{
		Sig: s.Sign(o), Code: o.Code, Desc: o.Desc, IsCross: o.IsCross, Maker: o.Maker,
		MinQty: o.MinQty, Name: o.Name, PeriodMax: o.PeriodMax, PeriodMin: o.PeriodMin,
		Price: o.Price.Fixed2(), Qty: o.Qty, Source: s.Source(o), Stat: o.Stat,
	}
}

// encodeOffers renders a search response.
func encodeOffers(s Signer, offers []Offer) []byte {
	out := objectsWire[offerWire]{Objects: make([]offerWire, len(offers))}
	for i := range offers {
		out.Objects[i] = toOfferWire(s, &offers[i])
	}
	return mustMarshal(out)
}

// toOrderWire is the order as the client sees it, its status named by the
// table in force.
func toOrderWire(o *orderRecord, t *Statuses) orderWire {
	return orderWire{
		ClientComment: o.ClientComment, Code: o.Code, Comment: o.Comment, Created: FormatTime(o.Created),
		ID: o.ID, Maker: o.Maker, Name: o.Name, Number: o.Number, OrderQty: o.OrderQty,
		PeriodMax: o.PeriodMax, PeriodMin: o.PeriodMin, Price: o.Price.Fixed2(),
		Status: int(o.Status), StatusDisplay: t.Name(o.Status), Total: o.Total.Fixed2(),
	}
}

func toHistoryWire(h []historyEntry) objectsWire[historyWire] {
	out := objectsWire[historyWire]{Objects: make([]historyWire, len(h))}
	for i, e := range h {
		out.Objects[i] = historyWire{Comment: e.Comment, Created: FormatTime(e.Created)}
	}
	return out
}

func toProfileWire(a *accountRecord) profileWire {
	return profileWire{Balance: a.Balance.Fixed2(), City: a.City, Email: a.Email, Name: a.Name, Phone: a.Phone}
}

// chunkingSize is net/http's bufferBeforeChunkingSize: an answer written
// whole in one Write of more bytes goes out chunked unless it has a
// Content-Length.
const chunkingSize = 2048

// writeJSON writes an encoded body as api.WriteJSON does (the shared
// Content-Type), with its Content-Length when net/http would send it
// chunked: Django's CommonMiddleware gives every answer its length,
// net/http only those it holds whole (up to 2 KB, which keep the header
// net/http writes). A list page of 52 KB went out in three writes (the
// head with the first 4 KB, the rest, the chunked trailer); with its
// length, in two.
func writeJSON(c echo.Context, status int, body []byte) {
	if len(body) > chunkingSize {
		c.Response().Header()[echo.HeaderContentLength] = []string{strconv.Itoa(len(body))}
	}
	api.WriteJSON(c, status, body)
}

// mustMarshal encodes wire types, which cannot fail to encode.
func mustMarshal(v any) []byte {
	b, err := pyjson.Marshal(v)
	if err != nil {
		panic("carreta: encode " + err.Error())
	}
	return b
}

// pathID reads the route's id as Django's <int:id> does: matched against the
// decoded path, so /v1/order/%31/ is order 1. Echo hands params over raw.
func pathID(c echo.Context) (uint64, bool) {
	s, err := url.PathUnescape(c.Param("id"))
	if err != nil {
		return 0, false
	}
	return parseID(s)
}

// queryValue returns the last value of name in a raw query string, as
// Django's request.GET.get does, without building a map: the search path
// reads two parameters and should not allocate for the rest. Malformed
// escapes are kept as they are, as Django keeps them.
func queryValue(raw, name string) string {
	val, found := "", false
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		k, v, _ := strings.Cut(pair, "=")
		if k != name {
			if !escaped(k) {
				continue
			}
			if uk, err := url.QueryUnescape(k); err != nil || uk != name {
				continue
			}
		}
		val, found = v, true
	}
	if !found || !escaped(val) {
		return val
	}
	if u, err := url.QueryUnescape(val); err == nil {
		return u
	}
	return val
}

// escaped reports whether s, a query's name or value, holds a "%" or a
// "+", which only url.QueryUnescape reads: two byte searches, where
// strings.ContainsAny(s, "%+") built a set and read s rune by rune (8%
// of carreta's small read in process, issue 16).
func escaped(s string) bool {
	return strings.IndexByte(s, '%') >= 0 || strings.IndexByte(s, '+') >= 0
}

// OrderRequest is a decoded POST order/ body: the offer as search returned
// it, its signature, and what the client adds.
type OrderRequest struct {
	Offer         Offer
	Sig           string
	OrderQty      int
	ClientComment string
	// Source is the offer's source when the body carries one (an order
	// need not: carreta.txt's minimal body has none).
	Source *string
}

// maxInt bounds integer fields: far above any real quantity or lead time,
// far below overflow in price × quantity.
const maxInt = 1_000_000_000

// readableMedia reports whether a POST order/ body of this Content-Type
// is read: the types of Django REST framework's default parsers (JSON, and
// the url-encoded and multipart forms, which curl -d and PHP clients send
// with a JSON body), or none at all. Any other type is DRF's 415.
func readableMedia(contentType string) *Error {
	if strings.TrimSpace(contentType) == "" {
		return nil
	}
	switch mt, _, _ := mime.ParseMediaType(contentType); mt {
	case "application/json", "application/x-www-form-urlencoded", "multipart/form-data":
		return nil
	}
	return &Error{Status: http.StatusUnsupportedMediaType, Message: fmt.Sprintf(msgUnsupportedMedia, contentType)}
}

// DecodeOrder reads a POST order/ body the way a Django view does with
// json.loads once readableMedia let it through (curl -d sends a form type),
// keys are case-sensitive, unknown keys (desc, is_cross, stat) are ignored, a
// repeated key takes its last value. Integers may come as 10, 10.0 or "10"
// and prices as "152.02" or 152.02, as Django REST framework's fields accept.
// The first problem found, in the order of the document's field list, is
// returned.
func DecodeOrder(body []byte) (OrderRequest, *Error) {
	var req OrderRequest
	if !utf8.Valid(body) {
		return req, badRequest(msgBodyNotUTF8)
	}
	if strictjson.LoneSurrogate(body) {
		// Python reads "\ud800" into a str that UTF-8 cannot encode: the
		// order could not be stored. The mock refuses it as unreadable
		// JSON rather than store U+FFFD in its place.
		return req, badRequest(msgBodyNotJSON)
	}
	m, fast := objectMembers(body)
	if !fast {
		if err := json.Unmarshal(body, &m); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				return req, badRequest(msgBodyNotObject)
			}
			return req, badRequest(msgBodyNotJSON)
		}
	}
	if m == nil { // the body was null
		return req, badRequest(msgBodyNotObject)
	}
	var e *Error
	o := &req.Offer
	req.Sig, e = stringField(m, "_", e)
	o.Code, e = stringField(m, "code", e)
	o.Maker, e = stringField(m, "maker", e)
	o.Name, e = stringField(m, "name", e)
	o.Price, e = priceField(m, "price", e)
	o.PeriodMin, e = intField(m, "period_min", e)
	o.PeriodMax, e = intField(m, "period_max", e)
	o.MinQty, e = intField(m, "min_qty", e)
	o.Qty, e = stringField(m, "qty", e)
	req.OrderQty, e = intField(m, "order_qty", e)
	if e != nil {
		return req, e
	}
	if req.Source, e = optionalString(m, "source"); e != nil {
		return req, e
	}
	cc, e := optionalString(m, "client_comment")
	if cc != nil {
		req.ClientComment = *cc
	}
	return req, e
}

// optionalString reads a field that may be absent or null (nil then).
func optionalString(m map[string]json.RawMessage, name string) (*string, *Error) {
	raw, ok := m[name]
	if !ok || isNull(raw) {
		return nil, nil
	}
	s, ok := jsonString(raw)
	if !ok {
		return nil, badRequestf(msgFieldString, name)
	}
	return &s, nil
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(raw, []byte("null")) }

// field returns the raw value of a required field, or the error for its
// absence; once an earlier field has failed (prev) it does nothing.
func field(m map[string]json.RawMessage, name string, prev *Error) (json.RawMessage, *Error) {
	if prev != nil {
		return nil, prev
	}
	raw, ok := m[name]
	if !ok || isNull(raw) {
		return nil, badRequestf(msgFieldRequired, name)
	}
	return raw, nil
}

func stringField(m map[string]json.RawMessage, name string, prev *Error) (string, *Error) {
	raw, e := field(m, name, prev)
	if e != nil {
		return "", e
	}
	s, ok := jsonString(raw)
	if !ok {
		return "", badRequestf(msgFieldString, name)
	}
	return s, nil
}

// jsonString is the string that raw, one value of a body already read as
// UTF-8 JSON, holds; false when raw is not a string. A string without a
// backslash is its own text between the quotes (a control character
// would have failed the body's read), so encoding/json is asked only for
// escapes: an order's five strings were a twentieth of its processor time
// besides the fsync (issue 16). Escapes are decoded by strictjson.Unquote,
// json.Unmarshal's reading without its scan and reflection (a client that
// escapes all but ASCII, as Python's json.dumps does, sends the offer's
// name so), and by json.Unmarshal for what Unquote leaves to it.
func jsonString(raw json.RawMessage) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), true
	}
	if s, ok := strictjson.Unquote(raw); ok {
		return s, true
	}
	var s string
	return s, json.Unmarshal(raw, &s) == nil
}

func intField(m map[string]json.RawMessage, name string, prev *Error) (int, *Error) {
	raw, e := field(m, name, prev)
	if e != nil {
		return 0, e
	}
	text := string(raw)
	if raw[0] == '"' {
		var ok bool
		if text, ok = jsonString(raw); !ok {
			return 0, badRequestf(msgFieldInteger, name)
		}
	} else if !isNumber(raw) {
		return 0, badRequestf(msgFieldInteger, name)
	}
	n, ok, inRange := parseInteger(text)
	switch {
	case !ok:
		return 0, badRequestf(msgFieldInteger, name)
	case !inRange:
		return 0, badRequestf(msgFieldRange, name)
	}
	return n, nil
}

// parseInteger reads "10", "-3", "10.0", "1e3" as an integer; "10.5" is not
// one. inRange is false beyond ±maxInt.
func parseInteger(s string) (n int, ok, inRange bool) {
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return int(v), true, v >= -maxInt && v <= maxInt
	} else if errors.Is(err, strconv.ErrRange) {
		return 0, true, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false, false
	}
	if math.IsInf(f, 0) || math.Abs(f) > maxInt {
		return 0, !math.IsNaN(f), false
	}
	if math.IsNaN(f) || f != math.Trunc(f) {
		return 0, false, false
	}
	return int(f), true, true
}

func isNumber(raw json.RawMessage) bool {
	c := raw[0]
	return c == '-' || (c >= '0' && c <= '9')
}

func priceField(m map[string]json.RawMessage, name string, prev *Error) (money.Amount, *Error) {
	raw, e := field(m, name, prev)
	if e != nil {
		return 0, e
	}
	text := string(raw)
	switch {
	case raw[0] == '"':
		var ok bool
		if text, ok = jsonString(raw); !ok {
			return 0, badRequestf(msgFieldDecimal, name)
		}
	case !isNumber(raw):
		return 0, badRequestf(msgFieldDecimal, name)
	}
	if raw[0] != '"' && bytes.ContainsAny(raw, "eE") {
		// 1.5202e2: a JSON number in exponent form.
		f, err := strconv.ParseFloat(text, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return 0, badRequestf(msgFieldDecimal, name)
		}
		a, err := money.FromFloat(f)
		if err != nil {
			return 0, badRequestf(msgFieldRange, name)
		}
		if math.Abs(f*100-math.Round(f*100)) > 1e-6 {
			return 0, badRequestf(msgFieldDecimal, name)
		}
		return a, nil
	}
	a, err := money.Parse(text)
	switch {
	case err == nil:
		return a, nil
	case errors.Is(err, money.ErrRange) && !tooManyDecimals(text):
		return 0, badRequestf(msgFieldRange, name)
	default:
		return 0, badRequestf(msgFieldDecimal, name)
	}
}

// tooManyDecimals tells a price with fractions of a kopeck from one that is
// merely too large, for the message.
func tooManyDecimals(s string) bool {
	_, frac, _ := strings.Cut(s, ".")
	return len(strings.TrimRight(frac, "0")) > 2
}
