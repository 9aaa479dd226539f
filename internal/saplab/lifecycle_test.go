package saplab_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/check"
	"github.com/mockserver/mockserver/internal/lifecycle"
	"github.com/mockserver/mockserver/internal/saplab"
	"github.com/mockserver/mockserver/internal/scenario"
	"gopkg.in/yaml.v3"
)

// docLifecycle is a saplab.lifecycle on the statuses of testdata/doc.yaml:
// ordered two hours after entering the panel, in work a day later (or
// withdrawn, the denied status, with probability p), received at the
// office at deliverytime_max days, handed over a day after that.
func docLifecycle(p string) string {
	return `  lifecycle:
    steps:
      - {status_id: 7, after: 2h}
      - status_id: 2
        after: 1d
        branches: [{status_id: 5, p: ` + p + `}]
      - {status_id: 3, at: period_max}
      - {status_id: 4, after: 1d}
`
}

// TestLifecycle_Advance is the rule of a position's automatic moves as a
// pure function: given the position, the plan, the seed, which statuses
// exist and now, the moves it applies and how far it then is.
func TestLifecycle_Advance(t *testing.T) {
	t.Parallel()
	var plan lifecycle.Plan
	if err := yaml.Unmarshal([]byte(strings.ReplaceAll(docLifecycle("0"), "\n    ", "\n")[len("  lifecycle:\n"):]), &plan); err != nil {
		t.Fatal(err)
	}
	created := time.Date(2017, 1, 15, 22, 2, 43, 0, time.UTC)
	pos := saplab.PositionState{ID: 23, Created: created, DeliveryMin: 1, DeliveryMax: 4}
	all := func(int64) bool { return true }
	h, day := time.Hour, 24*time.Hour
	cases := []struct {
		name    string
		done    int
		exists  func(int64) bool
		now     time.Duration
		want    []int64
		at      []time.Duration
		pending bool
	}{
		{"nothing_due", 0, all, h, nil, nil, true},
		{"due_moves_in_order", 0, all, 2 * day, []int64{7, 2}, []time.Duration{2 * h, 26 * h}, true},
		{"period_max_counts_deliverytime_max", 2, all, 4 * day, []int64{3}, []time.Duration{4 * day}, true},
		{"the_end", 0, all, 30 * day, []int64{7, 2, 3, 4}, []time.Duration{2 * h, 26 * h, 4 * day, 5 * day}, false},
		{"a_removed_status_is_passed_over", 0, func(id int64) bool { return id != 2 }, 30 * day,
			[]int64{7, 3, 4}, []time.Duration{2 * h, 4 * day, 5 * day}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := &saplab.Lifecycle{Plan: &plan, Seed: 7}
			p := pos
			p.Done = tc.done
			got := l.Advance(p, tc.exists, created.Add(tc.now))
			if len(got.Moves) != len(tc.want) || got.Pending != tc.pending {
				t.Fatalf("moves %+v pending %v", got.Moves, got.Pending)
			}
			for i, m := range got.Moves {
				if m.Status != tc.want[i] || m.At.Sub(created) != tc.at[i] {
					t.Errorf("move %d: %d after %s, want %d after %s", i, m.Status, m.At.Sub(created), tc.want[i], tc.at[i])
				}
			}
		})
	}
}

// position is the part of a listed position the lifecycle tests read.
type position struct {
	ID       string `json:"id"`
	StatusID string `json:"status_id"`
	IsDenied string `json:"is_denied"`
	IsPayed  string `json:"is_payed"`
	History  []struct {
		Date    string `json:"date"`
		Status  string `json:"status"`
		Manager string `json:"manager"`
	} `json:"history"`
}

// positionOf is the position id as GET /panel/order lists it.
func (m *mock) positionOf(id string) position {
	m.t.Helper()
	var out struct{ Orders []position }
	if err := json.Unmarshal(m.get("/panel/order/filter/order_ids/"+id).Body, &out); err != nil || len(out.Orders) != 1 {
		m.t.Fatalf("position %s: %v", id, err)
	}
	return out.Orders[0]
}

// addPosition adds one position through the control API, as the
// storefront would, and returns its id.
func (m *mock) addPosition(client int, price string) string {
	m.t.Helper()
	body := fmt.Sprintf(`{"client_id": %d, "positions": [{"brand": "UFI", "article": "30.896.00", "price": %q, "quantity": 1, "deliverytime_min": 1, "deliverytime_max": 4}]}`, client, price)
	r := m.Do(m.t, "POST", "/__admin/saplab/orders", strings.NewReader(body))
	if r.Status != 201 {
		m.t.Fatalf("%d %s", r.Status, r.Body)
	}
	var out struct{ Orders []position }
	if err := json.Unmarshal(r.Body, &out); err != nil {
		m.t.Fatal(err)
	}
	return out.Orders[0].ID
}

// advance moves the clock through the control API.
func (m *mock) advance(d string) {
	m.t.Helper()
	if r := m.Do(m.t, "POST", "/__admin/clock", strings.NewReader(`{"advance": "`+d+`"}`)); r.Status != 200 {
		m.t.Fatalf("%d %s", r.Status, r.Body)
	}
}

// TestLifecycle_positionsMove: a position added through the control API
// follows saplab.lifecycle; each move is in its history by "Автоматически"
// at the second it fell due, and no money moves.
func TestLifecycle_positionsMove(t *testing.T) {
	t.Parallel()
	m := start(t, docScenario(t)+docLifecycle("0"))
	m.freeze("2017-01-15 22:02:43.114625")
	id := m.addPosition(1, "100")
	var before []storedTx
	m.state("transactions", &before)
	m.Srv.Clock().Advance(3 * time.Hour) // as real time would: the read catches up
	if p := m.positionOf(id); p.StatusID != "7" {
		t.Fatalf("after 3h: %+v", p)
	}
	m.advance("120h")
	p := m.positionOf(id)
	// The entry history (Приостановлено, Принято at 19:02:43 UTC), then
	// the moves: +2h, +1d, at deliverytime_max (4 days), +1d.
	want := []string{
		"2017-01-15 19:02:43.000000 Приостановлено Автоматически",
		"2017-01-15 19:02:43.000000 Принято Автоматически",
		"2017-01-15 21:02:43.000000 Заказано Автоматически",
		"2017-01-16 21:02:43.000000 В работе Автоматически",
		"2017-01-19 19:02:43.000000 Оприходовано офисом Автоматически",
		"2017-01-20 19:02:43.000000 Выдано (Отправлено) Автоматически",
	}
	if p.StatusID != "4" || len(p.History) != len(want) {
		t.Fatalf("%+v", p)
	}
	for i, h := range p.History {
		if got := h.Date + " " + h.Status + " " + h.Manager; got != want[i] {
			t.Errorf("entry %d: %s, want %s", i, got, want[i])
		}
	}
	var after []storedTx
	m.state("transactions", &after)
	if len(after) != len(before) {
		t.Fatalf("automatic moves booked money: %v", after[len(before):])
	}
}

// TestLifecycle_denyRefunds: an automatic move into the denied status
// denies the position and refunds it if paid (SPEC §6), dated when it fell
// due; the client's balance is the ledger's sum again.
func TestLifecycle_denyRefunds(t *testing.T) {
	t.Parallel()
	m := start(t, docScenario(t)+docLifecycle("1"))
	m.freeze("2017-01-15 22:02:43.114625")
	id := m.addPosition(2, "100")
	if r := m.get("/panel/order/pay/" + id); !strings.Contains(string(r.Body), `"success"`) {
		t.Fatalf("pay: %s", r.Body)
	}
	m.advance("48h")
	p := m.positionOf(id)
	if p.StatusID != "5" || p.IsDenied != "1" || p.IsPayed != "0" {
		t.Fatalf("%+v", p)
	}
	var clients []storedClient
	m.state("clients", &clients)
	var txs []struct {
		storedTx
		Created string `json:"created"`
	}
	m.state("transactions", &txs)
	last := txs[len(txs)-1]
	// Withdrawn at +2h +1d, the step's time, which the branch takes.
	if clients[1].Balance != "3959.00" || last.Amount != "100.00" || !strings.HasPrefix(last.Comment, "Отмена оплаты позиции UFI - 30.896.00") ||
		last.Created != "2017-01-17T00:02:43.114625+03:00" {
		t.Fatalf("balance %s, last entry %+v", clients[1].Balance, last)
	}
	// The branch ended the path: nothing more happens.
	m.advance("720h")
	if again := m.positionOf(id); len(again.History) != len(p.History) {
		t.Fatalf("moved on after the branch: %+v", again)
	}
}

// TestLifecycle_managerTakesOver: a manager's set_status takes the
// position off its automatic path.
func TestLifecycle_managerTakesOver(t *testing.T) {
	t.Parallel()
	m := start(t, docScenario(t)+docLifecycle("0"))
	m.freeze("2017-01-15 22:02:43.114625")
	id := m.addPosition(1, "100")
	if r := m.post("/panel/order/set_status/"+id, "status_id=6"); !strings.Contains(string(r.Body), `"success"`) {
		t.Fatalf("set_status: %s", r.Body)
	}
	m.advance("720h")
	if p := m.positionOf(id); p.StatusID != "6" || len(p.History) != 2 {
		t.Fatalf("%+v", p)
	}
}

// TestLifecycle_offUnlessSet: without saplab.lifecycle positions stay.
func TestLifecycle_offUnlessSet(t *testing.T) {
	t.Parallel()
	m := start(t, docScenario(t))
	m.freeze("2017-01-15 22:02:43.114625")
	id := m.addPosition(1, "100")
	m.advance("720h")
	if p := m.positionOf(id); p.StatusID != "6" {
		t.Fatalf("%+v", p)
	}
}

// The check of a saplab lifecycle names status ids and places problems on
// their lines (the other cases are the lifecycle package's).
func TestLifecycle_check(t *testing.T) {
	t.Parallel()
	src := docScenario(t) + "  lifecycle:\n    steps:\n      - {status_id: 9, after: 1h}\n      - {status: 2, after: 1h}\n"
	_, err := scenario.Parse("x.yaml", []byte(src))
	var ps check.Problems
	if !errors.As(err, &ps) || len(ps) != 2 ||
		!strings.HasSuffix(ps[0].String(), "status 9 does not exist; the statuses are 1 Приостановлено, 2 В работе, 3 Оприходовано офисом, 4 Выдано (Отправлено), 5 Снято, 6 Принято, 7 Заказано") ||
		!strings.HasSuffix(ps[1].String(), "name the status with status_id: in this lifecycle") {
		t.Fatalf("%v", err)
	}
}
