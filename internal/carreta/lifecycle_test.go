package carreta_test

import (
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/carreta"
	"github.com/mockserver/mockserver/internal/lifecycle"
	"gopkg.in/yaml.v3"
)

// lifecyclePlan reads a carreta.lifecycle as a scenario writes it.
func lifecyclePlan(t testing.TB, src string) *lifecycle.Plan {
	t.Helper()
	var p lifecycle.Plan
	if err := yaml.Unmarshal([]byte(src), &p); err != nil {
		t.Fatal(err)
	}
	return &p
}

// line is a history entry as the table writes it: the comment and the
// offset of its time from the order's creation.
type line struct {
	comment string
	after   time.Duration
}

// TestLifecycle_Advance is every rule of an order's automatic moves, as
// the pure function: given the order (where it stands, how many moves it
// made), the lifecycle, the seed and now, its status and the history the
// due moves add, each stamped with the instant it fell due.
func TestLifecycle_Advance(t *testing.T) {
	t.Parallel()
	const fixed = `
steps:
  - {status: 3, after: 1h}
  - {status: 11, after: 2h}
  - {status: 14, at: period_min}
  - {status: 14, after: 1h}
  - {status: 7, at: period_max}`
	vendor := carreta.NewStatuses(carreta.VendorStatuses)
	own := carreta.NewStatuses([]carreta.StatusName{{ID: 1, Name: "Новый"}, {ID: 2, Name: "Отгружен"}})
	order := carreta.OrderState{ID: 189334, Created: frozenAt, PeriodMin: 3, PeriodMax: 5, Status: carreta.StatusReceived}
	h := time.Hour
	day := 24 * h
	cases := []struct {
		name     string
		plan     string
		statuses *carreta.Statuses
		done     int
		status   carreta.Status
		now      time.Duration // after the creation
		want     carreta.Status
		history  []line
		pending  bool
		nextDone int
	}{
		{name: "nothing_due_yet", plan: fixed, now: 59 * time.Minute, want: 2, pending: true},
		{name: "a_move_is_due_at_its_instant", plan: fixed, now: h, want: 3,
			history: []line{{`Статус изменен с "Получен в заказ" на "В работе"`, h}}, pending: true, nextDone: 1},
		{name: "every_due_move_in_order_at_its_own_time", plan: fixed, now: 3*day + 30*time.Minute, want: 14,
			history: []line{
				{`Статус изменен с "Получен в заказ" на "В работе"`, h},
				{`Статус изменен с "В работе" на "Принят поставщиком"`, 3 * h},
				{`Статус изменен с "Принят поставщиком" на "На складе"`, 3 * day},
			}, pending: true, nextDone: 3},
		{name: "a_move_to_the_status_it_is_in_adds_nothing", plan: fixed, done: 3, status: 14, now: 3*day + h, want: 14,
			pending: true, nextDone: 4},
		{name: "resumes_after_the_moves_made", plan: fixed, done: 4, status: 14, now: 30 * day, want: 7,
			history: []line{{`Статус изменен с "На складе" на "Выдан"`, 5 * day}}},
		{name: "a_finished_path_moves_no_more", plan: fixed, done: 5, status: 7, now: 300 * day, want: 7},
		{name: "an_out_of_stock_branch_ends_the_path", plan: `
steps:
  - status: 11
    after: 4h
    branches: [{status: 10, p: 1}]
  - {status: 4, after: 1d}`, now: 30 * day, want: 10,
			history: []line{{`Статус изменен с "Получен в заказ" на "Нет в наличии"`, 4 * h}}},
		{name: "a_cancellation_takes_its_own_time", plan: `
steps:
  - status: 11
    after: 4h
    branches: [{status: 8, p: 1, after: 30m}]`, now: h, want: 8,
			history: []line{{`Статус изменен с "Получен в заказ" на "Отменен"`, 30 * time.Minute}}},
		{name: "a_scenarios_own_table_names_the_moves", plan: `
steps:
  - {status: 2, after: 1d}`, statuses: own, status: 1, now: 2 * day, want: 2,
			history: []line{{`Статус изменен с "Новый" на "Отгружен"`, day}}},
		{name: "no_plan_no_moves", plan: ``, now: 300 * day, want: 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := &carreta.Lifecycle{Statuses: vendor, NewStatus: carreta.StatusReceived, Plan: lifecyclePlan(t, tc.plan), Seed: 42}
			if tc.statuses != nil {
				l.Statuses = tc.statuses
			}
			o := order
			o.Done = tc.done
			if tc.status != 0 {
				o.Status = tc.status
			}
			got := l.Advance(o, frozenAt.Add(tc.now))
			if got.Status != tc.want || got.Pending != tc.pending || (got.Pending && got.Progress.Done != tc.nextDone) {
				t.Fatalf("status %d pending %v done %d; want %d, %v, %d", got.Status, got.Pending, got.Progress.Done, tc.want, tc.pending, tc.nextDone)
			}
			if len(got.History) != len(tc.history) {
				t.Fatalf("history %+v, want %+v", got.History, tc.history)
			}
			for i, e := range got.History {
				if e.Comment != tc.history[i].comment || e.At.Sub(frozenAt) != tc.history[i].after {
					t.Errorf("entry %d: %q after %s; want %q after %s", i, e.Comment, e.At.Sub(frozenAt), tc.history[i].comment, tc.history[i].after)
				}
			}
			if got.Pending {
				// Next is the instant of the next move of the schedule.
				s := l.Schedule(o)
				if !got.Progress.Next.Equal(s[got.Progress.Done].At) {
					t.Errorf("next %s, want %s", got.Progress.Next, s[got.Progress.Done].At)
				}
			}
		})
	}
}

// TestLifecycle_Start: a new order's first due time is its schedule's
// first move; an empty plan starts nothing.
func TestLifecycle_Start(t *testing.T) {
	t.Parallel()
	l := &carreta.Lifecycle{Statuses: carreta.NewStatuses(carreta.VendorStatuses), NewStatus: 2, Seed: 42,
		Plan: lifecyclePlan(t, "steps: [{status: 3, after: {min: 10m, max: 1h}}]")}
	o := carreta.OrderState{ID: 5, Created: frozenAt}
	p, ok := l.Start(o)
	if !ok || p.Done != 0 || p.Next.Sub(frozenAt) < 10*time.Minute || p.Next.Sub(frozenAt) > time.Hour+time.Microsecond {
		t.Fatalf("start %+v %v", p, ok)
	}
	l.Plan = nil
	if _, ok := l.Start(o); ok {
		t.Fatal("an order without a plan has a path")
	}
}
