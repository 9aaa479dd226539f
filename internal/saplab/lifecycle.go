package saplab

import (
	"time"

	"github.com/mockserver/mockserver/internal/lifecycle"
)

// This file holds the rule of saplab's automatic status moves (SPEC §12):
// a pure function of the position, the scenario's saplab.lifecycle and the
// seed. The store applies what it returns (store.go, advanceDue) with the
// panel's own status rule, so an automatic move into the denied status
// denies, and refunds a paid position, as a manager's would; no other
// automatic move touches money.

// Lifecycle is the path positions added through the control API follow by
// themselves; a nil Plan (the default) moves nothing.
type Lifecycle struct {
	Plan *lifecycle.Plan
	Seed int64
}

// lifecycleSalt keeps saplab's draws apart from carreta's for equal ids.
const lifecycleSalt = "saplab"

// PositionState is what the lifecycle reads of a position: who it is,
// when it entered the panel, its delivery times in days (period_min and
// period_max of a plan read them), and how many moves it has made.
type PositionState struct {
	ID          int64
	Created     time.Time
	DeliveryMin int64
	DeliveryMax int64
	Done        int
}

// AutoMoves is what a position's due moves come to: the moves to apply, in
// order, and its Progress when moves remain (Pending).
type AutoMoves struct {
	Moves    []lifecycle.Move
	Progress lifecycle.Progress
	Pending  bool
}

// Schedule is every move of the position's path, with the instant each
// falls due.
func (l *Lifecycle) Schedule(p PositionState) []lifecycle.Move {
	return lifecycle.Schedule(l.Plan, l.Seed, lifecycleSalt, lifecycle.Order{
		ID: uint64(p.ID), Created: p.Created, PeriodMin: clampInt(p.DeliveryMin), PeriodMax: clampInt(p.DeliveryMax),
	})
}

// Start is the Progress of a new position; false when its path is empty.
func (l *Lifecycle) Start(p PositionState) (lifecycle.Progress, bool) {
	return lifecycle.Next(l.Schedule(p), 0)
}

// Advance is what the position must apply by now. A move to a status the
// shop no longer has (a manager removed it after the scenario loaded) is
// passed over, as made: the panel could not show a position in it.
func (l *Lifecycle) Advance(p PositionState, exists func(statusID int64) bool, now time.Time) AutoMoves {
	sched := l.Schedule(p)
	due, done := lifecycle.Due(sched, p.Done, now)
	var out AutoMoves
	for _, m := range due {
		if exists(m.Status) {
			out.Moves = append(out.Moves, m)
		}
	}
	out.Progress, out.Pending = lifecycle.Next(sched, done)
	return out
}

// Changes is what Advance would make of the position, in status status,
// by until, move by move: each change of status with the instant it falls
// due, named by name ("" for a status the shop lacks, which Advance passes
// over), for a preview of a clock move.
func (l *Lifecycle) Changes(p PositionState, status int64, name func(statusID int64) (string, bool), until time.Time) []lifecycle.Change {
	due, _ := lifecycle.Due(l.Schedule(p), p.Done, until)
	var out []lifecycle.Change
	fromName, _ := name(status)
	for _, m := range due {
		toName, ok := name(m.Status)
		if !ok || m.Status == status {
			continue
		}
		out = append(out, lifecycle.Change{API: "saplab", ID: uint64(p.ID), From: status, FromName: fromName,
			To: m.Status, ToName: toName, At: m.At})
		status, fromName = m.Status, toName
	}
	return out
}

// clampInt narrows a stored delivery time (days, at most 365 through the
// control API) to an int without wrapping.
func clampInt(n int64) int { return int(min(max(n, 0), 1<<30)) }

// position is what the lifecycle reads of a stored position.
func (o *order) position() PositionState {
	p := PositionState{ID: o.ID, Created: o.Created, DeliveryMin: o.DeliveryTimeMin, DeliveryMax: o.DeliveryTimeMax}
	if o.Auto != nil {
		p.Done = o.Auto.Done
	}
	return p
}
