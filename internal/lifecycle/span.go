package lifecycle

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Base is what a Span counts from.
type Base int

// The bases of a span: a plain duration, or the order's period_min or
// period_max in days (carreta's offer fields; saplab's deliverytime_min
// and deliverytime_max).
const (
	Plain Base = iota
	PeriodMin
	PeriodMax
)

// baseNames are the words a scenario writes for PeriodMin and PeriodMax.
var baseNames = map[Base]string{PeriodMin: "period_min", PeriodMax: "period_max"}

// Span is a length of time a step waits: Offset alone, or the order's
// period in days plus Offset ("period_max+12h", "period_min-1d").
type Span struct {
	Base   Base
	Offset time.Duration
}

// MaxSpan bounds a span's offset: ten years is far beyond any delivery,
// and keeps every sum of spans far from overflowing a time.Duration.
const MaxSpan = 3650 * 24 * time.Hour

// day is the unit of periods and of the "d" suffix.
const day = 24 * time.Hour

// errSpan is the one complaint about a span's form; the caller names the
// text.
var errSpan = errors.New("not a time span")

// ParseSpan reads a span: a duration as Go writes it with days allowed
// ("90m", "2d", "1d12h", "-30m"), or period_min / period_max optionally
// followed by + or - and a duration ("period_max+12h").
func ParseSpan(s string) (Span, error) {
	s = strings.TrimSpace(s)
	for base, name := range baseNames {
		rest, ok := strings.CutPrefix(s, name)
		if !ok {
			continue
		}
		rest = strings.TrimSpace(rest)
		if rest == "" {
			return Span{Base: base}, nil
		}
		sign := rest[0]
		if sign != '+' && sign != '-' {
			return Span{}, errSpan
		}
		d, err := parseDuration(strings.TrimSpace(rest[1:]))
		if err != nil || d < 0 {
			return Span{}, errSpan
		}
		if sign == '-' {
			d = -d
		}
		return Span{Base: base, Offset: d}, nil
	}
	d, err := parseDuration(s)
	if err != nil {
		return Span{}, err
	}
	return Span{Offset: d}, nil
}

// parseDuration is time.ParseDuration with a leading whole number of days
// allowed ("2d", "1d12h", "-1d"), bounded by MaxSpan.
func parseDuration(s string) (time.Duration, error) {
	neg := strings.HasPrefix(s, "-")
	body := strings.TrimPrefix(s, "-")
	var days int64
	if i := strings.IndexByte(body, 'd'); i > 0 {
		n, err := strconv.ParseInt(body[:i], 10, 64)
		if err != nil || n > int64(MaxSpan/day) {
			return 0, errSpan
		}
		days, body = n, body[i+1:]
	}
	var rest time.Duration
	if body != "" || days == 0 {
		d, err := time.ParseDuration(body)
		if err != nil || d < 0 || d > MaxSpan {
			return 0, errSpan
		}
		rest = d
	}
	d := time.Duration(days)*day + rest
	if d > MaxSpan {
		return 0, errSpan
	}
	if neg {
		d = -d
	}
	return d, nil
}

// String writes the span as a scenario would ("-2h", "period_max+12h").
func (s Span) String() string {
	name, ok := baseNames[s.Base]
	switch {
	case !ok:
		return short(s.Offset)
	case s.Offset > 0:
		return name + "+" + short(s.Offset)
	case s.Offset < 0:
		return name + short(s.Offset)
	}
	return name
}

// short is d as Go writes it without the zero minutes and seconds Go
// adds: "2h", not "2h0m0s".
func short(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// periods is an order's delivery period in days.
type periods struct{ min, max int }

// eval is the span's length for an order; a span that comes out negative
// (period_min-1d of a same-day part) waits nothing.
func (s Span) eval(p periods) time.Duration {
	d := s.Offset
	switch s.Base {
	case PeriodMin:
		d += time.Duration(p.min) * day
	case PeriodMax:
		d += time.Duration(p.max) * day
	}
	return max(d, 0)
}

// Delay is a span, or a range of spans {min, max} an order draws from
// uniformly (to the microsecond, the finest time the vendors print).
type Delay struct {
	Min Span
	Max Span
}

// draw is the order's wait: a range whose ends come out reversed for the
// order (period_min+2d against period_max of a short window) is read from
// its lower end.
func (d *Delay) draw(p periods, r uint64) time.Duration {
	lo, hi := d.Min.eval(p), d.Max.eval(p)
	if hi <= lo {
		return lo
	}
	steps := uint64((hi-lo)/time.Microsecond) + 1
	return lo + time.Duration(r%steps)*time.Microsecond
}

// Ranged reports whether the delay is a range rather than one span.
func (d *Delay) Ranged() bool { return d.Min != d.Max }

// UnmarshalYAML reads "2h", "period_max+12h" or {min: ..., max: ...}.
// Problems come back as *yaml.TypeError, which the scenario loader places
// on their line and reports with every other problem. A custom decoder
// does not inherit the loader's KnownFields, so unknown keys are refused
// here.
func (d *Delay) UnmarshalYAML(n *yaml.Node) error {
	bad := func(line int, format string, args ...any) error {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: ", line) + fmt.Sprintf(format, args...)}}
	}
	switch n.Kind {
	case yaml.ScalarNode:
		s, err := ParseSpan(n.Value)
		if err != nil {
			return bad(n.Line, msgSpan, n.Value)
		}
		*d = Delay{Min: s, Max: s}
		return nil
	case yaml.MappingNode:
		var out Delay
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value != "min" && k.Value != "max" {
				return bad(k.Line, "unknown key %q in a delay range (min, max)", k.Value)
			}
			s, err := ParseSpan(v.Value)
			if v.Kind != yaml.ScalarNode || err != nil {
				return bad(v.Line, msgSpan, v.Value)
			}
			if k.Value == "min" {
				out.Min = s
			} else {
				out.Max = s
			}
			seen[k.Value] = true
		}
		if !seen["min"] || !seen["max"] {
			return bad(n.Line, "a delay range needs both min and max")
		}
		*d = out
		return nil
	}
	return bad(n.Line, "a delay is a time span like 2h or period_max+12h, or {min, max}")
}

// msgSpan is the complaint about a span that does not parse.
const msgSpan = "%q is not a time span like 90m, 2d12h, period_min or period_max+12h"
