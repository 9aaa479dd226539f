package lifecycle

import (
	"github.com/mockserver/mockserver/internal/check"
)

// Vendor is what checking a plan needs to know of the vendor it is for.
type Vendor struct {
	// Key is the key the vendor's steps name a status with ("status" or
	// "status_id"); the other one is a problem, not a synonym.
	Key string
	// Known reports whether a status id exists.
	Known func(id int64) bool
	// Statuses lists the statuses there are, for the message about one
	// that is not.
	Statuses string
}

// Problems a plan can have, reported as "file:line: message".
const (
	chkOtherKey      = "name the status with %s: in this lifecycle"
	chkNoStatus      = "%s is required: the status this step moves the order to"
	chkUnknownStatus = "status %d does not exist; the statuses are %s"
	chkNoTime        = "a step needs after: (a time since the previous move) or at: (a time since the order was created)"
	chkBothTimes     = "give after: or at:, not both"
	chkNegative      = "%s %s is negative; a move never goes back in time"
	chkRange         = "%s: max %s is below min %s"
	chkNoP           = "p is required: the chance of this branch, 0..1"
	chkP             = "p must be between 0 and 1, got %g"
	chkPSum          = "the branches' p add up to %g, more than 1"
)

// pSlack absorbs floating-point sums: 0.1 + 0.2 + 0.7 is 1.0000000000000002.
const pSlack = 1e-9

// Check reports the plan's problems, each on its line: statuses that do
// not exist or are named with the other vendor's key, steps without a time
// or with two, negative delays, ranges upside down, branch chances outside
// 0..1 or adding up to more than 1.
func (p *Plan) Check(c *check.Checker, at check.Path, v Vendor) {
	if p == nil {
		return
	}
	for i := range p.Steps {
		st := &p.Steps[i]
		sp := at.Join("steps", i)
		checkTarget(c, sp, v, st.Status, st.StatusID)
		switch {
		case st.After == nil && st.At == nil:
			c.Fail(sp, chkNoTime)
		case st.After != nil && st.At != nil:
			c.Fail(sp.Join("at"), chkBothTimes)
		}
		checkDelay(c, sp, "after", st.After)
		checkDelay(c, sp, "at", st.At)
		checkBranches(c, sp, v, st.Branches)
	}
}

// checkBranches checks a step's branches and that their chances leave
// room for the step itself.
func checkBranches(c *check.Checker, sp check.Path, v Vendor, branches []Branch) {
	sum := 0.0
	for j := range branches {
		b := &branches[j]
		bp := sp.Join("branches", j)
		checkTarget(c, bp, v, b.Status, b.StatusID)
		switch {
		case b.P == nil:
			c.Fail(bp, chkNoP)
		case *b.P < 0 || *b.P > 1:
			c.Fail(bp.Join("p"), chkP, *b.P)
		default:
			sum += *b.P
		}
		if b.After != nil && b.At != nil {
			c.Fail(bp.Join("at"), chkBothTimes)
		}
		checkDelay(c, bp, "after", b.After)
		checkDelay(c, bp, "at", b.At)
	}
	if sum > 1+pSlack {
		c.Fail(sp.Join("branches"), chkPSum, sum)
	}
}

// checkTarget checks the status a step or branch moves to.
func checkTarget(c *check.Checker, p check.Path, v Vendor, status, statusID int64) {
	own, other, otherKey := status, statusID, "status_id"
	if v.Key == "status_id" {
		own, other, otherKey = statusID, status, "status"
	}
	switch {
	case other != 0 || (own == 0 && c.Has(p.Join(otherKey))):
		c.Fail(p.Join(otherKey), chkOtherKey, v.Key)
	case own == 0:
		c.Fail(p, chkNoStatus, v.Key)
	case !v.Known(own):
		c.Fail(p.Join(v.Key), chkUnknownStatus, own, v.Statuses)
	}
}

// checkDelay checks one after: or at:. Only a plain span can be judged
// here: period_min-1d depends on the order, and waits nothing when it
// comes out negative.
func checkDelay(c *check.Checker, p check.Path, key string, d *Delay) {
	if d == nil {
		return
	}
	kp := p.Join(key)
	for _, s := range []Span{d.Min, d.Max} {
		if s.Base == Plain && s.Offset < 0 {
			c.Fail(kp, chkNegative, key, s)
			return
		}
	}
	if d.Min.Base == d.Max.Base && d.Max.Offset < d.Min.Offset {
		c.Fail(kp, chkRange, key, d.Max, d.Min)
	}
}
