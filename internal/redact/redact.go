// Package redact replaces credentials in recorded requests: the values of
// named query parameters and of named fields in JSON, url-encoded and
// multipart bodies. Each vendor API declares its secret names
// (api.Secrets); the server applies them to a journal entry as it is
// recorded, so no plaintext credential is ever held in the journal.
//
// Every function is pure and keeps the shape of what it is given: a query
// stays a query, a JSON body stays JSON (valid JSON stays valid, the
// secret value becomes the string Marker), a form stays a form, and every
// byte that is not a secret value is kept as sent, so the journal still
// shows the request as it arrived. A body none of the forms can read
// passes unchanged: it cannot have carried a field the API would read.
//
// It is a leaf: it imports nothing of this module.
package redact

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/url"
	"slices"
	"strings"

	"github.com/mockserver/mockserver/internal/strictjson"
)

// Marker is what replaces a secret: the same as the journal puts in place
// of an Authorization credential.
const Marker = "[redacted]"

// Query returns the raw query string with the value of every parameter
// named in names replaced by Marker. A name matches decoded (Django and
// PHP decode names: api%5Fkey is api_key), every occurrence, as a repeated
// parameter may be the one the API reads.
func Query(raw string, names []string) string {
	if raw == "" || len(names) == 0 {
		return raw
	}
	// One pass, one buffer, made at the first secret: carreta's every
	// request carries its api_key, and splitting and joining the query
	// cost three allocations a request (issue 16). A Builder's String is
	// its buffer, not a copy of it: one allocation.
	var out strings.Builder
	started := false
	for off := 0; ; {
		p, _, more := strings.Cut(raw[off:], "&")
		k, v, _ := strings.Cut(p, "=")
		switch {
		case v != "" && slices.Contains(names, formName(k)):
			if !started {
				started = true
				out.Grow(len(raw) + len(Marker))
				out.WriteString(raw[:off])
			}
			out.WriteString(k)
			out.WriteByte('=')
			out.WriteString(Marker)
		case started:
			out.WriteString(p)
		}
		if !more {
			break
		}
		if started {
			out.WriteByte('&')
		}
		off += len(p) + 1
	}
	if !started {
		return raw
	}
	return out.String()
}

// HasQueryOrFragment reports whether v holds a "?" or a "#": whether URL
// may have anything to redact in it. Two byte searches, not
// strings.ContainsAny, which builds a set and reads byte by byte: it is
// asked of every request's path and every header value (issue 16).
func HasQueryOrFragment(v string) bool {
	return strings.IndexByte(v, '?') >= 0 || strings.IndexByte(v, '#') >= 0
}

// URL is the URL v with the values of names redacted (Query) in its query
// (between the first "?" and the fragment's "#") and in its fragment: a
// client-side route's own query ("#/search?api_key=") or the fragment's
// pairs ("#access_token="), which a client that sets the header itself
// keeps (a browser leaves the fragment out). v itself when none is there,
// with no allocation. The journal applies it to every header that carries
// a URL (a Referer, a proxy's X-Forwarded-Uri) and to a decoded path.
func URL(v string, names []string) string {
	i := strings.IndexAny(v, "?#")
	if i < 0 {
		return v
	}
	base, query, frag, hasFrag := v[:i], "", v[i+1:], true
	if v[i] == '?' {
		query, frag, hasFrag = strings.Cut(v[i+1:], "#")
	}
	redQuery := Query(query, names)
	redFrag := frag
	if hasFrag {
		if route, q, ok := strings.Cut(frag, "?"); ok {
			if r := Query(q, names); r != q {
				redFrag = route + "?" + r
			}
		} else {
			redFrag = Query(frag, names)
		}
	}
	if redQuery == query && redFrag == frag {
		return v
	}
	out := base
	if v[i] == '?' {
		out += "?" + redQuery
	}
	if hasFrag {
		out += "#" + redFrag
	}
	return out
}

// formName is a url-encoded name decoded as PHP and Django do ("+" is a
// space); a malformed escape is kept as it is. PHP's name mangling (a
// "pass[x]" array) is not applied: a secret field of these APIs is a
// plain name.
func formName(k string) string {
	if d, err := url.QueryUnescape(k); err == nil {
		return d
	}
	return k
}

// Body returns body with the value of every field named in names replaced
// by Marker, reading it by contentType: multipart/form-data by its parts;
// otherwise as JSON when it starts (after white space) with { or [, else as
// url-encoded. It never fails: what it cannot read it keeps.
func Body(body []byte, contentType string, names []string) []byte {
	if len(body) == 0 || len(names) == 0 {
		return body
	}
	mt, params, _ := mime.ParseMediaType(contentType)
	if mt == "multipart/form-data" {
		return multipartBody(body, params["boundary"], names)
	}
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		return JSON(body, names)
	}
	if q := Query(string(body), names); q != string(body) {
		return []byte(q)
	}
	return body
}

// JSON returns body with the value of every object member named in names,
// at any depth, replaced by the JSON string Marker: a string, number or
// literal value (an object or array value is kept; its own members are
// looked at in turn). It scans tokens rather than decoding, so the rest of
// the body keeps its bytes and a body that is not valid JSON (which the
// API refuses, but the journal still keeps) is redacted as far as it can be
// read.
func JSON(body []byte, names []string) []byte {
	var out []byte // nil until something is replaced
	last := 0      // body[last:] is not yet copied to out
	for i := 0; i < len(body); i++ {
		if body[i] != '"' {
			continue
		}
		end := strictjson.StringEnd(body, i)
		if end < 0 {
			break
		}
		key := body[i:end]
		j := strictjson.SkipSpace(body, end)
		if j >= len(body) || body[j] != ':' || !named(key, names) {
			i = end - 1
			continue
		}
		vs := strictjson.SkipSpace(body, j+1)
		ve := scalarEnd(body, vs)
		if ve <= vs {
			i = end - 1 // an object or array value: its members come next
			continue
		}
		out = append(append(out, body[last:vs]...), `"`+Marker+`"`...)
		last, i = ve, ve-1
	}
	if out == nil {
		return body
	}
	return append(out, body[last:]...)
}

// named reports whether the JSON string token key decodes to one of names.
// A key without a backslash is its own bytes between the quotes and is
// compared as it is (the names are printable ASCII, so a key with control
// bytes or invalid UTF-8, which decoding refuses or changes, matches none
// either way): decoding every member's key of every body was most of a
// carreta order's redaction, some 5 us a write (issue 16).
func named(key []byte, names []string) bool {
	if raw := key[1 : len(key)-1]; bytes.IndexByte(raw, '\\') < 0 {
		for _, n := range names {
			if string(raw) == n {
				return true
			}
		}
		return false
	}
	var s string
	if json.Unmarshal(key, &s) != nil {
		return false
	}
	return slices.Contains(names, s)
}

// scalarEnd is the end of the string, number or literal starting at
// body[i]; i itself (nothing) for an object, an array or the end.
func scalarEnd(body []byte, i int) int {
	if i >= len(body) {
		return i
	}
	switch body[i] {
	case '{', '[':
		return i
	case '"':
		if e := strictjson.StringEnd(body, i); e > 0 {
			return e
		}
		return len(body) // an unclosed string: all of it is the value
	}
	j := i
	for j < len(body) && !strings.ContainsRune(" \t\r\n,}]", rune(body[j])) {
		j++
	}
	return j
}

// multipartBody replaces the content of every part whose form name is in
// names, keeping each part's headers and every boundary as sent.
func multipartBody(body []byte, boundary string, names []string) []byte {
	if boundary == "" {
		return body
	}
	delim := []byte("--" + boundary)
	chunks := bytes.Split(body, delim)
	changed := false
	for i, c := range chunks {
		head, content, ok := bytes.Cut(c, []byte("\r\n\r\n"))
		if i == 0 || !ok || !slices.Contains(names, partName(head)) {
			continue
		}
		// The part's content ends at the CRLF before the next delimiter.
		tail := ""
		if bytes.HasSuffix(content, []byte("\r\n")) {
			tail = "\r\n"
		}
		// Clipped, so the append copies: the body is the request's own.
		chunks[i] = append(append(slices.Clip(head), "\r\n\r\n"+Marker...), tail...)
		changed = true
	}
	if !changed {
		return body
	}
	return bytes.Join(chunks, delim)
}

// partName is the form name in a part's Content-Disposition header.
func partName(head []byte) string {
	for _, line := range strings.Split(string(head), "\r\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "Content-Disposition") {
			continue
		}
		if _, params, err := mime.ParseMediaType(strings.TrimSpace(v)); err == nil {
			return params["name"]
		}
	}
	return ""
}

// Omit returns the JSON object rec without its top-level members named in
// names. A record is what json.Marshal wrote (compact), and so is what
// Omit writes: the members kept keep their bytes and their order. What is
// not a JSON object, or names nothing, is returned as it is.
func Omit(rec []byte, names []string) []byte {
	if len(names) == 0 || !slices.ContainsFunc(names, func(n string) bool { return bytes.Contains(rec, []byte(`"`+n+`"`)) }) {
		return rec
	}
	dec := json.NewDecoder(bytes.NewReader(rec))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return rec
	}
	out := []byte{'{'}
	for dec.More() {
		k, err := dec.Token()
		key, ok := k.(string)
		var v json.RawMessage
		if err != nil || !ok || dec.Decode(&v) != nil {
			return rec
		}
		if slices.Contains(names, key) {
			continue
		}
		kb, _ := json.Marshal(key)
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(append(append(out, kb...), ':'), v...)
	}
	return append(out, '}')
}
