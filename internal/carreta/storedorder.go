package carreta

import (
	"bytes"
	"encoding/json"
	"time"
	"unicode/utf8"

	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/money"
	"github.com/mockserver/mockserver/internal/phpjson"
)

// A made page of the order list read each of its 100 orders in two steps:
// decodeOrder copied the stored record's strings into an orderRecord (a
// dozen small allocations an order, and the collector's work after them),
// then appendOrder wrote them out again. That was some 60% of a made
// page's CPU over HTTP (issue 16). appendStoredOrder writes the answer's
// order straight from the stored bytes, which it reads in place (bbolt's
// memory map, inside the read transaction), when the record is in the form
// the store writes: json.Marshal of orderRecord, or insert's and
// spliceHead's splices of it, which keep its members in its order. For
// anything else (another order of the members, whitespace, a value in
// another form, a string that is not UTF-8) it reports false and the
// caller takes the two steps, so every record answers exactly as before,
// byte for byte or with the same error.
//
// Nothing of the answer is stored ahead: status, status_display and
// comment change with every move (SPEC §12) and the status names with the
// scenario, so the answer is made from the record as it stands, and a
// state file of any earlier version reads as it did.

// storedOrder is a stored record as appendStoredOrder reads it: where the
// values the answer shows are, within the record. Numbers and amounts are
// in their canonical form, which the answer repeats as it is.
type storedOrder struct {
	clientComment, code, comment, maker, name, number storedString
	created                                           wallClock
	id, orderQty, periodMax, periodMin, price, total  []byte
	status                                            []byte
}

// storedString is a JSON string as stored: raw, between its quotes, when it
// has no escape (the common case: json.Marshal escapes only quotes,
// backslashes, control characters, <, >, &, U+2028 and U+2029); else
// decoded by json.Unmarshal, as decodeOrder's fast path reads it.
type storedString struct {
	raw []byte
	dec string
	esc bool
}

// appendStoredOrder appends the stored order data as the list shows it,
// the bytes appendOrder writes for decodeOrder's reading of data, and
// reports true; or reports false, dst as it was, when data is not in the
// form the store writes.
func appendStoredOrder(dst, data []byte, t *Statuses) ([]byte, bool) {
	var o storedOrder
	if !scanStoredOrder(data, &o) {
		return dst, false
	}
	start := len(dst)
	out, ok := o.append(dst, t)
	if !ok {
		return out[:start], false
	}
	return out, true
}

// appendListedOrder appends the stored order data as the list shows it:
// in place when appendStoredOrder reads it, else decoded (decodeOrder) and
// encoded (appendOrder), as every order was before.
func appendListedOrder(dst, data []byte, t *Statuses) ([]byte, error) {
	if out, ok := appendStoredOrder(dst, data, t); ok {
		return out, nil
	}
	var o orderRecord
	if err := decodeOrder(data, &o); err != nil {
		return dst, err
	}
	return appendOrder(dst, &o, t), nil
}

// scanStoredOrder finds the members of the record data, which must be
// orderRecord's, in its order, as json.Marshal writes them (auto, qty and
// min_qty may be absent, as its omitempty leaves them, and status_version,
// as in a record stored before it).
func scanStoredOrder(data []byte, o *storedOrder) bool {
	s := scanner{b: data}
	if !s.literal(`{"id":`) || !s.canonicalInt(&o.id, false) ||
		!s.literal(`,"account_id":`) || !s.canonicalInt(nil, false) ||
		!s.literal(`,"number":`) || !s.storedStr(&o.number) {
		return false
	}
	if s.literal(`,"auto":`) && !s.storedAuto() {
		return false
	}
	if !s.literal(`,"status":`) || !s.canonicalInt(&o.status, true) {
		return false
	}
	if s.literal(`,"status_version":`) && !s.canonicalInt(nil, true) {
		return false
	}
	if !s.literal(`,"comment":`) || !s.storedStr(&o.comment) ||
		!s.literal(`,"client_comment":`) || !s.storedStr(&o.clientComment) ||
		!s.literal(`,"created":`) || !s.storedTime(&o.created) ||
		!s.literal(`,"code":`) || !s.storedStr(&o.code) ||
		!s.literal(`,"maker":`) || !s.storedStr(&o.maker) ||
		!s.literal(`,"name":`) || !s.storedStr(&o.name) ||
		!s.literal(`,"price":`) || !s.canonicalAmount(&o.price) {
		return false
	}
	if s.literal(`,"qty":`) && !s.storedStr(nil) {
		return false
	}
	if s.literal(`,"min_qty":`) && !s.canonicalInt(nil, true) {
		return false
	}
	return s.literal(`,"period_min":`) && s.canonicalInt(&o.periodMin, true) &&
		s.literal(`,"period_max":`) && s.canonicalInt(&o.periodMax, true) &&
		s.literal(`,"order_qty":`) && s.canonicalInt(&o.orderQty, true) &&
		s.literal(`,"total":`) && s.canonicalAmount(&o.total) &&
		s.byte('}') && s.i == len(s.b)
}

// literal consumes lit if it is next.
func (s *scanner) literal(lit string) bool {
	if len(s.b)-s.i < len(lit) || string(s.b[s.i:s.i+len(lit)]) != lit {
		return false
	}
	s.i += len(lit)
	return true
}

// storedStr reads a string into v (nil: checked only). A raw one is
// checked for control characters, which are not JSON, as it is written out
// (appendStoredString), or here when it is not; one with an escape is read
// by json.Unmarshal, as decodeOrderFast reads it, or checked by
// validEscapes (a third of the generated orders store a quantity "<10" as
// "\u003c10").
func (s *scanner) storedStr(v *storedString) bool {
	if !s.byte('"') {
		return false
	}
	rest := s.b[s.i:]
	end := 0 // the first quote or backslash: the strings are short, a loop beats two IndexBytes
	for end < len(rest) && rest[end] != '"' && rest[end] != '\\' {
		end++
	}
	if end == len(rest) {
		return false
	}
	if rest[end] == '"' {
		if v != nil {
			*v = storedString{raw: rest[:end]}
		} else if !validEscapes(rest[:end]) {
			return false
		}
		s.i += end + 1
		return true
	}
	if v == nil {
		n, ok := escapedEnd(rest)
		s.i += n
		return ok
	}
	var dec string
	n, ok := escapedEnd(rest)
	if !ok || json.Unmarshal(s.b[s.i-1:s.i+n], &dec) != nil {
		return false
	}
	*v = storedString{dec: dec, esc: true}
	s.i += n
	return true
}

// escapedEnd is the length of the rest of a string (its closing quote
// included) whose escapes validEscapes accepts; false if there are others
// or no closing quote.
func escapedEnd(rest []byte) (int, bool) {
	for j := 0; j < len(rest); j++ {
		switch rest[j] {
		case '\\':
			j++
		case '"':
			return j + 1, validEscapes(rest[:j])
		}
	}
	return 0, false
}

// validEscapes reports whether json.Unmarshal reads s, the inside of a
// string, without an error: no control character, and each backslash one
// of JSON's escapes. (A byte that is not UTF-8 it reads as U+FFFD.)
func validEscapes(s []byte) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20:
			return false
		case c == '\\':
			if i++; i == len(s) {
				return false
			}
			switch s[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+5 > len(s) {
					return false
				}
				for _, h := range s[i+1 : i+5] {
					if !isHex(h) {
						return false
					}
				}
				i += 4
			default:
				return false
			}
		}
	}
	return true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// maxDigits bounds the digits of a number read in place: 18 always fit an
// int64 (and an uint64), so the number needs no range check.
const maxDigits = 18

// canonicalInt reads an integer as strconv writes it (as json.Marshal
// writes it) into v (nil: checked only): no leading zero, no "-0", a minus
// only when signed.
func (s *scanner) canonicalInt(v *[]byte, signed bool) bool {
	j := s.i
	if signed && j < len(s.b) && s.b[j] == '-' {
		j++
	}
	d := j
	for j < len(s.b) && s.b[j] >= '0' && s.b[j] <= '9' {
		j++
	}
	n := j - d
	if n == 0 || n > maxDigits || (s.b[d] == '0' && (n > 1 || d > s.i)) {
		return false
	}
	if v != nil {
		*v = s.b[s.i:j]
	}
	s.i = j
	return true // what would follow (a fraction, an exponent) fails the next literal
}

// canonicalAmount reads an amount as money.Amount's MarshalText writes it
// ("152.02", "-0.50") into v, the text between the quotes: an amount that
// money.Parse reads and Fixed2 writes back the same. Anything else
// ("152.2", "-0.00", beyond money.Max, which UnmarshalText refuses) is
// left to decodeOrder.
func (s *scanner) canonicalAmount(v *[]byte) bool {
	j := s.i
	if j >= len(s.b) || s.b[j] != '"' {
		return false
	}
	j++
	neg := j < len(s.b) && s.b[j] == '-'
	if neg {
		j++
	}
	d := j
	var n int64
	for j < len(s.b) && s.b[j] >= '0' && s.b[j] <= '9' && j-d < 12 {
		n = n*10 + int64(s.b[j]-'0')
		j++
	}
	whole := j - d
	if whole == 0 || (s.b[d] == '0' && whole > 1) || j+4 > len(s.b) || s.b[j] != '.' || s.b[j+3] != '"' {
		return false
	}
	for _, c := range s.b[j+1 : j+3] {
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int64(c-'0')
	}
	if n > int64(money.Max) || (neg && n == 0) {
		return false
	}
	*v = s.b[s.i+1 : j+3]
	s.i = j + 4
	return true
}

// storedAuto checks an order's place on its automatic path as json.Marshal
// writes a *lifecycle.Progress: null, or {"done":N,"next":"<time>"}.
func (s *scanner) storedAuto() bool {
	if s.literal("null") {
		return true
	}
	return s.literal(`{"done":`) && s.canonicalInt(nil, true) &&
		s.literal(`,"next":`) && s.storedTime(nil) && s.byte('}')
}

// storedTime reads a time as time.Time's MarshalJSON writes it, in the
// form parseStoredTime reads, into w as the answer shows it (nil: checked
// only).
func (s *scanner) storedTime(w *wallClock) bool {
	if !s.byte('"') {
		return false
	}
	rest := s.b[s.i:]
	end := bytes.IndexByte(rest, '"')
	if end < 0 {
		return false
	}
	t, offset, ok := parseStoredTime(rest[:end])
	if ok && w != nil {
		*w, ok = t.moscow(offset)
	}
	s.i += end + 1
	return ok
}

// parseStoredTime reads RFC 3339 as time.Time's MarshalJSON writes it
// (2006-01-02T15:04:05.999999999Z07:00, years 0000-9999): the part of what
// time.Parse(time.RFC3339Nano) reads that its own fast path reads, to the
// same instant. It returns the clock as written and its offset east of UTC
// in seconds; anything else is false.
func parseStoredTime(b []byte) (w wallClock, offset int, ok bool) {
	if len(b) < len("2006-01-02T15:04:05Z") || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return w, 0, false
	}
	ok = true
	num := func(d []byte, lo, hi int) int {
		n := 0
		for _, c := range d {
			if c < '0' || c > '9' {
				ok = false
			}
			n = n*10 + int(c-'0')
		}
		if n < lo || n > hi {
			ok = false
		}
		return n
	}
	w = wallClock{year: num(b[0:4], 0, 9999), month: num(b[5:7], 1, 12), day: num(b[8:10], 1, 31),
		hour: num(b[11:13], 0, 23), minute: num(b[14:16], 0, 59), sec: num(b[17:19], 0, 59)}
	if !ok || w.day > daysIn(time.Month(w.month), w.year) {
		return w, 0, false
	}
	rest := b[19:]
	if rest[0] == '.' {
		n := 1
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n == 1 || n > 10 {
			return w, 0, false
		}
		w.nsec = num(rest[1:n], 0, 999_999_999)
		for range 10 - n {
			w.nsec *= 10
		}
		rest = rest[n:]
	}
	switch {
	case len(rest) == 1 && rest[0] == 'Z':
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		offset = (num(rest[1:3], 0, 23)*60 + num(rest[4:6], 0, 59)) * 60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return w, 0, false
	}
	return w, offset, ok
}

// moscowOffset is clock.Moscow's offset east of UTC, in seconds.
const moscowOffset = 3 * 60 * 60

// moscow is the instant w shows at offset on Moscow's clock: the same
// clock when written in Moscow's offset (an order created by a client),
// three hours on when in UTC (a generated one), else through time.Time.
// It is false for a year FormatTime would not write in four digits.
func (w wallClock) moscow(offset int) (wallClock, bool) {
	switch offset {
	case moscowOffset:
		return w, true
	case 0:
		if w.hour += 3; w.hour < 24 {
			return w, true
		}
		w.hour -= 24
		if w.day++; w.day > daysIn(time.Month(w.month), w.year) {
			w.day = 1
			if w.month++; w.month > 12 {
				w.month = 1
				w.year++
			}
		}
		return w, w.year <= 9999
	}
	t := time.Date(w.year, time.Month(w.month), w.day, w.hour, w.minute, w.sec, w.nsec, time.UTC)
	t = t.Add(-time.Duration(offset) * time.Second).In(clock.Moscow)
	y, m, d := t.Date()
	h, mi, s := t.Clock()
	return wallClock{y, int(m), d, h, mi, s, t.Nanosecond()}, y >= 0 && y <= 9999
}

// daysIn is the number of days in month of year (proleptic Gregorian).
func daysIn(month time.Month, year int) int {
	if month == time.February {
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	}
	return 31 - int(month-1)%7%2
}

// wallClock is a calendar date and a clock, to the nanosecond.
type wallClock struct {
	year, month, day, hour, minute, sec, nsec int
}

// append appends w as appendTime appends the time, without the layout's
// interpretation: 2006-01-02T15:04:05 and, unless zero, .000000.
func (w *wallClock) append(dst []byte) []byte {
	two := func(dst []byte, n int) []byte { return append(dst, byte('0'+n/10), byte('0'+n%10)) }
	dst = two(two(dst, w.year/100), w.year%100)
	dst = two(append(dst, '-'), w.month)
	dst = two(append(dst, '-'), w.day)
	dst = two(append(dst, 'T'), w.hour)
	dst = two(append(dst, ':'), w.minute)
	dst = two(append(dst, ':'), w.sec)
	micro := w.nsec / 1000
	if micro == 0 {
		return dst
	}
	return two(two(two(append(dst, '.'), micro/10000), micro/100%100), micro%100)
}

// append appends the order as appendOrder does: the keys in order, the
// strings in Python's escapes, the rest as stored. It is false for a
// string that decodeOrder reads otherwise (not UTF-8: U+FFFD) or refuses
// (a control character).
func (o *storedOrder) append(dst []byte, t *Statuses) ([]byte, bool) {
	var ok [6]bool
	dst, ok[0] = appendStoredString(append(dst, `{"client_comment": `...), &o.clientComment)
	dst, ok[1] = appendStoredString(append(dst, `, "code": `...), &o.code)
	dst, ok[2] = appendStoredString(append(dst, `, "comment": `...), &o.comment)
	dst = o.created.append(append(dst, `, "created": "`...))
	dst = append(append(dst, `", "id": `...), o.id...)
	dst, ok[3] = appendStoredString(append(dst, `, "maker": `...), &o.maker)
	dst, ok[4] = appendStoredString(append(dst, `, "name": `...), &o.name)
	dst, ok[5] = appendStoredString(append(dst, `, "number": `...), &o.number)
	dst = append(append(dst, `, "order_qty": `...), o.orderQty...)
	dst = append(append(dst, `, "period_max": `...), o.periodMax...)
	dst = append(append(dst, `, "period_min": `...), o.periodMin...)
	dst = append(append(dst, `, "price": "`...), o.price...)
	dst = append(append(dst, `", "status": `...), o.status...)
	dst = t.appendWireName(append(dst, `, "status_display": `...), Status(digitsValue(o.status)))
	dst = append(append(dst, `, "total": "`...), o.total...)
	return append(dst, `"}`...), ok == [6]bool{true, true, true, true, true, true}
}

// digitsValue is the value of a number canonicalInt read.
func digitsValue(d []byte) int {
	neg := len(d) > 0 && d[0] == '-'
	if neg {
		d = d[1:]
	}
	n := 0
	for _, c := range d {
		n = n*10 + int(c-'0')
	}
	if neg {
		return -n
	}
	return n
}

// appendStoredString appends v as appendPyString appends the string
// decodeOrder reads. A raw string has no quote or backslash (storedStr saw
// to it): printable ASCII is copied, DEL and every other rune escaped
// (Cyrillic, two bytes a letter, without utf8.DecodeRune); a control
// character or a byte that is not UTF-8 is false.
func appendStoredString(dst []byte, v *storedString) ([]byte, bool) {
	if v.esc {
		return appendPyString(dst, v.dec), true
	}
	s := v.raw
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		dst = append(dst, s[start:i]...)
		switch {
		case c >= 0xc2 && c <= 0xdf && i+1 < len(s) && s[i+1]&0xc0 == 0x80: // U+0080-U+07FF
			for ; i+1 < len(s) && s[i] >= 0xc2 && s[i] <= 0xdf && s[i+1]&0xc0 == 0x80; i += 2 { // a Cyrillic word
				r := uint(s[i]&0x1f)<<6 | uint(s[i+1]&0x3f)
				dst = append(dst, '\\', 'u', '0', lowerHex[r>>8], lowerHex[r>>4&0xf], lowerHex[r&0xf])
			}
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(s[i:])
			if r == utf8.RuneError && size == 1 {
				return dst, false
			}
			dst = phpjson.AppendRuneEscape(dst, r)
			i += size
		case c == 0x7f:
			dst = append(dst, `\u007f`...)
			i++
		default: // a control character
			return dst, false
		}
		start = i
	}
	return append(append(dst, s[start:]...), '"'), true
}

// lowerHex are the digits of Python's \uXXXX escapes.
const lowerHex = "0123456789abcdef"
