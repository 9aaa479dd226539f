// Package pyjson encodes JSON the way carreta's Django views do, with
// Python's json.dumps(obj, sort_keys=True) defaults: separators ", " and ": ",
// ensure_ascii (every character outside printable ASCII, DEL included, as
// lowercase \uXXXX), "/" left alone. The 401 body {"error": "Unauthorized."}
// is compared byte for byte by real PHP clients, so the spacing matters.
//
// Encoding is one pass over encoding/json's output. Maps come out sorted by
// encoding/json; structs must declare their fields in sorted key order, which
// Sorted checks in tests.
package pyjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/mockserver/mockserver/internal/phpjson"
)

// Marshal encodes v like json.dumps(v, sort_keys=True).
func Marshal(v any) ([]byte, error) {
	src, err := phpjson.Plain(v)
	if err != nil {
		return nil, err
	}
	return Reformat(make([]byte, 0, len(src)+len(src)/4), src), nil
}

// Reformat appends src, compact JSON from encoding/json, to dst with Python's
// separators and escaping.
func Reformat(dst, src []byte) []byte {
	inString := false
	for i := 0; i < len(src); {
		c := src[i]
		if inString {
			switch {
			case c == '\\':
				dst = append(dst, c, src[i+1])
				i += 2
				continue
			case c == '"':
				inString = false
				dst = append(dst, c)
			case c == 0x7f:
				dst = append(dst, `\u007f`...)
			case c >= utf8.RuneSelf:
				r, size := utf8.DecodeRune(src[i:])
				dst = phpjson.AppendRuneEscape(dst, r)
				i += size
				continue
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		switch c {
		case '"':
			inString = true
			dst = append(dst, c)
		case ',':
			dst = append(dst, ',', ' ')
		case ':':
			dst = append(dst, ':', ' ')
		default:
			dst = append(dst, c)
		}
		i++
	}
	return dst
}

// Sorted reports an error naming the first object whose keys are not in
// ascending order, as sort_keys=True would put them. Tests call it on every
// body a wire type produces.
func Sorted(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	var check func() error
	check = func() error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			prev := ""
			first := true
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				k := kt.(string)
				if !first && k < prev {
					return fmt.Errorf("key %q comes after %q", k, prev)
				}
				prev, first = k, false
				if err := check(); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		case json.Delim('['):
			for dec.More() {
				if err := check(); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		}
		return nil
	}
	return check()
}
