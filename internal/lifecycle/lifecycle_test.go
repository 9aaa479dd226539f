package lifecycle_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/check"
	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/lifecycle"
	"gopkg.in/yaml.v3"
)

var created = time.Date(2026, 11, 23, 12, 30, 15, 123456000, clock.Moscow)

// plan reads a plan as a scenario writes it.
func plan(t *testing.T, src string) *lifecycle.Plan {
	t.Helper()
	var p lifecycle.Plan
	if err := yaml.Unmarshal([]byte(src), &p); err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return &p
}

func TestParseSpan(t *testing.T) {
	good := map[string]lifecycle.Span{
		"90m":              {Offset: 90 * time.Minute},
		"0":                {},
		"2d":               {Offset: 48 * time.Hour},
		"1d12h":            {Offset: 36 * time.Hour},
		"-30m":             {Offset: -30 * time.Minute},
		"-1d":              {Offset: -24 * time.Hour},
		"period_min":       {Base: lifecycle.PeriodMin},
		"period_max+12h":   {Base: lifecycle.PeriodMax, Offset: 12 * time.Hour},
		"period_min-1d":    {Base: lifecycle.PeriodMin, Offset: -24 * time.Hour},
		" period_max + 2h": {Base: lifecycle.PeriodMax, Offset: 2 * time.Hour},
		"3650d":            {Offset: lifecycle.MaxSpan},
	}
	for in, want := range good {
		got, err := lifecycle.ParseSpan(in)
		if err != nil || got != want {
			t.Errorf("ParseSpan(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "5", "2x", "d", "1.5d", "d2", "period_mid", "period_max*2", "period_max+-1h",
		"period_min+", "3651d", "3650d1h", "90000h", "period_max+3651d"} {
		if got, err := lifecycle.ParseSpan(in); err == nil {
			t.Errorf("ParseSpan(%q) = %+v, want an error", in, got)
		}
	}
}

func TestSpan_String(t *testing.T) {
	for _, in := range []string{"1h30m", "period_min", "period_max+12h", "period_min-24h", "1m30s", "-2h", "1h0m30s"} {
		s, err := lifecycle.ParseSpan(in)
		if err != nil || s.String() != in {
			t.Errorf("%q: %v, %v", in, s, err)
		}
	}
}

func TestDelay_UnmarshalYAML(t *testing.T) {
	for src, want := range map[string]string{
		"after: 5x":                       `line 1: "5x" is not a time span like 90m, 2d12h, period_min or period_max+12h`,
		"after: {min: 1h}":                "line 1: a delay range needs both min and max",
		"after: {min: 1h, max: 2h, a: 1}": `line 1: unknown key "a" in a delay range (min, max)`,
		"after: [1h]":                     "line 1: a delay is a time span like 2h or period_max+12h, or {min, max}",
		"after: {min: 1h, max: [2h]}":     `line 1: "" is not a time span like 90m, 2d12h, period_min or period_max+12h`,
	} {
		var st lifecycle.Step
		err := yaml.Unmarshal([]byte(src), &st)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %s", src, err, want)
		}
	}
}

// move is a schedule entry as the tests write it: the status and the
// offset from the creation.
type move struct {
	status int64
	after  time.Duration
}

func moves(ms []lifecycle.Move) []move {
	out := make([]move, len(ms))
	for i, m := range ms {
		out[i] = move{m.Status, m.At.Sub(created)}
	}
	return out
}

// TestSchedule is the rule of a schedule, one case per rule: given the
// plan, the seed and the order, the moves and their instants.
func TestSchedule(t *testing.T) {
	order := lifecycle.Order{ID: 189334, Created: created, PeriodMin: 3, PeriodMax: 5}
	day := 24 * time.Hour
	cases := []struct {
		name  string
		plan  string
		order lifecycle.Order
		want  []move
	}{
		{"no_steps_no_moves", `steps: []`, order, []move{}},
		{"after_counts_from_the_previous_move", `
steps:
  - {status: 3, after: 30m}
  - {status: 11, after: 2h}`, order, []move{{3, 30 * time.Minute}, {11, 150 * time.Minute}}},
		{"at_counts_from_the_creation", `
steps:
  - {status: 3, after: 1h}
  - {status: 14, at: period_min}
  - {status: 5, at: period_max+12h}`, order, []move{{3, time.Hour}, {14, 3 * day}, {5, 5*day + 12*time.Hour}}},
		{"a_move_never_goes_back_in_time", `
steps:
  - {status: 3, after: 2d}
  - {status: 14, at: 1d}`, order, []move{{3, 2 * day}, {14, 2 * day}}},
		{"a_negative_period_span_waits_nothing", `
steps:
  - {status: 13, at: period_min-5d}`, order, []move{{13, 0}}},
		{"a_reversed_range_reads_its_lower_end", `
steps:
  - {status: 14, at: {min: period_max, max: period_min}}`, order, []move{{14, 5 * day}}},
		{"a_branch_of_p_1_replaces_the_step_and_ends_the_path", `
steps:
  - {status: 3, after: 1h}
  - status: 11
    after: 2h
    branches: [{status: 10, p: 1}]
  - {status: 4, after: 1d}`, order, []move{{3, time.Hour}, {10, 3 * time.Hour}}},
		{"a_branch_takes_its_own_time", `
steps:
  - status: 11
    after: 2h
    branches: [{status: 8, p: 1, after: 10m}]`, order, []move{{8, 10 * time.Minute}}},
		{"a_branch_of_p_0_is_never_taken", `
steps:
  - status: 11
    after: 2h
    branches: [{status: 10, p: 0}]
  - {status: 4, after: 1d}`, order, []move{{11, 2 * time.Hour}, {4, 26 * time.Hour}}},
		{"saplab_names_statuses_by_status_id", `
steps:
  - {status_id: 7, after: 1h}`, order, []move{{7, time.Hour}}},
		{"a_huge_period_is_bounded", `
steps:
  - {status: 14, at: period_max}`, lifecycle.Order{ID: 1, Created: created, PeriodMax: 1 << 40}, []move{{14, 36500 * day}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := moves(lifecycle.Schedule(plan(t, tc.plan), 42, "carreta", tc.order))
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				// The creation is .123456: a move on a whole
				// microsecond is exactly where the plan puts it.
				if got[i] != tc.want[i] {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
}

// TestSchedule_draws: ranges and branches are drawn from the seed, the
// salt and the order id alone: the same inputs give the same schedule, and
// each of them changes it.
func TestSchedule_draws(t *testing.T) {
	p := plan(t, `
steps:
  - status: 3
    after: {min: 10m, max: 1h}
  - status: 11
    after: {min: 2h, max: 8h}
    branches: [{status: 10, p: 0.3}, {status: 8, p: 0.2}]
  - {status: 14, at: {min: period_min, max: period_max}}`)
	o := lifecycle.Order{ID: 7, Created: created, PeriodMin: 3, PeriodMax: 9}
	base := lifecycle.Schedule(p, 42, "carreta", o)
	same := func(a, b []lifecycle.Move) bool {
		if len(a) != len(b) {
			return false
		}
		for i := range a {
			if !a[i].At.Equal(b[i].At) || a[i].Status != b[i].Status {
				return false
			}
		}
		return true
	}
	if !same(base, lifecycle.Schedule(p, 42, "carreta", o)) {
		t.Fatal("the same inputs drew differently")
	}
	o2 := o
	o2.ID = 8
	for name, other := range map[string][]lifecycle.Move{
		"seed": lifecycle.Schedule(p, 43, "carreta", o),
		"salt": lifecycle.Schedule(p, 42, "saplab", o),
		"id":   lifecycle.Schedule(p, 42, "carreta", o2),
	} {
		if same(base, other) {
			t.Errorf("another %s drew the same schedule", name)
		}
	}
	// Over many orders every draw stays in its range, on whole
	// microseconds, and the branches come up about as often as p says.
	outcomes := map[int64]int{}
	for id := uint64(1); id <= 4000; id++ {
		s := lifecycle.Schedule(p, 42, "carreta", lifecycle.Order{ID: id, Created: created, PeriodMin: 3, PeriodMax: 9})
		first := s[0].At.Sub(created)
		if first < 10*time.Minute || first > time.Hour+time.Microsecond || s[0].At.Nanosecond()%1000 != 0 {
			t.Fatalf("order %d: first move after %s", id, first)
		}
		outcomes[s[1].Status]++
		if len(s) == 3 {
			if at := s[2].At.Sub(created); at < 3*24*time.Hour || at > 9*24*time.Hour+time.Microsecond {
				t.Fatalf("order %d: at %s", id, at)
			}
		}
	}
	for status, want := range map[int64]float64{10: 0.3, 8: 0.2, 11: 0.5} {
		if got := float64(outcomes[status]) / 4000; got < want-0.04 || got > want+0.04 {
			t.Errorf("status %d drawn %.3f of the time, want about %.2f", status, got, want)
		}
	}
}

func TestDueAndNext(t *testing.T) {
	at := func(h int) time.Time { return created.Add(time.Duration(h) * time.Hour) }
	sched := []lifecycle.Move{{At: at(1), Status: 3}, {At: at(2), Status: 11}, {At: at(5), Status: 4}}
	cases := []struct {
		done     int
		now      time.Time
		wantDue  []int64
		wantDone int
	}{
		{0, at(0), nil, 0},
		{0, at(1), []int64{3}, 1}, // due at the very instant
		{0, at(3), []int64{3, 11}, 2},
		{1, at(3), []int64{11}, 2},
		{2, at(3), nil, 2},
		{0, at(100), []int64{3, 11, 4}, 3},
		{3, at(100), nil, 3},
		{4, at(100), nil, 3}, // a record out of step with the plan moves no more
	}
	for _, tc := range cases {
		due, done := lifecycle.Due(sched, tc.done, tc.now)
		var got []int64
		for _, m := range due {
			got = append(got, m.Status)
		}
		if len(got) != len(tc.wantDue) || done != tc.wantDone {
			t.Errorf("Due(done %d, %s) = %v, %d; want %v, %d", tc.done, tc.now.Sub(created), got, done, tc.wantDue, tc.wantDone)
			continue
		}
		for i := range got {
			if got[i] != tc.wantDue[i] {
				t.Errorf("Due(done %d) = %v, want %v", tc.done, got, tc.wantDue)
			}
		}
	}
	if p, ok := lifecycle.Next(sched, 1); !ok || p.Done != 1 || !p.Next.Equal(at(2)) {
		t.Errorf("Next(1) = %+v, %v", p, ok)
	}
	if _, ok := lifecycle.Next(sched, 3); ok {
		t.Error("Next after the last move")
	}
}

// TestPlan_Check: each problem of a plan, on its line.
func TestPlan_Check(t *testing.T) {
	known := func(id int64) bool { return id == 3 || id == 10 || id == 11 }
	cases := map[string]string{
		"steps:\n  - {status: 9, after: 1h}\n":                                                               "x.yaml:2: status 9 does not exist; the statuses are 3, 10, 11",
		"steps:\n  - {status_id: 3, after: 1h}\n":                                                            "x.yaml:2: name the status with status: in this lifecycle",
		"steps:\n  - {after: 1h}\n":                                                                          "x.yaml:2: status is required: the status this step moves the order to",
		"steps:\n  - {status: 3}\n":                                                                          "x.yaml:2: a step needs after: (a time since the previous move) or at: (a time since the order was created)",
		"steps:\n  - {status: 3, after: 1h, at: 2h}\n":                                                       "x.yaml:2: give after: or at:, not both",
		"steps:\n  - {status: 3, after: -1h}\n":                                                              "x.yaml:2: after -1h is negative; a move never goes back in time",
		"steps:\n  - status: 3\n    at: {min: 2h, max: 1h}\n":                                                "x.yaml:3: at: max 1h is below min 2h",
		"steps:\n  - status: 3\n    after: 1h\n    branches: [{status: 10}]\n":                               "x.yaml:4: p is required: the chance of this branch, 0..1",
		"steps:\n  - status: 3\n    after: 1h\n    branches: [{status: 10, p: 1.5}]\n":                       "x.yaml:4: p must be between 0 and 1, got 1.5",
		"steps:\n  - status: 3\n    after: 1h\n    branches: [{status: 10, p: 0.6}, {status: 11, p: 0.5}]\n": "x.yaml:4: the branches' p add up to 1.1, more than 1",
		"steps:\n  - status: 3\n    after: 1h\n    branches: [{status: 12, p: 0.1}]\n":                       "x.yaml:4: status 12 does not exist; the statuses are 3, 10, 11",
	}
	for src, want := range cases {
		var root yaml.Node
		if err := yaml.Unmarshal([]byte(src), &root); err != nil {
			t.Fatal(err)
		}
		p := plan(t, src)
		c := check.New("x.yaml", root.Content[0])
		p.Check(c, check.At(), lifecycle.Vendor{Key: "status", Known: known, Statuses: "3, 10, 11"})
		if got := c.Problems().Error(); got != want {
			t.Errorf("%s\ngot  %s\nwant %s", src, got, want)
		}
	}
	// Chances that add up to exactly 1 in decimal are fine, whatever
	// floating point makes of them.
	src := "steps:\n  - status: 3\n    after: 1h\n    branches: [{status: 10, p: 0.1}, {status: 11, p: 0.2}, {status: 3, p: 0.7}]\n"
	var root yaml.Node
	_ = yaml.Unmarshal([]byte(src), &root)
	c := check.New("x.yaml", root.Content[0])
	plan(t, src).Check(c, check.At(), lifecycle.Vendor{Key: "status", Known: known})
	if ps := c.Problems(); len(ps) != 0 {
		t.Errorf("p summing to 1: %v", ps)
	}
}

// A place on a path writes json.Marshal's bytes, or declines exactly where
// json.Marshal fails.
func TestProgress_AppendJSONIsMarshal(t *testing.T) {
	for _, p := range []lifecycle.Progress{
		{}, {Done: 2, Next: created}, {Done: -1, Next: created.UTC()},
		{Next: created.In(time.FixedZone("secs", 3*3600+17))},
		{Done: 1, Next: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{Next: created.In(time.FixedZone("far", 25*3600))},
	} {
		got, ok := p.AppendJSON([]byte("x"))
		want, err := json.Marshal(&p)
		if ok != (err == nil) {
			t.Fatalf("%+v: AppendJSON ok %v, json.Marshal error %v", p, ok, err)
		}
		if ok && string(got) != "x"+string(want) {
			t.Errorf("%+v: AppendJSON %s, json.Marshal x%s", p, got, want)
		}
	}
}
