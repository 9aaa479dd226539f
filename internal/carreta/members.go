package carreta

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"

	"github.com/mockserver/mockserver/internal/strictjson"
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
	i := strictjson.SkipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return nil, false
	}
	m = make(map[string]json.RawMessage, 12)
	for i = strictjson.SkipSpace(body, i+1); body[i] != '}'; {
		// body is valid: a key, a colon, a value, then a comma or the end.
		end := strictjson.StringEnd(body, i)
		key := body[i+1 : end-1]
		if bytes.IndexByte(key, '\\') >= 0 || !utf8.Valid(key) {
			return nil, false
		}
		start := strictjson.SkipSpace(body, strictjson.SkipSpace(body, end)+1) // past the colon
		stop := valueEnd(body, start)
		m[string(key)] = body[start:stop:stop]
		if i = strictjson.SkipSpace(body, stop); body[i] == ',' {
			i = strictjson.SkipSpace(body, i+1)
		}
	}
	return m, true
}

// valueEnd is the offset just past the value that starts at b[i], in
// valid JSON.
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return strictjson.StringEnd(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = strictjson.StringEnd(b, i) - 1
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
