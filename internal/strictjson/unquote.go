package strictjson

import (
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

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
	u, ok := uEscape(s)
	if !ok {
		return 0, 0
	}
	rr := rune(u)
	if utf16.IsSurrogate(rr) {
		if low, ok := uEscape(s[6:]); ok {
			if dec := utf16.DecodeRune(rr, rune(low)); dec != unicode.ReplacementChar {
				return dec, 12
			}
		}
		return unicode.ReplacementChar, 6
	}
	return rr, 6
}

// uEscape is the code unit of the escape \uXXXX at the start of s.
func uEscape(s []byte) (int, bool) {
	if len(s) < 2 || s[0] != '\\' || s[1] != 'u' {
		return 0, false
	}
	return hex4(s, 2)
}
