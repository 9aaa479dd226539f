// Package filter reads the panel's path filters:
// /panel/client/filter/key1/value1/key2/value2 and /panel/order/filter/...
// (saplab.txt, "Фильтры указываются в виде ... Ключи и значения должны быть
// URL-кодированные").
//
// Parsing is a pure function of the escaped path, so it is table-tested and
// fuzzed without a server. Every problem is an *Error with a message for the
// integrator; nothing here can panic on input.
package filter

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/phpjson"
)

// Paging limits (saplab.txt: per_page "<=150"; the list example echoes 20).
const (
	DefaultPerPage = 20
	MaxPerPage     = 150
)

// The messages of filters the panel cannot read, answered with 400. The
// document shows none; these are the mock's, in the panel's language.
const (
	msgPairs      = "Фильтр задаётся парами /ключ/значение, а в адресе %d сегментов: у ключа %q нет значения."
	msgUnknownKey = "Неизвестный фильтр %q. Доступны: %s."
	msgDateOrder  = "Фильтр date_from (%s) позже date_to (%s)."
	msgEscape     = "Неверное URL-кодирование в фильтре: %q."
	msgNotUTF8    = "Фильтр %q после URL-декодирования не является текстом в UTF-8."
	msgIDList     = "Неверное значение фильтра %s: %q. Нужен идентификатор или несколько через запятую: 1 или 1,2,3."
	msgInt        = "Неверное значение фильтра %s: %q. Нужен целый неотрицательный идентификатор."
	msgPhone      = "Неверное значение фильтра phone: %q. Нужен номер телефона: 1234567890 или +7(123)456-78-90."
	msgBool       = "Неверное значение фильтра %s: %q. Нужно 1 или 0."
	msgDate       = "Неверное значение фильтра %s: %q. Нужна дата вида 2016-12-31."
	msgPage       = "Неверное значение фильтра page: %q. Страницы нумеруются с 1."
	msgPerPage    = "Неверное значение фильтра per_page: %q. Нужно целое число от 1 до %d."
)

// Kind is how a filter value is read.
type Kind int

// Kinds of filter values.
const (
	IDList  Kind = iota // "1" or "1,2,3"
	Int                 // a non-negative integer id (0 means "none" for manager_id)
	Text                // free text, matched as the list endpoint says
	Phone               // compared by digits, a leading 7/8 of 11 digits dropped
	Bool                // 1 or 0
	Date                // 2016-12-31, a whole day in Moscow time
	Page                // 1-based page number
	PerPage             // rows per page, capped at MaxPerPage
)

// Spec lists the keys one list endpoint accepts, in the document's order.
type Spec []KeySpec

// KeySpec is one accepted key.
type KeySpec struct {
	Key  string
	Kind Kind
}

// Clients are the keys of GET /panel/client/filter/... (saplab.txt, the
// client filter table).
var Clients = Spec{
	{"client_id", IDList}, {"client_name", Text}, {"phone", Phone}, {"email", Text},
	{"is_wholesaler", Bool}, {"client_group", Int}, {"date_from", Date}, {"date_to", Date},
	{"manager_id", Int}, {"page", Page}, {"per_page", PerPage},
}

// Orders are the keys of GET /panel/order/filter/... (saplab.txt, the order
// filter table).
var Orders = Spec{
	{"order_ids", IDList}, {"invoice", Text}, {"article", Text}, {"name", Text},
	{"manager_id", Int}, {"shipping_id", Int}, {"point_id", Int}, {"distributor_id", Int},
	{"order_status", Int}, {"is_payed", Bool}, {"unignore_archived", Bool}, {"brand", Text},
	{"client_name", Text}, {"client_group", Int}, {"date_from", Date}, {"date_to", Date},
	{"page", Page}, {"per_page", PerPage},
}

// kind is how key's value is read, and whether the spec accepts key.
func (s Spec) kind(key string) (Kind, bool) {
	for _, k := range s {
		if k.Key == key {
			return k.Kind, true
		}
	}
	return 0, false
}

// keys lists the accepted keys for a message.
func (s Spec) keys() string {
	names := make([]string, len(s))
	for i, k := range s {
		names[i] = k.Key
	}
	return strings.Join(names, ", ")
}

// Error is a filter the panel cannot read; the handler answers it with 400
// and {"status":"error","text":Text}.
type Error struct{ Text string }

// Error is the message.
func (e *Error) Error() string { return e.Text }

// fail is an *Error with a formatted message.
func fail(format string, args ...any) *Error { return &Error{Text: fmt.Sprintf(format, args...)} }

// Query is a parsed filter. A key that was not given is absent from Ints,
// Texts and Bools; IDs is nil unless the id list was given.
type Query struct {
	IDs   []int64
	Ints  map[string]int64
	Texts map[string]string
	Bools map[string]bool
	// From and To bound the creation time: From <= t < To (To is the
	// midnight after date_to, so the whole day is included). Zero when absent.
	From, To time.Time
	Page     int64
	PerPage  int
	// Echo is what the response's "filters" shows: every key given, in the
	// order first given (a repeated key keeps its first slot and the last
	// value, as a PHP array does), values as decoded strings, and per_page
	// as a number, appended when it was not given.
	Echo phpjson.Object
}

// Offset is the index of the page's first row.
func (q *Query) Offset() int64 {
	if q.Page > (1<<62)/int64(q.PerPage) {
		return 1 << 62
	}
	return (q.Page - 1) * int64(q.PerPage)
}

// Has reports whether key was given.
func (q *Query) Has(key string) bool {
	for _, f := range q.Echo {
		if f.Key == key {
			return true
		}
	}
	return false
}

// Default is the query of a list endpoint without filters.
func Default() *Query {
	return &Query{Ints: map[string]int64{}, Texts: map[string]string{}, Bools: map[string]bool{},
		Page: 1, PerPage: DefaultPerPage, Echo: phpjson.Object{{Key: "per_page", Value: DefaultPerPage}}}
}

// Parse reads rest, the escaped path after ".../filter" ("/client_id/1,2"),
// against spec.
func Parse(rest string, spec Spec) (*Query, error) {
	rest = strings.TrimPrefix(rest, "/")
	q := Default()
	q.Echo = nil
	if rest != "" {
		segs := strings.Split(rest, "/")
		// A trailing slash ends the path unless it closes an empty value:
		// /client_name/ filters by "", /page/2/ is just /page/2.
		if len(segs)%2 != 0 && segs[len(segs)-1] == "" {
			segs = segs[:len(segs)-1]
		}
		if len(segs)%2 != 0 {
			return nil, fail(msgPairs, len(segs), segs[len(segs)-1])
		}
		for i := 0; i < len(segs); i += 2 {
			key, err := unescape(segs[i])
			if err != nil {
				return nil, err
			}
			val, err := unescape(segs[i+1])
			if err != nil {
				return nil, err
			}
			kind, ok := spec.kind(key)
			if !ok {
				return nil, fail(msgUnknownKey, key, spec.keys())
			}
			if err := q.apply(key, kind, val); err != nil {
				return nil, err
			}
			q.echo(key, val)
		}
	}
	if !q.Has("per_page") {
		q.Echo = append(q.Echo, phpjson.Field{Key: "per_page", Value: q.PerPage})
	} else {
		q.echo("per_page", q.PerPage)
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return nil, fail(msgDateOrder, q.From.Format(time.DateOnly), q.To.AddDate(0, 0, -1).Format(time.DateOnly))
	}
	return q, nil
}

// echo records key's value for the response's "filters": a repeated key
// keeps its first slot and takes the last value.
func (q *Query) echo(key string, v any) {
	for i := range q.Echo {
		if q.Echo[i].Key == key {
			q.Echo[i].Value = v
			return
		}
	}
	q.Echo = append(q.Echo, phpjson.Field{Key: key, Value: v})
}

// unescape URL-decodes a path segment, which must then be UTF-8.
func unescape(s string) (string, error) {
	v, err := url.PathUnescape(s)
	if err != nil {
		return "", fail(msgEscape, s)
	}
	if !utf8.ValidString(v) {
		return "", fail(msgNotUTF8, s)
	}
	return v, nil
}

// maxID keeps ids within what PostgreSQL's bigint and every client can hold.
const maxID = 1<<53 - 1

// parseInt reads a non-negative decimal integer up to maxID.
func parseInt(s string) (int64, bool) {
	if s == "" || len(s) > 16 || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n <= maxID
}

// apply reads one key's value into q, by the key's kind.
func (q *Query) apply(key string, kind Kind, val string) error {
	switch kind {
	case IDList:
		return q.applyIDs(key, val)
	case Int:
		n, ok := parseInt(strings.TrimSpace(val))
		if !ok {
			return fail(msgInt, key, val)
		}
		q.Ints[key] = n
	case Text:
		q.Texts[key] = val
	case Phone:
		d := Digits(val)
		if d == "" {
			return fail(msgPhone, val)
		}
		q.Texts[key] = d
	case Bool:
		return q.applyBool(key, val)
	case Date:
		return q.applyDate(key, val)
	case Page:
		n, ok := parseInt(strings.TrimSpace(val))
		if !ok || n < 1 {
			return fail(msgPage, val)
		}
		q.Page = n
	case PerPage:
		n, ok := parseInt(strings.TrimSpace(val))
		if !ok || n < 1 {
			return fail(msgPerPage, val, MaxPerPage)
		}
		q.PerPage = int(min(n, MaxPerPage))
	}
	return nil
}

// applyIDs reads "1" or "1,2,3"; a repeated id counts once.
func (q *Query) applyIDs(key, val string) error {
	ids := []int64{}
	for part := range strings.SplitSeq(val, ",") {
		n, ok := parseInt(strings.TrimSpace(part))
		if !ok {
			return fail(msgIDList, key, val)
		}
		if !slices.Contains(ids, n) {
			ids = append(ids, n)
		}
	}
	q.IDs = ids
	return nil
}

// applyBool reads 1/true or 0/false, any case.
func (q *Query) applyBool(key, val string) error {
	switch strings.ToLower(strings.TrimSpace(val)) {
	case "1", "true":
		q.Bools[key] = true
	case "0", "false":
		q.Bools[key] = false
	default:
		return fail(msgBool, key, val)
	}
	return nil
}

// applyDate reads a whole Moscow day: date_from is its first instant,
// date_to the midnight after it.
func (q *Query) applyDate(key, val string) error {
	d, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(val), clock.Moscow)
	if err != nil {
		return fail(msgDate, key, val)
	}
	if key == "date_to" {
		q.To = d.AddDate(0, 0, 1)
	} else {
		q.From = d
	}
	return nil
}

// Digits keeps only the digits of a phone number, dropping a leading 7 or 8
// of an 11-digit Russian number: the way the panel compares phones (logins,
// the client form's uniqueness rule, the phone filter, the scenario's
// duplicate check).
//
// A phone of digits only (every login a client sends, on every request)
// is returned as it is, with no copy: the builder this used cost three
// allocations a request (issue 16). Bytes are compared, not runes: no
// byte of a multi-byte (or invalid) UTF-8 sequence is an ASCII digit.
func Digits(phone string) string {
	d := phone
	for i := 0; i < len(phone); i++ {
		if c := phone[i]; c < '0' || c > '9' {
			d = onlyDigits(phone)
			break
		}
	}
	if len(d) == 11 && (d[0] == '7' || d[0] == '8') {
		d = d[1:]
	}
	return d
}

// onlyDigits is s without its bytes that are not ASCII digits.
func onlyDigits(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= '0' && c <= '9' {
			b = append(b, c)
		}
	}
	return string(b)
}
