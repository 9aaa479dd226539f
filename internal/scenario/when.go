package scenario

import (
	"errors"
	"fmt"
	"slices"

	"github.com/mockserver/mockserver/internal/strictjson"
	"gopkg.in/yaml.v3"
)

// whenFields is a fault's when as written. Its pointers tell "nth: 0" from
// no nth at all, which FaultWhen's ints cannot; a 0 left unnoticed would
// make the rule hit every request.
type whenFields struct {
	Nth         *int     `yaml:"nth" json:"nth"`
	Every       *int     `yaml:"every" json:"every"`
	After       *int     `yaml:"after" json:"after"`
	Probability *float64 `yaml:"probability" json:"probability"`
	Times       *int     `yaml:"times" json:"times"`
}

// whenKeys are the keys a when may have.
var whenKeys = []string{"nth", "every", "after", "probability", "times"}

// set copies what was written into w and notes the counts given as 0.
func (w *FaultWhen) set(f whenFields) {
	*w = FaultWhen{Probability: f.Probability}
	for _, k := range []struct {
		name string
		from *int
		to   *int
	}{{"nth", f.Nth, &w.Nth}, {"every", f.Every, &w.Every}, {"after", f.After, &w.After}, {"times", f.Times, &w.Times}} {
		if k.from == nil {
			continue
		}
		*k.to = *k.from
		if *k.from == 0 {
			w.zero = append(w.zero, k.name)
		}
	}
}

// UnmarshalYAML reads a scenario's when, rejecting unknown keys as the
// scenario decoder does (a custom decoder does not inherit KnownFields).
// Problems come back as *yaml.TypeError, so decoding goes on past them.
func (w *FaultWhen) UnmarshalYAML(n *yaml.Node) error {
	var problems []string
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i]; !slices.Contains(whenKeys, k.Value) {
				// yaml.v3's own wording, which yamlProblem turns into "unknown key".
				problems = append(problems, fmt.Sprintf("line %d: field %s not found in type scenario.FaultWhen", k.Line, k.Value))
			}
		}
	}
	var f whenFields
	err := n.Decode(&f)
	w.set(f)
	var te *yaml.TypeError
	switch {
	case errors.As(err, &te):
		problems = append(problems, te.Errors...)
	case err != nil:
		return err
	}
	if len(problems) > 0 {
		return &yaml.TypeError{Errors: problems}
	}
	return nil
}

// UnmarshalJSON reads a runtime rule's when (POST /__admin/faults), with
// unknown keys rejected like the rest of the rule.
func (w *FaultWhen) UnmarshalJSON(data []byte) error {
	var f whenFields
	if err := strictjson.Decode(data, &f); err != nil {
		return err
	}
	w.set(f)
	return nil
}
