package carreta

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/money"
	"github.com/mockserver/mockserver/internal/phpjson"
)

// A page of the order list is 100 orders read from the state file and
// encoded for the wire. With encoding/json both ways (reflection, a
// validation pass, then pyjson's second pass over the output) a page made
// cost about 3.5 ms of CPU, at 1k orders as at 100k, so 32 clients on one
// core waited some 100 ms at p50 for a list made after a write (issue 16,
// bench/run.sh scale). decodeOrder and appendOrderPage do the same work
// for the shapes the store and the list produce, byte for byte, and fall
// back to encoding/json for anything else.

// decodeOrder reads an order as stored (json.Marshal of orderRecord): the
// fast path when the record is in the form json.Marshal writes, else
// json.Unmarshal, so the result is always json.Unmarshal's.
func decodeOrder(data []byte, o *orderRecord) error {
	if decodeOrderFast(data, o) {
		return nil
	}
	*o = orderRecord{}
	return json.Unmarshal(data, o)
}

// decodeOrderFast decodes data into o (zero on entry) and reports false,
// o half-filled, for what it does not read itself: whitespace, an unknown
// key, a value of another type.
func decodeOrderFast(data []byte, o *orderRecord) bool {
	if !utf8.Valid(data) {
		return false
	}
	s := scanner{b: data}
	if !s.byte('{') {
		return false
	}
	if s.byte('}') {
		return s.i == len(s.b)
	}
	for {
		k, ok := s.str()
		if !ok || !s.byte(':') || !s.orderField(o, k) {
			return false
		}
		if !s.byte(',') {
			return s.byte('}') && s.i == len(s.b)
		}
	}
}

// orderField reads the value of key k into o.
func (s *scanner) orderField(o *orderRecord, k string) bool {
	ok := true
	switch k {
	case "id":
		o.ID, ok = s.uint()
	case "account_id":
		o.AccountID, ok = s.uint()
	case "number":
		o.Number, ok = s.str()
	case "auto":
		var raw []byte
		if raw, ok = s.value(); ok {
			ok = json.Unmarshal(raw, &o.Auto) == nil
		}
	case "status":
		var n int
		n, ok = s.int()
		o.Status = Status(n)
	case "status_version":
		o.StatusVersion, ok = s.int()
	case "comment":
		o.Comment, ok = s.str()
	case "client_comment":
		o.ClientComment, ok = s.str()
	case "created":
		o.Created, ok = s.time()
	case "code":
		o.Code, ok = s.str()
	case "maker":
		o.Maker, ok = s.str()
	case "name":
		o.Name, ok = s.str()
	default:
		return s.orderNumber(o, k)
	}
	return ok
}

// orderNumber reads the value of a key k holding a number or an amount,
// other than the ids and statuses, into o.
func (s *scanner) orderNumber(o *orderRecord, k string) bool {
	var ok bool
	switch k {
	case "price":
		o.Price, ok = s.amount()
	case "total":
		o.Total, ok = s.amount()
	case "qty":
		o.Qty, ok = s.str()
	case "min_qty":
		o.MinQty, ok = s.int()
	case "period_min":
		o.PeriodMin, ok = s.int()
	case "period_max":
		o.PeriodMax, ok = s.int()
	case "order_qty":
		o.OrderQty, ok = s.int()
	}
	return ok
}

// scanner reads compact JSON as json.Marshal writes it.
type scanner struct {
	b []byte
	i int
}

// byte consumes c if it is next.
func (s *scanner) byte(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// str reads a string. One with an escape (json.Marshal writes "<" as
// \u003c: a quantity "<10") is handed to json.Unmarshal whole, so it
// reads exactly as it always did; a control character is not JSON.
func (s *scanner) str() (string, bool) {
	start := s.i
	if !s.byte('"') {
		return "", false
	}
	escaped := false
	for j := s.i; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '"':
			s.i = j + 1
			if !escaped {
				return string(s.b[start+1 : j]), true
			}
			var v string
			return v, json.Unmarshal(s.b[start:s.i], &v) == nil
		case c == '\\':
			escaped = true
			j++
		case c < 0x20:
			return "", false
		}
	}
	return "", false
}

// digits reads an optional minus and decimal digits, which must not go on
// as a fraction or an exponent.
func (s *scanner) digits() ([]byte, bool) {
	j := s.i
	if j < len(s.b) && s.b[j] == '-' {
		j++
	}
	for j < len(s.b) && s.b[j] >= '0' && s.b[j] <= '9' {
		j++
	}
	if j < len(s.b) && (s.b[j] == '.' || s.b[j] == 'e' || s.b[j] == 'E') {
		return nil, false
	}
	d := s.b[s.i:j]
	s.i = j
	return d, len(d) > 0
}

func (s *scanner) uint() (uint64, bool) {
	d, ok := s.digits()
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(string(d), 10, 64)
	return n, err == nil
}

func (s *scanner) int64() (int64, bool) {
	d, ok := s.digits()
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(string(d), 10, 64)
	return n, err == nil
}

func (s *scanner) int() (int, bool) {
	n, ok := s.int64()
	return int(n), ok && int64(int(n)) == n
}

// amount reads an amount as money.Amount's MarshalText writes it (a
// string, "152.02"), as its UnmarshalText reads it.
func (s *scanner) amount() (money.Amount, bool) {
	v, ok := s.str()
	if !ok {
		return 0, false
	}
	a, err := money.Parse(v)
	return a, err == nil
}

// time reads a time as time.Time's MarshalJSON writes it (RFC 3339 with
// nanoseconds).
func (s *scanner) time() (time.Time, bool) {
	v, ok := s.str()
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	return t, err == nil
}

// value skips one value of any kind and returns its bytes, for
// json.Unmarshal to read (an order's place on its automatic path).
func (s *scanner) value() ([]byte, bool) {
	start, depth, inStr := s.i, 0, false
	for ; s.i < len(s.b); s.i++ {
		c := s.b[s.i]
		if inStr {
			if c == '\\' {
				s.i++
			} else if c == '"' {
				inStr = false
				if depth == 0 {
					s.i++
					return s.b[start:s.i], true
				}
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 { // the end of the enclosing object: a scalar ended
				return s.b[start:s.i], s.i > start
			}
			if depth--; depth == 0 {
				s.i++
				return s.b[start:s.i], true
			}
		case ',':
			if depth == 0 {
				return s.b[start:s.i], s.i > start
			}
		}
	}
	return nil, false
}

// appendOrder appends o as appendOrderWire appends toOrderWire(o, t),
// without the wire struct's strings: the amounts and the time are
// formatted straight into dst.
func appendOrder(dst []byte, o *orderRecord, t *Statuses) []byte {
	dst = appendPyString(append(dst, `{"client_comment": `...), o.ClientComment)
	dst = appendPyString(append(dst, `, "code": `...), o.Code)
	dst = appendPyString(append(dst, `, "comment": `...), o.Comment)
	dst = appendTime(append(dst, `, "created": "`...), o.Created)
	dst = strconv.AppendUint(append(dst, `", "id": `...), o.ID, 10)
	dst = appendPyString(append(dst, `, "maker": `...), o.Maker)
	dst = appendPyString(append(dst, `, "name": `...), o.Name)
	dst = appendPyString(append(dst, `, "number": `...), o.Number)
	dst = strconv.AppendInt(append(dst, `, "order_qty": `...), int64(o.OrderQty), 10)
	dst = strconv.AppendInt(append(dst, `, "period_max": `...), int64(o.PeriodMax), 10)
	dst = strconv.AppendInt(append(dst, `, "period_min": `...), int64(o.PeriodMin), 10)
	dst = appendFixed2(append(dst, `, "price": "`...), o.Price)
	dst = strconv.AppendInt(append(dst, `", "status": `...), int64(o.Status), 10)
	dst = appendPyString(append(dst, `, "status_display": `...), t.Name(o.Status))
	dst = appendFixed2(append(dst, `, "total": "`...), o.Total)
	return append(dst, `"}`...)
}

// appendTime appends FormatTime(t) (ASCII digits: no escape).
func appendTime(dst []byte, t time.Time) []byte {
	t = t.In(clock.Moscow)
	if t.Nanosecond()/1000 == 0 {
		return t.AppendFormat(dst, "2006-01-02T15:04:05")
	}
	return t.AppendFormat(dst, "2006-01-02T15:04:05.000000")
}

// appendFixed2 appends a.Fixed2() ("-152.02"; ASCII: no escape).
func appendFixed2(dst []byte, a money.Amount) []byte {
	v := int64(a)
	if v < 0 {
		dst = append(dst, '-')
	}
	u := uint64(v)
	if v < 0 {
		u = -u // math.MinInt64 too
	}
	dst = strconv.AppendUint(dst, u/100, 10)
	return append(dst, '.', byte('0'+u%100/10), byte('0'+u%10))
}

// appendOrderWire appends w as pyjson.Marshal encodes it (the tests hold
// appendOrder to it).
func appendOrderWire(dst []byte, w *orderWire) []byte {
	dst = appendPyString(append(dst, `{"client_comment": `...), w.ClientComment)
	dst = appendPyString(append(dst, `, "code": `...), w.Code)
	dst = appendPyString(append(dst, `, "comment": `...), w.Comment)
	dst = appendPyString(append(dst, `, "created": `...), w.Created)
	dst = strconv.AppendUint(append(dst, `, "id": `...), w.ID, 10)
	dst = appendPyString(append(dst, `, "maker": `...), w.Maker)
	dst = appendPyString(append(dst, `, "name": `...), w.Name)
	dst = appendPyString(append(dst, `, "number": `...), w.Number)
	dst = strconv.AppendInt(append(dst, `, "order_qty": `...), int64(w.OrderQty), 10)
	dst = strconv.AppendInt(append(dst, `, "period_max": `...), int64(w.PeriodMax), 10)
	dst = strconv.AppendInt(append(dst, `, "period_min": `...), int64(w.PeriodMin), 10)
	dst = appendPyString(append(dst, `, "price": `...), w.Price)
	dst = strconv.AppendInt(append(dst, `, "status": `...), int64(w.Status), 10)
	dst = appendPyString(append(dst, `, "status_display": `...), w.StatusDisplay)
	dst = appendPyString(append(dst, `, "total": `...), w.Total)
	return append(dst, '}')
}

// appendPyString appends s as a JSON string as pyjson.Reformat leaves
// encoding/json's (HTML escaping off): printable ASCII as it is but for
// `"` and `\`, the control characters as encoding/json escapes them, DEL
// and everything beyond ASCII as \uXXXX (surrogate pairs above U+FFFF), a
// byte that is not UTF-8 as \ufffd.
func appendPyString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			i++
			continue
		}
		dst = append(dst, s[start:i]...)
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			dst = phpjson.AppendRuneEscape(dst, r) // RuneError for a stray byte: \ufffd
			i += size
			start = i
			continue
		}
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\b':
			dst = append(dst, `\b`...)
		case '\f':
			dst = append(dst, `\f`...)
		case '\n':
			dst = append(dst, `\n`...)
		case '\r':
			dst = append(dst, `\r`...)
		case '\t':
			dst = append(dst, `\t`...)
		default: // the other control characters and DEL
			dst = phpjson.AppendRuneEscape(dst, rune(c))
		}
		i++
		start = i
	}
	return append(append(dst, s[start:]...), '"')
}
