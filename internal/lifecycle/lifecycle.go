// Package lifecycle moves orders along their statuses over simulated time
// (SPEC §12): a scenario describes the steps an order takes after it is
// created (carreta.lifecycle, saplab.lifecycle), and this package turns
// one order and that description into its schedule, the list of moves with
// the time each falls due.
//
// The schedule is a pure function of the plan, the scenario seed and the
// order (its id, creation time and delivery period): nothing here reads a
// clock or a global random source. The same scenario, seed and requests
// give the same moves at the same instants on every run and machine, and a
// restarted server recomputes exactly the schedule it had from what it
// stored. The vendor packages decide what a move means (carreta's history
// text, saplab's deny rule) and when to write it; Queue (queue.go) tells
// them, cheaply, whether anything has fallen due.
//
// Both vendors use this package because the rule is one rule: STYLE.md's
// "if two vendors need it, it moves down to a small shared package".
package lifecycle

import (
	"crypto/sha256"
	"encoding/binary"
	"time"

	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/gojson"
)

// Plan is a scenario's lifecycle: the steps an order takes, in order, after
// it is created. A nil or empty plan moves nothing.
type Plan struct {
	Steps []Step `yaml:"steps"`
}

// Step is one move of the plan. Its time is After the previous move (the
// order's creation for the first step) or At a time after the creation;
// exactly one of the two is given. Branches, when one is drawn, replace the
// step and end the order's path there (an order that is out of stock or
// cancelled moves no further).
type Step struct {
	// Status is the status moved to, in the vendor's own key: carreta
	// writes status:, saplab status_id: (its section names every status
	// reference so). Check holds a plan to its vendor's key.
	Status   int64    `yaml:"status"`
	StatusID int64    `yaml:"status_id"`
	After    *Delay   `yaml:"after"`
	At       *Delay   `yaml:"at"`
	Branches []Branch `yaml:"branches"`
}

// Branch is an alternative to its step, taken with probability P (drawn
// per order from the seed and the order id). Its time is its own After or
// At, or else the step's.
type Branch struct {
	Status   int64    `yaml:"status"`
	StatusID int64    `yaml:"status_id"`
	P        *float64 `yaml:"p"`
	After    *Delay   `yaml:"after"`
	At       *Delay   `yaml:"at"`
}

// target is the status a step or branch names, in whichever key it used.
func target(status, statusID int64) int64 {
	if status != 0 {
		return status
	}
	return statusID
}

// Order is what a schedule depends on: who the order is (its id seeds the
// draws), when it was created, and its delivery period in days, which
// period_min and period_max name.
type Order struct {
	ID        uint64
	Created   time.Time
	PeriodMin int
	PeriodMax int
}

// Move is one status change of a schedule and the instant it falls due.
type Move struct {
	At     time.Time
	Status int64
}

// Progress is how far a stored order has come along its schedule, kept in
// the order's record by both vendors: Done moves are applied, and Next is
// when the next one falls due. An order whose moves are all applied, or
// that was taken off its path by hand, keeps no Progress at all.
type Progress struct {
	Done int       `json:"done"`
	Next time.Time `json:"next"`
}

// AppendJSON appends json.Marshal's bytes of p, or reports false where
// json.Marshal fails (a time it cannot write): the records that write
// their own JSON (state.Appender) store a place on a path with it.
func (p *Progress) AppendJSON(dst []byte) ([]byte, bool) {
	dst = gojson.AppendInt(gojson.Key(append(dst, '{'), "done"), int64(p.Done))
	dst, ok := gojson.AppendTime(gojson.Key(dst, "next"), p.Next)
	return append(dst, '}'), ok
}

// maxPeriodDays bounds the delivery period a span reads: far beyond any
// real lead time, far below overflowing a time.Duration.
const maxPeriodDays = 36500

// Schedule is the order's moves under plan, oldest first. salt keeps two
// vendors' orders with the same id from drawing alike. Times never go
// backwards: a step whose time falls before the previous move's happens at
// the previous move's time. A drawn branch ends the schedule.
func Schedule(plan *Plan, seed int64, salt string, o Order) []Move {
	if plan == nil || len(plan.Steps) == 0 {
		return nil
	}
	p := periods{min: clampDays(o.PeriodMin), max: clampDays(o.PeriodMax)}
	out := make([]Move, 0, len(plan.Steps))
	prev := o.Created
	for i := range plan.Steps {
		st := &plan.Steps[i]
		d := draws(seed, salt, o.ID, i)
		status, after, at, end := target(st.Status, st.StatusID), st.After, st.At, false
		if b := st.pick(unit(d[0])); b != nil {
			status, end = target(b.Status, b.StatusID), true
			if b.After != nil || b.At != nil {
				after, at = b.After, b.At
			}
		}
		t := prev
		switch {
		case after != nil:
			t = prev.Add(after.draw(p, d[1]))
		case at != nil:
			t = o.Created.Add(at.draw(p, d[1]))
		}
		t = clampTime(t, prev)
		out = append(out, Move{At: t, Status: status})
		prev = t
		if end {
			break
		}
	}
	return out
}

// pick returns the branch u (uniform in [0, 1)) falls into, or nil for the
// step itself: branch k takes [sum of earlier p, that + p_k).
func (st *Step) pick(u float64) *Branch {
	sum := 0.0
	for i := range st.Branches {
		b := &st.Branches[i]
		if b.P == nil {
			continue
		}
		sum += *b.P
		if u < sum {
			return b
		}
	}
	return nil
}

// Due is the part of sched an order with done moves applied must apply by
// now, and how many moves are applied after it.
func Due(sched []Move, done int, now time.Time) ([]Move, int) {
	if done < 0 || done > len(sched) {
		return nil, len(sched)
	}
	end := done
	for end < len(sched) && !sched[end].At.After(now) {
		end++
	}
	return sched[done:end], end
}

// Next is the Progress of an order with done moves of sched applied, and
// false when nothing is left to apply.
func Next(sched []Move, done int) (Progress, bool) {
	if done < 0 || done >= len(sched) {
		return Progress{}, false
	}
	return Progress{Done: done, Next: sched[done].At}, true
}

// clampTime keeps a move at or after the previous one, on a whole
// microsecond (rounded up: the finest the vendors print, and what Queue
// compares exactly) and within what the clock can show (and JSON can
// encode).
func clampTime(t, prev time.Time) time.Time {
	if t.Before(prev) {
		t = prev
	}
	if up := t.Truncate(time.Microsecond); up.Before(t) {
		t = up.Add(time.Microsecond)
	}
	if t.After(clock.Latest) {
		t = clock.Latest.Truncate(time.Microsecond)
	}
	return t
}

// clampDays bounds a delivery period to 0..maxPeriodDays.
func clampDays(d int) int { return min(max(d, 0), maxPeriodDays) }

// draws are the random numbers of step i of order id: four 64-bit words of
// SHA-256(domain, seed, salt, id, i). Each step draws from its own hash, so
// the draws of one step do not depend on how many another made, and no
// library or Go release can change them.
func draws(seed int64, salt string, id uint64, i int) [4]uint64 {
	var buf [64]byte
	b := append(buf[:0], "mockserver/lifecycle/v1\x00"...)
	b = binary.BigEndian.AppendUint64(b, uint64(seed))
	b = append(b, salt...)
	b = append(b, 0)
	b = binary.BigEndian.AppendUint64(b, id)
	b = binary.BigEndian.AppendUint64(b, uint64(i))
	sum := sha256.Sum256(b)
	var out [4]uint64
	for k := range out {
		out[k] = binary.BigEndian.Uint64(sum[8*k:])
	}
	return out
}

// unit maps a random word to [0, 1) exactly: 53 bits scaled by a power of
// two, one rounding-free multiplication on every machine.
func unit(r uint64) float64 { return float64(r>>11) * (1.0 / (1 << 53)) }

// Change is one status move a clock move would make to an order (a
// carreta order, a saplab position): what a preview of the move lists.
// The names are the statuses' own, as the vendor shows them.
type Change struct {
	API string
	ID  uint64
	// Number is the name a person knows the order by, where it has one
	// other than its id (a carreta order's A111346-1): the console names
	// the order by it, as the state pages do.
	Number   string
	From     int64
	FromName string
	To       int64
	ToName   string
	At       time.Time
}
