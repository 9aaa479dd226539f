package carreta

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mockserver/mockserver/internal/lifecycle"
)

// This file holds carreta's status rules as pure functions: the status
// table, the retired table's mapping, and how an order moves along a
// scenario's lifecycle (SPEC §12, docs/decisions/carreta.md "Statuses").

// Status is an order status: a number of the status table in force.
type Status int

// The vendor's current statuses (SPEC §12, from a public client's notes on
// the vendor's API page), in the order an order moves through them; 10 and
// 8 end an order that will not arrive.
const (
	StatusAwaitingPayment Status = 1  // Ожидает оплаты
	StatusReceived        Status = 2  // Получен в заказ: where a new order starts
	StatusInWork          Status = 3  // В работе
	StatusAccepted        Status = 11 // Принят поставщиком
	StatusFromSupplier    Status = 4  // В пути от поставщика
	StatusAtBranch        Status = 13 // На складе филиала
	StatusFromBranch      Status = 12 // В пути из филиала
	StatusInStock         Status = 14 // На складе
	StatusToPickup        Status = 15 // В пути в пункт выдачи
	StatusAtPickup        Status = 5  // В пункте выдачи
	StatusIssued          Status = 7  // Выдан
	StatusOutOfStock      Status = 10 // Нет в наличии
	StatusCancelled       Status = 8  // Отменен
)

// StatusName is one row of a status table.
type StatusName struct {
	ID   Status
	Name string
}

// VendorStatuses is the table a scenario gets unless it sets
// carreta.statuses. The names are the vendor's, except that status 7 reads
// "Выдан", as carreta.txt's order example prints it, where the client's
// notes say "Выдан (Отправлен)": where the document shows a text, the
// document wins (SPEC §12).
var VendorStatuses = []StatusName{
	{StatusAwaitingPayment, "Ожидает оплаты"},
	{StatusReceived, "Получен в заказ"},
	{StatusInWork, "В работе"},
	{StatusAccepted, "Принят поставщиком"},
	{StatusFromSupplier, "В пути от поставщика"},
	{StatusAtBranch, "На складе филиала"},
	{StatusFromBranch, "В пути из филиала"},
	{StatusInStock, "На складе"},
	{StatusToPickup, "В пути в пункт выдачи"},
	{StatusAtPickup, "В пункте выдачи"},
	{StatusIssued, "Выдан"},
	{StatusOutOfStock, "Нет в наличии"},
	{StatusCancelled, "Отменен"},
}

// DefaultNewStatus is where a created order starts: a public client's test
// fixture shows a created order as 2 "Получен в заказ" (SPEC §12).
const DefaultNewStatus = StatusReceived

// Statuses is a status table: its rows in the order they were given,
// their names by number, and the history entry of every move between two
// of them, written once (a catch-up writes tens of thousands).
type Statuses struct {
	rows     []StatusName
	names    map[Status]string
	comments map[[2]Status]string
	// wire is each name as the order list shows it (status_display,
	// Python's escapes), encoded once: a made page shows 100.
	wire map[Status][]byte
}

// NewStatuses makes a table of rows (ids are unique: the scenario check
// sees to it).
func NewStatuses(rows []StatusName) *Statuses {
	t := &Statuses{rows: append([]StatusName(nil), rows...), names: make(map[Status]string, len(rows)),
		comments: make(map[[2]Status]string, len(rows)*len(rows)), wire: make(map[Status][]byte, len(rows))}
	for _, r := range rows {
		t.names[r.ID] = r.Name
		t.wire[r.ID] = appendPyString(nil, r.Name)
	}
	for _, from := range rows {
		for _, to := range rows {
			t.comments[[2]Status{from.ID, to.ID}] = fmt.Sprintf(historyStatus, from.Name, to.Name)
		}
	}
	return t
}

// Has reports whether s is one of the table's statuses.
func (t *Statuses) Has(s Status) bool {
	_, ok := t.names[s]
	return ok
}

// First is the table's first status: what a seeded order without one
// gets, as a scenario's author reads the table top down.
func (t *Statuses) First() Status {
	if len(t.rows) == 0 {
		return 0
	}
	return t.rows[0].ID
}

// Name is the status_display of s; "" for a status the table lacks.
func (t *Statuses) Name(s Status) string { return t.names[s] }

// appendWireName appends Name(s) as a JSON string in Python's escapes
// (appendPyString), as status_display shows it.
func (t *Statuses) appendWireName(dst []byte, s Status) []byte {
	if w, ok := t.wire[s]; ok {
		return append(dst, w...)
	}
	return appendPyString(dst, t.Name(s))
}

// List names every status with its number, "1 Ожидает оплаты, 2 Получен в
// заказ, ...", for messages that tell which statuses there are.
func (t *Statuses) List() string {
	parts := make([]string, len(t.rows))
	for i, r := range t.rows {
		parts[i] = strconv.Itoa(int(r.ID)) + " " + r.Name
	}
	return strings.Join(parts, ", ")
}

// Comment is the history entry for a move from one status to another. The
// document shows only the creation entry; this follows its wording
// (docs/decisions/carreta.md).
func (t *Statuses) Comment(from, to Status) string {
	if c, ok := t.comments[[2]Status{from, to}]; ok {
		return c
	}
	return fmt.Sprintf(historyStatus, t.Name(from), t.Name(to))
}

// statusVersion marks a stored order whose status is a number of the table
// in force. Orders stored before the vendor's table replaced the guessed one
// have none (0), and the first catch-up after loading them migrates them
// (LegacyStatus).
const statusVersion = 2

// legacyStatuses maps each status of the retired guess (1 Холд, 2 В работе,
// 3 Заказано, 4 В пути, 5 На складе, 6 Готов к выдаче, 7 Выдан, 8 Отказ) to
// the vendor's status of the same meaning.
var legacyStatuses = map[Status]Status{
	1: StatusReceived, 2: StatusInWork, 3: StatusAccepted, 4: StatusFromSupplier,
	5: StatusInStock, 6: StatusAtPickup, 7: StatusIssued, 8: StatusCancelled,
}

// LegacyStatus is the vendor status of the same meaning as old, a number of
// the retired table; a number that table never had is kept.
func LegacyStatus(old Status) Status {
	if s, ok := legacyStatuses[old]; ok {
		return s
	}
	return old
}

// RetiredStatus tells, for the scenario problem of a status the vendor's
// table lacks, what old meant in the retired table and which status means
// that now: 6 Готов к выдаче is 5 В пункте выдачи. Every other number of
// the retired table is also one of the vendor's.
func RetiredStatus(old Status) (name string, now Status, ok bool) {
	if old != 6 {
		return "", 0, false
	}
	return "Готов к выдаче", legacyStatuses[old], true
}

// Lifecycle is carreta's status rules as a scenario sets them: the table,
// where new orders start, and the plan they then follow by themselves
// (nil: they stay where they are until the control API moves them).
type Lifecycle struct {
	Statuses  *Statuses
	NewStatus Status
	Plan      *lifecycle.Plan
	Seed      int64
}

// lifecycleSalt keeps carreta's draws apart from saplab's for equal ids.
const lifecycleSalt = "carreta"

// OrderState is what the lifecycle reads of an order: who it is, when it
// was created, its delivery period, where it stands and how many moves of
// its schedule it has made.
type OrderState struct {
	ID        uint64
	Created   time.Time
	PeriodMin int
	PeriodMax int
	Status    Status
	Done      int
}

// HistoryLine is one history entry the lifecycle writes.
type HistoryLine struct {
	Comment string
	At      time.Time
}

// Advanced is where an order stands after its due moves: its status, the
// history they add, and its Progress when moves remain (Pending).
type Advanced struct {
	Status   Status
	History  []HistoryLine
	Progress lifecycle.Progress
	Pending  bool
}

// Schedule is every move of the order's path, with the instant each falls
// due: a pure function of the order, the plan and the seed.
func (l *Lifecycle) Schedule(o OrderState) []lifecycle.Move {
	return lifecycle.Schedule(l.Plan, l.Seed, lifecycleSalt, lifecycle.Order{
		ID: o.ID, Created: o.Created, PeriodMin: o.PeriodMin, PeriodMax: o.PeriodMax,
	})
}

// Start is the Progress of a new order; false when its path is empty.
func (l *Lifecycle) Start(o OrderState) (lifecycle.Progress, bool) {
	return lifecycle.Next(l.Schedule(o), 0)
}

// Advance applies the order's moves due by now: each one that changes the
// status adds `Статус изменен с "A" на "B"` stamped with the instant it fell
// due, not the instant someone looked. A move to the status the order is
// already in adds nothing.
func (l *Lifecycle) Advance(o OrderState, now time.Time) Advanced {
	sched := l.Schedule(o)
	due, done := lifecycle.Due(sched, o.Done, now)
	out := Advanced{Status: o.Status}
	for _, m := range due {
		to := Status(m.Status)
		if to == out.Status {
			continue
		}
		out.History = append(out.History, HistoryLine{Comment: l.Statuses.Comment(out.Status, to), At: m.At})
		out.Status = to
	}
	out.Progress, out.Pending = lifecycle.Next(sched, done)
	return out
}

// Changes is what Advance would do to the order by until, move by move:
// each status change with the instant it falls due (a move to the status
// the order is in already changes nothing and is left out), for a
// preview of a clock move.
func (l *Lifecycle) Changes(o OrderState, until time.Time) []lifecycle.Change {
	due, _ := lifecycle.Due(l.Schedule(o), o.Done, until)
	var out []lifecycle.Change
	from := o.Status
	for _, m := range due {
		to := Status(m.Status)
		if to == from {
			continue
		}
		out = append(out, lifecycle.Change{API: "carreta", ID: o.ID, From: int64(from), FromName: l.Statuses.Name(from),
			To: int64(to), ToName: l.Statuses.Name(to), At: m.At})
		from = to
	}
	return out
}
