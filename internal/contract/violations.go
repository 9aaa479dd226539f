package contract

import (
	"strconv"
	"strings"

	"github.com/mockserver/mockserver/internal/jsonschema"
	"github.com/mockserver/mockserver/internal/jsonschema/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// pointer is a JSON pointer into the document ("#/paths/~1v1~1order~1"),
// each part escaped as RFC 6901 says.
func pointer(parts ...string) string {
	var b strings.Builder
	b.WriteString("#")
	for _, p := range parts {
		b.WriteString("/")
		b.WriteString(token(p))
	}
	return b.String()
}

// token is one reference token of a JSON pointer, escaped.
func token(s string) string { return tokenEscaper.Replace(s) }

var tokenEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// printer words the validator's messages.
var printer = message.NewPrinter(language.English)

// validate checks v against sch, whose pointer is at, and turns each
// failed keyword into a Violation: the pointer to the keyword below at, as
// if every $ref on the way were written out in place (so a failure points
// into the operation that got it, not into a shared component), and what
// is wrong, after the failing value's place in the instance.
func validate(sch *jsonschema.Schema, v any, at string) []Violation {
	err := sch.Validate(v)
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return []Violation{{Path: at, Message: err.Error()}}
	}
	var out []Violation
	leaves(ve, "", "", func(e *jsonschema.ValidationError, kw string) {
		msg := e.ErrorKind.LocalizedString(printer)
		if len(e.InstanceLocation) > 0 {
			msg = fieldPath(e.InstanceLocation) + ": " + msg
		}
		out = append(out, Violation{Path: at + kw, Message: msg})
	})
	return out
}

// leaves calls found with every failure of e that has no causes, and the
// keyword location of it (its evaluation path without the $refs), as the
// validator's own output formats work it out.
func leaves(e *jsonschema.ValidationError, schemaURL, kwLoc string, found func(*jsonschema.ValidationError, string)) {
	ref, isRef := e.ErrorKind.(*kind.Reference)
	if schemaURL != "" {
		kwLoc += strings.TrimPrefix(e.SchemaURL, schemaURL)
		if isRef {
			kwLoc += keywords(ref.KeywordPath())
		}
	}
	if isRef {
		schemaURL = ref.URL
	} else {
		schemaURL = e.SchemaURL
	}
	if len(e.Causes) == 0 {
		found(e, kwLoc+keywords(e.ErrorKind.KeywordPath()))
		return
	}
	for _, cause := range e.Causes {
		leaves(cause, schemaURL, kwLoc, found)
	}
}

// keywords is a keyword path as pointer tokens, without the reference
// keywords: the location reads as if the referenced schema were inline.
func keywords(path []string) string {
	var b strings.Builder
	for _, k := range path {
		if k == "$ref" || k == "$dynamicRef" {
			continue
		}
		b.WriteString("/" + token(k))
	}
	return b.String()
}

// fieldPath is an instance location as a JSONPath ("$.items[0].price").
func fieldPath(loc []string) string {
	var b strings.Builder
	b.WriteString("$")
	for _, p := range loc {
		if _, err := strconv.Atoi(p); err == nil {
			b.WriteString("[" + p + "]")
		} else {
			b.WriteString("." + p)
		}
	}
	return b.String()
}
