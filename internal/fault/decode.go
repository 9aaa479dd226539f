package fault

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/mockserver/mockserver/internal/scenario"
)

// ParseRules reads the body of POST /__admin/faults: one rule as a JSON
// object, or a JSON list of them, with the keys of a scenario's faults:
// entries. Unknown keys and wrong types are errors (a *RuleError), so a typo
// never arms a rule that silently differs from what was meant. The rules
// are not checked further here: Injector.Add does that.
func ParseRules(body []byte) ([]scenario.Fault, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, &RuleError{Problems: []string{`send a rule as a JSON object, or a list of them, like {"id": "x", "api": "carreta", "path": "/v1/order/", "action": {"status": 503}}`}}
	}
	if !utf8.Valid(trimmed) {
		return nil, &RuleError{Problems: []string{"the body is not valid UTF-8"}}
	}
	list := trimmed[0] == '['
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	var rules []scenario.Fault
	var err error
	if list {
		err = dec.Decode(&rules)
	} else {
		var one scenario.Fault
		if err = dec.Decode(&one); err == nil {
			rules = []scenario.Fault{one}
		}
	}
	if err == nil {
		if _, more := dec.Token(); !errors.Is(more, io.EOF) {
			err = errors.New("unexpected data after the JSON value")
		}
	}
	if err != nil {
		return nil, &RuleError{Problems: []string{jsonProblem(err)}}
	}
	return rules, nil
}

// jsonProblem says what encoding/json found wrong in words about the rule,
// not about Go types.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		want := map[string]string{"int": "an integer", "string": "text", "bool": "true or false",
			"float64": "a number", "map[string]string": "an object of header: value"}[te.Type.String()]
		if want == "" {
			want = "an object"
			if strings.HasPrefix(te.Type.String(), "[]") {
				want = "a list"
			}
		}
		if te.Field == "" {
			return fmt.Sprintf("a rule is a JSON object (or a list of them), got %s", te.Value)
		}
		return fmt.Sprintf("%s: got %s where %s belongs", te.Field, te.Value, want)
	case errors.As(err, &se):
		return fmt.Sprintf("not valid JSON at byte %d: %v", se.Offset, err)
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if strings.HasPrefix(msg, "unknown field ") {
		return "unknown key " + strings.TrimPrefix(msg, "unknown field ")
	}
	return msg
}
