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
