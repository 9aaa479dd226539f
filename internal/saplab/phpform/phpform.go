// Package phpform decodes request fields the way PHP fills $_POST and $_GET,
// which is what the Saplab panel reads: nested keys (`a[k]=v`), appends
// (`a[]=v`), the last plain value winning, and PHP's mangling of top-level
// names. No well-kept Go library reproduces these rules (net/url keeps every
// repeated value and knows nothing of brackets), so this is a small decoder of
// our own, table-tested and fuzzed.
//
// The rules follow php_register_variable_ex (main/php_variables.c):
//   - leading spaces of a name are dropped; in the top-level part, ' ' and '.'
//     become '_', and a '[' without a closing ']' becomes '_' (the rest of the
//     name is then kept as is);
//   - `a[b][c]` nests; `a[]` appends at the next integer index;
//   - assigning into a name that holds a plain value replaces it with an
//     array, and a plain assignment replaces whatever was there.
//
// Unlike PHP, invalid UTF-8 and absurd inputs are errors rather than silently
// kept or dropped: the panel could not store them, and an integrator is better
// told than surprised.
package phpform

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits PHP applies by default (max_input_vars, max_input_nesting_level).
const (
	MaxVars    = 1000
	MaxNesting = 64
)

// Errors the decoder returns; callers turn them into a 400.
var (
	ErrInvalidUTF8  = errors.New("the form is not valid UTF-8")
	ErrTooManyVars  = fmt.Errorf("more than %d form fields", MaxVars)
	ErrTooDeep      = fmt.Errorf("form field nested deeper than %d levels", MaxNesting)
	ErrUnsupported  = errors.New("the body is not a form")
	ErrBadMultipart = errors.New("the multipart body cannot be read")
)

// Value is one PHP value: a string, or an ordered array of values.
type Value struct {
	str   string
	array bool
	keys  []string
	items map[string]*Value
	next  int64 // next index for a[]
}

// NewArray returns an empty array, the root of a form.
func NewArray() *Value { return &Value{array: true, items: map[string]*Value{}} }

// emptyArray is what ParseQuery gives for an empty text.
var emptyArray = NewArray()

// IsArray reports whether v is an array.
func (v *Value) IsArray() bool { return v != nil && v.array }

// String is v's text; arrays (PHP would print "Array") and nil give "".
func (v *Value) String() string {
	if v == nil || v.array {
		return ""
	}
	return v.str
}

// Keys lists an array's keys in insertion order.
func (v *Value) Keys() []string {
	if !v.IsArray() {
		return nil
	}
	return v.keys
}

// Get returns the element under key, or nil.
func (v *Value) Get(key string) *Value {
	if !v.IsArray() {
		return nil
	}
	return v.items[key]
}

// Text returns the plain value under key and whether there is one; an array
// under key counts as absent, as `(string)` of it would be useless.
func (v *Value) Text(key string) (string, bool) {
	e := v.Get(key)
	if e == nil || e.array {
		return "", false
	}
	return e.str, true
}

// set stores child under key, keeping the key's first position (PHP arrays
// keep the slot of a key that is overwritten) and moving the append index.
func (v *Value) set(key string, child *Value) {
	if _, ok := v.items[key]; !ok {
		v.keys = append(v.keys, key)
	}
	v.items[key] = child
	if n, err := strconv.ParseInt(key, 10, 64); err == nil && strconv.FormatInt(n, 10) == key && n >= v.next {
		if n < 1<<62 {
			v.next = n + 1
		}
	}
}

// appendIndex is the key `a[]` writes to.
func (v *Value) appendIndex() string { return strconv.FormatInt(v.next, 10) }

// Pair is one name=value as it arrived.
type Pair struct{ Name, Value string }

// ParseQuery decodes an application/x-www-form-urlencoded text (a body or a
// query string) into PHP's array. An empty text is one shared empty array,
// which no one can change (a Value has no exported setter; only Build's own
// roots are assigned to): most panel GETs have no query, and parsing it
// was two allocations a request (issue 16).
func ParseQuery(s string) (*Value, error) {
	if s == "" {
		return emptyArray, nil
	}
	pairs, err := SplitQuery(s)
	if err != nil {
		return nil, err
	}
	return Build(pairs)
}

// SplitQuery splits s on '&' and URL-decodes names and values like PHP's
// urldecode: '+' is a space and a '%' not followed by two hex digits stays as
// it is.
func SplitQuery(s string) ([]Pair, error) {
	var pairs []Pair
	for part := range strings.SplitSeq(s, "&") {
		if part == "" {
			continue
		}
		name, value, _ := strings.Cut(part, "=")
		pairs = append(pairs, Pair{Name: urldecode(name), Value: urldecode(value)})
		if len(pairs) > MaxVars {
			return nil, ErrTooManyVars
		}
	}
	return pairs, nil
}

// urldecode is PHP's urldecode: "+" is a space, a valid %XX its byte, and
// anything else, a malformed escape included, is kept as it is.
func urldecode(s string) string {
	if !strings.ContainsAny(s, "+%") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s) && ishex(s[i+1]) && ishex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// ishex reports whether c is a hex digit.
func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// unhex is the value of the hex digit c.
func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// ParseBody decodes a request body by its Content-Type: url-encoded (also
// assumed when the type is missing, as a bare client sends it) or
// multipart/form-data (what PHP's curl sends for an array of fields). A JSON
// body is ErrUnsupported: the panel reads $_POST only. Any other type
// (text/plain, image/png, nonsense) is an empty form: PHP fills $_POST
// from those two types only, whatever the body holds.
func ParseBody(contentType string, body []byte) (*Value, error) {
	mt, params, _ := mime.ParseMediaType(contentType)
	switch {
	case mt == "multipart/form-data":
		pairs, err := splitMultipart(body, params["boundary"])
		if err != nil {
			return nil, err
		}
		return Build(pairs)
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return nil, ErrUnsupported
	case strings.TrimSpace(contentType) == "" || mt == "application/x-www-form-urlencoded":
		return ParseQuery(string(body))
	}
	return NewArray(), nil
}

// splitMultipart reads a multipart/form-data body's fields in order;
// uploaded files are skipped, as PHP puts them in $_FILES.
func splitMultipart(body []byte, boundary string) ([]Pair, error) {
	if boundary == "" {
		return nil, ErrBadMultipart
	}
	r := multipart.NewReader(bytes.NewReader(body), boundary)
	var pairs []Pair
	for {
		p, err := r.NextPart()
		if errors.Is(err, io.EOF) {
			return pairs, nil
		}
		if err != nil {
			return nil, ErrBadMultipart
		}
		var sb strings.Builder
		if _, err := io.Copy(&sb, p); err != nil {
			return nil, ErrBadMultipart
		}
		if p.FileName() != "" {
			continue // $_FILES, not $_POST
		}
		pairs = append(pairs, Pair{Name: p.FormName(), Value: sb.String()})
		if len(pairs) > MaxVars {
			return nil, ErrTooManyVars
		}
	}
}

// Build assigns pairs in order into a PHP array.
func Build(pairs []Pair) (*Value, error) {
	root := NewArray()
	for _, p := range pairs {
		if !utf8.ValidString(p.Name) || !utf8.ValidString(p.Value) {
			return nil, ErrInvalidUTF8
		}
		path, ok, err := SplitName(p.Name)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		assign(root, path, p.Value)
	}
	return root, nil
}

// SplitName turns a field name into the keys it assigns to: "a[b][]" gives
// "a", "b", "" ("" meaning append). ok is false for names PHP ignores (empty
// after mangling).
func SplitName(name string) (keys []string, ok bool, err error) {
	name = strings.TrimLeft(name, " ")
	// The top-level part ends at the first '[' that has a ']' after it.
	open := strings.IndexByte(name, '[')
	top := name
	rest := ""
	if open == 0 {
		return nil, false, nil // PHP drops a variable with an empty name
	}
	if open > 0 {
		if strings.IndexByte(name[open:], ']') < 0 {
			// An unclosed '[' becomes '_' and the rest is taken literally.
			top = mangle(name[:open]) + "_" + strings.ReplaceAll(mangle(name[open+1:]), "[", "_")
			return []string{top}, true, nil
		}
		top, rest = name[:open], name[open:]
	}
	top = mangle(top)
	if top == "" {
		return nil, false, nil
	}
	keys = []string{top}
	for rest != "" {
		if rest[0] != '[' {
			break // PHP ignores whatever follows the last ']'
		}
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			break
		}
		keys = append(keys, rest[1:end])
		if len(keys) > MaxNesting {
			return nil, false, ErrTooDeep
		}
		rest = rest[end+1:]
	}
	return keys, true, nil
}

// mangle applies PHP's renaming of the top-level name: ' ' and '.' are not
// allowed in variable names and become '_'.
func mangle(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '.' {
			return '_'
		}
		return r
	}, s)
}

// assign sets value at the path keys under root, as PHP does for
// name[a][]=value: an empty key appends, and a scalar in the way is
// replaced by an array.
func assign(root *Value, keys []string, value string) {
	cur := root
	for i, k := range keys {
		if k == "" {
			k = cur.appendIndex()
		}
		if i == len(keys)-1 {
			cur.set(k, &Value{str: value})
			return
		}
		next := cur.items[k]
		if next == nil || !next.array {
			next = NewArray()
			cur.set(k, next)
		}
		cur = next
	}
}

// Checkbox reads an HTML checkbox: absent is false (a browser sends nothing
// for an unticked box, and the panel's forms are built on that); "on", "1",
// "true" and "yes" are true; "", "0", "off", "false" and "no" are false. Any
// other text is an error, so a typo is reported instead of guessed at.
func Checkbox(v *Value, key string) (bool, error) {
	s, ok := v.Text(key)
	if !ok {
		if v.Get(key) != nil {
			return false, fmt.Errorf("field %s is a list, not a checkbox", key)
		}
		return false, nil
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "on", "1", "true", "yes":
		return true, nil
	case "", "0", "off", "false", "no":
		return false, nil
	}
	return false, fmt.Errorf("field %s=%q is not a checkbox value (on, 1, true or 0, off, false)", key, s)
}
