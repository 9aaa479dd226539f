package fault

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/mockserver/mockserver/internal/scenario"
	"github.com/mockserver/mockserver/internal/strictjson"
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
	var rules []scenario.Fault
	var err error
	if trimmed[0] == '[' {
		err = strictjson.Decode(trimmed, &rules)
	} else {
		var one scenario.Fault
		if err = strictjson.Decode(trimmed, &one); err == nil {
			rules = []scenario.Fault{one}
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
