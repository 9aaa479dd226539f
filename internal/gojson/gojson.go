// Package gojson appends the very bytes encoding/json's Marshal writes for
// a string, a time and a member name, without reflection: the records a
// durable write stores (saplab's position, client and ledger entry,
// carreta's order and its history) are encoded by hand with it, and must
// stay byte for byte what json.Marshal made of them, since the state files
// hold them and every reader compares and scans those bytes (issue 16: a
// record's reflection walk was a tenth of a saplab pay's processor time
// besides bbolt's). The tests compare every appender with json.Marshal.
package gojson

import (
	"strconv"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

const hex = "0123456789abcdef"

// safe marks the ASCII bytes json.Marshal copies as they are inside a
// string: printable, neither '"' nor '\\', nor '<', '>' and '&', which it
// escapes (its default, HTML-safe, output).
var safe = func() (t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\' && b != '<' && b != '>' && b != '&'
	}
	return t
}()

// AppendString appends s as json.Marshal writes a string: quoted, with
// '"', '\\' and the control bytes escaped (\b \f \n \r \t short, others as
// \u00XX), '<', '>' and '&' as \u003c, \u003e and \u0026, U+2028 and
// U+2029 escaped, and every invalid UTF-8 byte as \ufffd.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if safe[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = appendEscape(dst, b)
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			dst = append(append(dst, s[start:i]...), `\ufffd`...)
		case c == '\u2028' || c == '\u2029':
			dst = append(append(dst, s[start:i]...), '\\', 'u', '2', '0', '2', hex[c&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(append(dst, s[start:]...), '"')
}

// appendEscape appends the escape of an ASCII byte that is not safe.
func appendEscape(dst []byte, b byte) []byte {
	switch b {
	case '\\', '"':
		return append(dst, '\\', b)
	case '\b':
		return append(dst, '\\', 'b')
	case '\f':
		return append(dst, '\\', 'f')
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	return append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
}

// AppendTime appends t as json.Marshal writes a time.Time (RFC 3339 with
// nanoseconds, quoted); false when json.Marshal would fail on it (a year
// outside [0,9999], a zone offset of a day or more): the caller then lets
// json.Marshal report it.
func AppendTime(dst []byte, t time.Time) ([]byte, bool) {
	dst = append(dst, '"')
	dst, err := t.AppendText(dst)
	return append(dst, '"'), err == nil
}

// Key appends a member's name and its colon, after a comma unless it is
// the object's first (dst ends with '{'). name must need no escaping (the
// json tags of the records: ASCII letters, digits and '_').
func Key(dst []byte, name string) []byte {
	if len(dst) > 0 && dst[len(dst)-1] != '{' {
		dst = append(dst, ',')
	}
	dst = append(append(append(dst, '"'), name...), '"', ':')
	return dst
}

// AppendInt appends v as json.Marshal writes an integer.
func AppendInt(dst []byte, v int64) []byte { return strconv.AppendInt(dst, v, 10) }

// AppendUint appends v as json.Marshal writes an unsigned integer.
func AppendUint(dst []byte, v uint64) []byte { return strconv.AppendUint(dst, v, 10) }

// AppendBool appends true or false.
func AppendBool(dst []byte, v bool) []byte { return strconv.AppendBool(dst, v) }

// Unquote is the string json.Unmarshal reads from the JSON string token
// raw (quotes included), escapes decoded: \uXXXX pairs of surrogates into
// one rune, a lone surrogate into U+FFFD, as encoding/json does. false for
// what it leaves to json.Unmarshal: anything but a string token of valid
// UTF-8 with no control byte and only JSON's escapes.
func Unquote(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' || !utf8.Valid(raw) {
		return "", false
	}
	s := raw[1 : len(raw)-1]
	b := make([]byte, 0, len(s))
	for r := 0; r < len(s); {
		c := s[r]
		switch {
		case c == '"' || c < ' ':
			return "", false
		case c != '\\':
			b = append(b, c)
			r++
			continue
		}
		if r+1 >= len(s) {
			return "", false
		}
		if e := shortEscape(s[r+1]); e != 0 {
			b = append(b, e)
			r += 2
			continue
		}
		rr, n := escapedRune(s[r:])
		if n == 0 {
			return "", false
		}
		b = utf8.AppendRune(b, rr)
		r += n
	}
	return string(b), true
}

// shortEscape is the byte of the escape \c, 0 for \u or an invalid one.
func shortEscape(c byte) byte {
	switch c {
	case '"', '\\', '/':
		return c
	case 'b':
		return '\b'
	case 'f':
		return '\f'
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	}
	return 0
}

// escapedRune reads the \uXXXX escape at the start of s, and the one after
// it when the two are a surrogate pair: the rune and the bytes read (0:
// not such an escape). A surrogate not followed by its pair is U+FFFD.
func escapedRune(s []byte) (rune, int) {
	rr := hex4(s)
	if rr < 0 {
		return 0, 0
	}
	if utf16.IsSurrogate(rr) {
		if dec := utf16.DecodeRune(rr, hex4(s[6:])); dec != unicode.ReplacementChar {
			return dec, 12
		}
		return unicode.ReplacementChar, 6
	}
	return rr, 6
}

// hex4 is the code unit of the escape \uXXXX at the start of s, or -1.
func hex4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}
