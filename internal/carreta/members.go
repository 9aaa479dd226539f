package carreta

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// objectMembers is what json.Unmarshal into a map[string]json.RawMessage
// gives for body, a JSON object whose keys hold no escape, without
// reflection: each member's value is its bytes in body (not a copy), and
// a repeated key takes its last value, as there. ok is false for anything
// else (not valid JSON, not an object, a key with an escape or that is
// not UTF-8, which encoding/json would rewrite), which the
// caller decodes with json.Unmarshal, so every answer to such a body is
// encoding/json's. A durable order spent a tenth of its CPU in process
// decoding its body into the map (issue 16).
func objectMembers(body []byte) (m map[string]json.RawMessage, ok bool) {
	if !json.Valid(body) {
		return nil, false
	}
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return nil, false
	}
	m = make(map[string]json.RawMessage, 12)
	for i = skipSpace(body, i+1); body[i] != '}'; {
		// body is valid: a key, a colon, a value, then a comma or the end.
		end := stringEnd(body, i)
		key := body[i+1 : end-1]
		if bytes.IndexByte(key, '\\') >= 0 || !utf8.Valid(key) {
			return nil, false
		}
		start := skipSpace(body, skipSpace(body, end)+1) // past the colon
		stop := valueEnd(body, start)
		m[string(key)] = body[start:stop:stop]
		if i = skipSpace(body, stop); body[i] == ',' {
			i = skipSpace(body, i+1)
		}
	}
	return m, true
}

// skipSpace is the offset of the first byte at or after i that is not
// JSON whitespace.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd is the offset just past the string that starts at b[i] (its
// opening quote), in valid JSON.
func stringEnd(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}

// valueEnd is the offset just past the value that starts at b[i], in
// valid JSON.
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = stringEnd(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return i
	}
	for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\t' && b[i] != '\n' && b[i] != '\r' {
		i++
	}
	return i
}
