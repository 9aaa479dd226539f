package scenario

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gopkg.in/yaml.v3"
)

// Delay is a fault's pause before it acts: fixed ("1500ms") or drawn from a
// range ({min: 100ms, max: 2s}). Min == Max for a fixed delay.
type Delay struct {
	Min time.Duration
	Max time.Duration
}

// UnmarshalYAML reads either form. Problems come back as *yaml.TypeError so
// the decoder reports them with their line and goes on to the next one.
func (d *Delay) UnmarshalYAML(n *yaml.Node) error {
	bad := func(format string, args ...any) error {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: ", n.Line) + fmt.Sprintf(format, args...)}}
	}
	switch n.Kind {
	case yaml.ScalarNode:
		v, err := time.ParseDuration(n.Value)
		if err != nil || v < 0 {
			return bad("delay %q is not a duration like 1500ms or 2s", n.Value)
		}
		*d = Delay{Min: v, Max: v}
		return nil
	case yaml.MappingNode:
		var out Delay
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			dur, err := time.ParseDuration(v.Value)
			if v.Kind != yaml.ScalarNode || err != nil || dur < 0 {
				return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: delay %s %q is not a duration like 100ms", v.Line, k.Value, v.Value)}}
			}
			switch k.Value {
			case "min":
				out.Min = dur
			case "max":
				out.Max = dur
			default:
				return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: unknown key %q in delay (min, max)", k.Line, k.Value)}}
			}
			seen[k.Value] = true
		}
		if !seen["min"] || !seen["max"] {
			return bad("a delay range needs both min and max")
		}
		if out.Max < out.Min {
			return bad("delay max %s is below min %s", out.Max, out.Min)
		}
		*d = out
		return nil
	}
	return bad("delay must be a duration or {min, max}")
}

// MarshalJSON writes "1.5s" for a fixed delay and {"min","max"} for a range.
func (d Delay) MarshalJSON() ([]byte, error) {
	if d.Min == d.Max {
		return json.Marshal(d.Min.String())
	}
	return json.Marshal(struct {
		Min string `json:"min"`
		Max string `json:"max"`
	}{d.Min.String(), d.Max.String()})
}

// UnmarshalJSON reads the same two forms from control-API bodies.
func (d *Delay) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil || v < 0 {
			return fmt.Errorf("delay %q is not a duration like 1500ms", s)
		}
		*d = Delay{Min: v, Max: v}
		return nil
	}
	var r map[string]string
	if err := json.Unmarshal(data, &r); err != nil || r == nil {
		return errors.New("delay must be a duration string or {\"min\",\"max\"}")
	}
	for k := range r {
		if k != "min" && k != "max" {
			return fmt.Errorf("unknown key %q in delay (min, max)", k)
		}
	}
	lo, err1 := time.ParseDuration(r["min"])
	hi, err2 := time.ParseDuration(r["max"])
	if err1 != nil || err2 != nil || lo < 0 || hi < lo {
		return fmt.Errorf("delay range {min: %q, max: %q} is not two durations with min <= max", r["min"], r["max"])
	}
	*d = Delay{Min: lo, Max: hi}
	return nil
}
