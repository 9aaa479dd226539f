// Package phpjson encodes JSON the way PHP's json_encode does with its default
// flags, which is what amapi (Laravel) and saplab (plain PHP) put on the wire:
// compact, non-ASCII escaped as lowercase \uXXXX (surrogate pairs above the
// BMP), "/" escaped as "\/", and object keys in insertion order.
//
// Go structs keep their declaration order, so a wire type declares its fields
// in the order the vendor document shows. Object gives that order to keys
// that are only known at run time.
package phpjson

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// Marshal encodes v like PHP's json_encode($v).
func Marshal(v any) ([]byte, error) {
	plain, err := Plain(v)
	if err != nil {
		return nil, err
	}
	return Escape(make([]byte, 0, escapedLen(plain)), plain), nil
}

// escapedLen is the size of src once escaped, so Escape appends into one
// allocation: Russian text triples (two bytes become \uXXXX).
func escapedLen(src []byte) int {
	n := len(src)
	for _, c := range src {
		switch {
		case c == '/':
			n++
		case c >= 0xF0:
			n += 8
		case c >= 0xE0:
			n += 3
		case c >= 0xC0:
			n += 4
		}
	}
	return n
}

// Plain is encoding/json's compact output without its HTML escaping of <, >
// and & (neither PHP nor Python escapes them) and without the trailing
// newline: the common starting point of both vendor encoders.
func Plain(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
}

// Escape appends src, a JSON text made by encoding/json, to dst with PHP's
// escaping applied. Outside strings JSON is pure ASCII without "/", so the
// rewrite needs no string tracking.
//
// Runs of plain ASCII are copied whole, and two-byte sequences (all of
// Cyrillic) are decoded inline: a saplab list page is tens of kilobytes of
// mostly Russian text.
func Escape(dst, src []byte) []byte {
	start := 0 // first byte of src not yet copied to dst
	for i := 0; i < len(src); {
		c := src[i]
		if c < utf8.RuneSelf && c != '/' {
			i++
			continue
		}
		dst = append(dst, src[start:i]...)
		switch {
		case c == '/':
			dst = append(dst, '\\', '/')
			i++
		case c&0xE0 == 0xC0 && i+1 < len(src) && src[i+1]&0xC0 == 0x80 && c >= 0xC2:
			dst = appendU(dst, rune(c&0x1F)<<6|rune(src[i+1]&0x3F))
			i += 2
		default:
			r, size := utf8.DecodeRune(src[i:])
			dst = AppendRuneEscape(dst, r)
			i += size
		}
		start = i
	}
	return append(dst, src[start:]...)
}

const hexDigits = "0123456789abcdef"

// AppendRuneEscape appends r as \uXXXX, or as a UTF-16 surrogate pair of two
// such escapes above U+FFFF, the form both PHP and Python use.
func AppendRuneEscape(dst []byte, r rune) []byte {
	if r > 0xFFFF {
		r -= 0x10000
		dst = appendU(dst, 0xD800+(r>>10))
		return appendU(dst, 0xDC00+(r&0x3FF))
	}
	return appendU(dst, r)
}

func appendU(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u',
		hexDigits[(r>>12)&0xF], hexDigits[(r>>8)&0xF], hexDigits[(r>>4)&0xF], hexDigits[r&0xF])
}

// Field is one key and value of an Object.
type Field struct {
	Key   string
	Value any
}

// Object is a JSON object whose keys keep the order they were added in, as a
// PHP associative array does (Go maps would sort them).
type Object []Field

// MarshalJSON writes the fields in order.
func (o Object) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, err := json.Marshal(f.Key)
		if err != nil {
			return nil, err
		}
		buf.Write(k)
		buf.WriteByte(':')
		v, err := Plain(f.Value)
		if err != nil {
			return nil, err
		}
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}
