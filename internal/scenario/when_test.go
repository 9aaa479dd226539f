package scenario_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/mockserver/mockserver/internal/scenario"
)

// Runtime rules arrive as JSON; a count written as 0 must be caught there
// too, not read as "not given".
func TestCheckFault_zeroCountsInJSON(t *testing.T) {
	cases := []struct {
		when string
		want []scenario.FieldProblem
	}{
		{`{"nth": 0}`, []scenario.FieldProblem{{Field: "when.nth", Message: "nth must be a positive integer, got 0"}}},
		{`{"every": 0, "times": 0}`, []scenario.FieldProblem{
			{Field: "when.every", Message: "every must be a positive integer, got 0"},
			{Field: "when.times", Message: "times must be a positive integer, got 0"}}},
		{`{"after": 0}`, []scenario.FieldProblem{{Field: "when.after", Message: "after must be a positive integer, got 0 (to hit every request, leave when out)"}}},
		{`{"nth": -1}`, []scenario.FieldProblem{{Field: "when.nth", Message: "nth must be a positive integer, got -1"}}},
		{`{"nth": 1, "times": 2}`, nil},
		{`{"probability": 0}`, nil},
		{`{}`, nil},
		{`null`, nil},
	}
	for _, c := range cases {
		t.Run(c.when, func(t *testing.T) {
			var f scenario.Fault
			body := `{"id": "f", "api": "carreta", "path": "/v1/order/", "when": ` + c.when + `, "action": {"status": 503}}`
			if err := json.Unmarshal([]byte(body), &f); err != nil {
				t.Fatal(err)
			}
			if got := scenario.CheckFault(&f); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("problems %+v, want %+v", got, c.want)
			}
		})
	}
}
