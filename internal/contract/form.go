package contract

import (
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/mockserver/mockserver/internal/saplab/phpform"
	"github.com/pb33f/libopenapi-validator/content"
	"github.com/pb33f/libopenapi/datamodel/high/base"
)

// phpForm decodes a form body as PHP's $_POST does, with the panel's own
// reader (internal/saplab/phpform): wholesalers[inn]=... becomes
// {"wholesalers": {"inn": ...}}, which is what a deepObject-encoded property
// of the document means. Every form value is text; a value whose schema is
// a number or an integer becomes one when it reads as one, so the schema
// can say "integer" as the vendor's tables do and still refuse "abc".
func phpForm() content.Decoder {
	return content.DecoderFunc(func(in *content.DecodeInput) (any, error) {
		body, err := io.ReadAll(in.Body)
		if err != nil {
			return nil, err
		}
		v, err := phpform.ParseBody(in.Header.Get("Content-Type"), body)
		if err != nil {
			return nil, err
		}
		return formValue(v, in.Schema), nil
	})
}

// formValue is v as JSON-like data, typed by schema where it can be.
func formValue(v *phpform.Value, schema *base.Schema) any {
	if !v.IsArray() {
		return scalar(v.String(), schema)
	}
	out := map[string]any{}
	for _, k := range v.Keys() {
		out[k] = formValue(v.Get(k), property(schema, k))
	}
	return out
}

// property is the schema of key in an object schema, or nil. A schema
// with a sibling of its $ref (a required list beside the shared form) is
// an allOf of the two, so the parts are searched too.
func property(schema *base.Schema, key string) *base.Schema {
	if schema == nil {
		return nil
	}
	if schema.Properties != nil {
		if p := schema.Properties.GetOrZero(key); p != nil {
			return p.Schema()
		}
	}
	for _, part := range schema.AllOf {
		if p := property(part.Schema(), key); p != nil {
			return p
		}
	}
	return nil
}

// scalar is s as the number its schema asks for, when it reads as one,
// surrounding blanks ignored as the panel ignores them in numbers.
func scalar(s string, schema *base.Schema) any {
	if schema == nil {
		return s
	}
	if slices.Contains(schema.Type, "integer") {
		if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
			return n
		}
	}
	if slices.Contains(schema.Type, "number") {
		if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
			return f
		}
	}
	return s
}
