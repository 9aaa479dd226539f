package contract

import (
	"github.com/mockserver/mockserver/internal/saplab/phpform"
)

// formBody decodes a form body as PHP's $_POST does, with the panel's own
// reader (internal/saplab/phpform): wholesalers[inn]=... becomes
// {"wholesalers": {"inn": ...}}, which is what a deepObject-encoded property
// of the document means. Every form value is text; a value whose schema is
// a number or an integer becomes one when it reads as one, so the schema
// can say "integer" as the vendor's tables do and still refuse "abc".
func (c *Contract) formBody(contentType string, body []byte, schema any) (any, error) {
	v, err := phpform.ParseBody(contentType, body)
	if err != nil {
		return nil, err
	}
	return c.formValue(v, schema), nil
}

// formValue is v as JSON-like data, typed by schema where it can be.
func (c *Contract) formValue(v *phpform.Value, schema any) any {
	if !v.IsArray() {
		if schema == nil {
			return v.String()
		}
		return typed(v.String(), c.doc.types(schema))
	}
	out := map[string]any{}
	for _, k := range v.Keys() {
		out[k] = c.formValue(v.Get(k), c.doc.property(schema, k))
	}
	return out
}
