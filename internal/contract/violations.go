package contract

import (
	"strings"

	liberrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/helpers"
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

// violations turns the library's errors about the operation at template and
// method into Violations: one per failed schema keyword, with the pointer
// to that keyword, or one per error when no schema was involved. body is
// the pointer to the schema of the body the errors are about.
func violations(errs []*liberrors.ValidationError, template, method string, body []string) []Violation {
	var out []Violation
	op := []string{"paths", template, strings.ToLower(method)}
	for _, e := range errs {
		at := pointer(append(op, where(e, body)...)...)
		if len(e.SchemaValidationErrors) == 0 {
			out = append(out, Violation{Path: at, Message: message(e)})
			continue
		}
		for _, s := range e.SchemaValidationErrors {
			msg := s.Reason
			if s.FieldPath != "" {
				msg = s.FieldPath + ": " + msg
			}
			out = append(out, Violation{Path: at + keyword(e, s.KeywordLocation), Message: msg})
		}
	}
	return out
}

// keyword is the location of the failed keyword below the part where
// points at. The library locates a parameter's keyword from the document's
// root (in its own spelling of the path); the part after the parameter is
// what is kept.
func keyword(e *liberrors.ValidationError, loc string) string {
	if e.ValidationType != helpers.ParameterValidation {
		return loc
	}
	if _, after, ok := strings.Cut(loc, "/parameters/"+e.ParameterName); ok {
		return after
	}
	return loc
}

// where is the part of the operation an error is about, as pointer parts.
func where(e *liberrors.ValidationError, body []string) []string {
	switch e.ValidationType {
	case helpers.ParameterValidation:
		return []string{"parameters", e.ParameterName}
	case helpers.SecurityValidation:
		return []string{"security"}
	case helpers.RequestBodyValidation, helpers.URLEncodedValidation, helpers.ResponseBodyValidation:
		if len(e.SchemaValidationErrors) > 0 {
			return body
		}
		return body[:len(body)-3] // the body or the response as a whole
	}
	return nil
}

// message is an error without schema failures in one line.
func message(e *liberrors.ValidationError) string {
	if e.Reason == "" || e.Reason == e.Message {
		return e.Message
	}
	return e.Message + ": " + e.Reason
}
