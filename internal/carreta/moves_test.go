package carreta_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/carreta"
	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/lifecycle"
	"github.com/mockserver/mockserver/internal/scenario"
	"github.com/mockserver/mockserver/internal/server"
	"github.com/mockserver/mockserver/internal/servertest"
	"github.com/mockserver/mockserver/internal/state"
)

// End-to-end tests of orders that move by themselves (SPEC §12): a client
// polls while the clock moves, through the control API and as real time
// would; nothing sleeps, every instant comes from the frozen clock.

// defaultLifecycle is the default scenario's carreta lifecycle, as the
// server loads it: what the expected schedules are computed from.
func defaultLifecycle(t testing.TB) *carreta.Lifecycle {
	t.Helper()
	sc, err := scenario.LoadNamed("", scenario.DefaultName)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Carreta.Lifecycle == nil || len(sc.Carreta.Lifecycle.Steps) == 0 {
		t.Fatal("the default scenario ships no carreta lifecycle")
	}
	return &carreta.Lifecycle{Statuses: carreta.NewStatuses(carreta.VendorStatuses), NewStatus: carreta.DefaultNewStatus,
		Plan: sc.Carreta.Lifecycle, Seed: sc.Seed}
}

type historyEntry struct {
	Comment string `json:"comment"`
	Created string `json:"created"`
}

// historyOf is GET order/<id>/history/.
func historyOf(t testing.TB, m *servertest.Mock, id uint64) []historyEntry {
	t.Helper()
	r := get(t, m, fmt.Sprintf("/v1/order/%d/history/?api_key=demo-key", id))
	expectJSON(t, r, 200)
	var out struct{ Objects []historyEntry }
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatal(err)
	}
	return out.Objects
}

// detail is GET order/<id>/.
func detail(t testing.TB, m *servertest.Mock, id uint64) order {
	t.Helper()
	r := get(t, m, fmt.Sprintf("/v1/order/%d/?api_key=demo-key", id))
	expectJSON(t, r, 200)
	var o order
	if err := json.Unmarshal(r.Body, &o); err != nil {
		t.Fatal(err)
	}
	return o
}

// place orders offer o once and returns the order.
func place(t testing.TB, m *servertest.Mock, o offer, comment string) order {
	t.Helper()
	r := post(t, m, "/v1/order/?api_key=demo-key", offerBody(o, o.MinQty, comment))
	expectJSON(t, r, 201)
	var out order
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// advance moves the clock through the control API.
func advance(t testing.TB, m *servertest.Mock, d string) {
	t.Helper()
	r := m.Do(t, http.MethodPost, "/__admin/clock", strings.NewReader(`{"advance": "`+d+`"}`))
	if r.Status != 200 {
		t.Fatalf("advance %s: %d %s", d, r.Status, r.Body)
	}
}

// statusAt is where a schedule has an order at now.
func statusAt(sched []lifecycle.Move, now time.Time) int {
	s := int(carreta.DefaultNewStatus)
	for _, m := range sched {
		if !m.At.After(now) {
			s = int(m.Status)
		}
	}
	return s
}

// TestLifecycle_clientPolls: an order is created, the clock moves in steps
// of three hours for thirty days (every other step through the control
// API, the others as real time would pass), and a client polling GET
// order/<id>/ sees each status of its schedule in order, the list and the
// history agreeing at every step; in the end the history holds one entry
// per move, stamped with the instant it was scheduled for.
func TestLifecycle_clientPolls(t *testing.T) {
	t.Parallel()
	m := start(t, servertest.Options{})
	bosch := search(t, m, "oc47")[4] // period 3..5 days
	o := place(t, m, bosch, "опрос")
	sched := defaultLifecycle(t).Schedule(carreta.OrderState{ID: o.ID, Created: frozenAt, PeriodMin: 3, PeriodMax: 5})
	if o.Status != int(carreta.DefaultNewStatus) || len(sched) < 2 {
		t.Fatalf("created in %d with schedule %v", o.Status, sched)
	}
	seen := []int{o.Status}
	now := frozenAt
	for step := range 240 {
		if step%2 == 0 {
			advance(t, m, "3h")
		} else {
			m.Srv.Clock().Advance(3 * time.Hour)
		}
		now = now.Add(3 * time.Hour)
		d := detail(t, m, o.ID)
		if want := statusAt(sched, now); d.Status != want {
			t.Fatalf("after %s: status %d, want %d", now.Sub(frozenAt), d.Status, want)
		}
		if l := orders(t, get(t, m, "/v1/order/?api_key=demo-key")); l[0].ID != o.ID || l[0].Status != d.Status {
			t.Fatalf("the list shows %+v, the order %d", l[0], d.Status)
		}
		h := historyOf(t, m, o.ID)
		if name := carreta.NewStatuses(carreta.VendorStatuses).Name(carreta.Status(d.Status)); d.Status != seen[0] && !strings.HasSuffix(h[len(h)-1].Comment, `"`+name+`"`) {
			t.Fatalf("the history ends %q, the order is %d", h[len(h)-1].Comment, d.Status)
		}
		if d.Status != seen[len(seen)-1] {
			seen = append(seen, d.Status)
		}
	}
	h := historyOf(t, m, o.ID)
	if len(h) != 1+len(sched) {
		t.Fatalf("history %v\nschedule %v", h, sched)
	}
	for i, mv := range sched {
		if h[i+1].Created != carreta.FormatTime(mv.At) {
			t.Errorf("entry %d at %s, scheduled for %s", i+1, h[i+1].Created, carreta.FormatTime(mv.At))
		}
		if int(mv.Status) != seen[i+1] {
			t.Errorf("status %d seen as the %d-th, scheduled %d", seen[i+1], i+1, mv.Status)
		}
	}
}

// run places three orders on a server of db (a new file when empty),
// moves the clock thirty days in uneven steps, and returns what a client
// then reads: the list and every history. restartAfter > 0 closes the
// server after that many steps and goes on with a new one on the same
// file.
func run(t *testing.T, db string, restartAfter int) []byte {
	t.Helper()
	return runWith(t, db, restartAfter, nil)
}

// runWith is run that calls between(db) while the server is down for the
// restart, when between is not nil.
func runWith(t *testing.T, db string, restartAfter int, between func(db string)) []byte {
	t.Helper()
	m := start(t, servertest.Options{Config: server.Config{DB: db}})
	var ids []uint64
	for i, q := range []string{"oc47", "bkr6e", "zz-999"} {
		offers := search(t, m, q)
		ids = append(ids, place(t, m, offers[len(offers)-1], fmt.Sprintf("прогон %d", i)).ID)
	}
	steps := []time.Duration{20 * time.Minute, 5 * time.Hour, 26 * time.Hour, 3 * 24 * time.Hour, 7 * time.Hour, 20 * 24 * time.Hour}
	at := frozenAt
	for i, d := range steps {
		if i == restartAfter {
			m.Close()
			if err := m.Srv.Close(); err != nil {
				t.Fatal(err)
			}
			if between != nil {
				between(db)
			}
			m = start(t, servertest.Options{Config: server.Config{DB: db}})
			m.Srv.Clock().Set(at)
		}
		advance(t, m, d.String())
		at = at.Add(d)
		_ = detail(t, m, ids[i%len(ids)]) // a client polls on the way
	}
	var out bytes.Buffer
	out.Write(get(t, m, "/v1/order/?api_key=demo-key").Body)
	for _, id := range ids {
		out.Write(get(t, m, fmt.Sprintf("/v1/order/%d/history/?api_key=demo-key", id)).Body)
	}
	return out.Bytes()
}

// TestLifecycle_reproducible: the same scenario, seed and requests give
// byte-identical statuses and histories, and a server restarted half way
// picks the schedule up where the first left it.
func TestLifecycle_reproducible(t *testing.T) {
	t.Parallel()
	first := run(t, "", -1)
	if !bytes.Contains(first, []byte(`\u0412\u044b\u0434\u0430\u043d`)) { // "Выдан": the orders got somewhere
		t.Fatalf("no order was delivered in thirty days:\n%s", first)
	}
	if second := run(t, "", -1); !bytes.Equal(first, second) {
		t.Fatalf("two runs differ:\n%s\n%s", first, second)
	}
	db := filepath.Join(t.TempDir(), "state.db")
	if restarted := run(t, db, 3); !bytes.Equal(first, restarted) {
		t.Fatalf("a restart changed the schedule:\n%s\n%s", first, restarted)
	}
}

// TestLifecycle_manualMove: the control API still moves an order, after
// the automatic moves that fell due before it, and takes the order off its
// automatic path: no move follows, however far the clock goes.
func TestLifecycle_manualMove(t *testing.T) {
	t.Parallel()
	m := start(t, servertest.Options{})
	o := place(t, m, search(t, m, "oc47")[4], "вручную")
	sched := defaultLifecycle(t).Schedule(carreta.OrderState{ID: o.ID, Created: frozenAt, PeriodMin: 3, PeriodMax: 5})
	// Real time passes past the first move; nobody looks.
	m.Srv.Clock().Set(sched[0].At.Add(time.Minute))
	r := m.Do(t, http.MethodPost, fmt.Sprintf("/__admin/carreta/orders/%d/status", o.ID), strings.NewReader(`{"status": 14}`))
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	advance(t, m, "720h")
	if d := detail(t, m, o.ID); d.Status != int(carreta.StatusInStock) {
		t.Fatalf("status %d after the manual move and thirty days", d.Status)
	}
	h := historyOf(t, m, o.ID)
	want := []historyEntry{
		{Created: carreta.FormatTime(frozenAt)},
		{`Статус изменен с "Получен в заказ" на "В работе"`, carreta.FormatTime(sched[0].At)},
		{`Статус изменен с "В работе" на "На складе"`, carreta.FormatTime(sched[0].At.Add(time.Minute))},
	}
	if len(h) != len(want) {
		t.Fatalf("history %v", h)
	}
	for i := 1; i < len(want); i++ {
		if h[i] != want[i] {
			t.Errorf("entry %d: %+v, want %+v", i, h[i], want[i])
		}
	}
	st := get(t, m, fmt.Sprintf("/__admin/state/carreta/orders/%d", o.ID)).Body
	if bytes.Contains(st, []byte(`"auto"`)) {
		t.Fatalf("still on its path: %s", st)
	}
}

// TestLifecycle_controlAPIAgrees: what /__admin/state shows of an order is
// what its client reads, even when time passed without anyone asking;
// moving the clock back does not undo a move.
func TestLifecycle_controlAPIAgrees(t *testing.T) {
	t.Parallel()
	m := start(t, servertest.Options{})
	o := place(t, m, search(t, m, "oc47")[4], "состояние")
	m.Srv.Clock().Advance(30 * 24 * time.Hour) // as real time would
	var stored struct {
		Status int             `json:"status"`
		Auto   json.RawMessage `json:"auto"`
	}
	if err := json.Unmarshal(get(t, m, fmt.Sprintf("/__admin/state/carreta/orders/%d", o.ID)).Body, &stored); err != nil {
		t.Fatal(err)
	}
	d := detail(t, m, o.ID)
	if stored.Status != d.Status || stored.Auto != nil || d.Status == o.Status {
		t.Fatalf("stored %+v, client reads %d", stored, d.Status)
	}
	advance(t, m, "-720h")
	if back := detail(t, m, o.ID); back.Status != d.Status {
		t.Fatalf("the clock went back and the order with it: %d", back.Status)
	}
}

// TestLifecycle_offUnlessSet: a scenario without carreta.lifecycle keeps
// its orders where they are; one with its own status table starts them in
// its new_status and names them by it.
func TestLifecycle_offUnlessSet(t *testing.T) {
	t.Parallel()
	m := start(t, servertest.Options{Scenario: ownTable})
	offers := search(t, m, "zz-1")
	o := place(t, m, offers[0], "")
	if o.Status != 20 {
		t.Fatalf("created in %d", o.Status)
	}
	advance(t, m, "8760h")
	d := get(t, m, fmt.Sprintf("/v1/order/%d/?api_key=demo-key", o.ID))
	if !bytes.Contains(d.Body, []byte(`"status": 20, "status_display": "\u041f\u0440\u0438\u043d\u044f\u0442"`)) { // "Принят"
		t.Fatalf("%s", d.Body)
	}
}

// ownTable is a scenario with its own status table and no lifecycle.
const ownTable = `name: own
seed: 1
carreta:
  accounts: [{api_key: demo-key}]
  statuses: [{id: 20, name: Принят}, {id: 30, name: Готов}]
  new_status: 20
`

// TestLifecycle_legacyStateFile: a state file written before the vendor's
// table replaced the guessed one (statuses 1 Холд ... 8 Отказ, no
// status_version, nor the order list's indexes) still loads, and every order reads in the status of the
// same meaning; the control API shows the migrated rows too.
func TestLifecycle_legacyStateFile(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "state.db")
	m := start(t, servertest.Options{Config: server.Config{DB: db}})
	m.Close()
	if err := m.Srv.Close(); err != nil {
		t.Fatal(err)
	}
	// The retired numbers: 189330 Выдан (7), 189332 Готов к выдаче (6),
	// 189333 Холд (1), the restricted account's order Отказ (8).
	legacy := map[uint64]int{189330: 7, 189331: 8, 189332: 6, 189333: 1}
	st, err := state.Open(db+".carreta", clock.New(nil), carreta.Buckets...) // carreta's own file (state.Files)
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(func(tx *state.Tx) error {
		for id, status := range legacy {
			var rec map[string]any
			if err := tx.Get("carreta.orders", state.Key(id), &rec); err != nil {
				return err
			}
			rec["status"] = status
			delete(rec, "status_version")
			if err := tx.Put("carreta.orders", state.Key(id), rec); err != nil {
				return err
			}
		}
		// Such a file predates the order list's indexes too.
		return dropIndexes(tx)
	})
	if err != nil || st.Close() != nil {
		t.Fatal(err)
	}
	m = start(t, servertest.Options{Config: server.Config{DB: db}})
	want := map[uint64]int{189330: 7, 189332: 5, 189333: 2}
	for _, o := range orders(t, get(t, m, "/v1/order/?api_key=demo-key")) {
		if o.Status != want[o.ID] {
			t.Errorf("order %d: status %d, want %d", o.ID, o.Status, want[o.ID])
		}
	}
	rows := get(t, m, "/__admin/state/carreta/orders").Body
	if n := bytes.Count(rows, []byte(`"status_version":2`)); n != len(legacy) {
		t.Fatalf("%d of %d rows migrated: %s", n, len(legacy), rows)
	}
	if !bytes.Contains(rows, []byte(`"id":189331,"account_id":2,"number":"A111343-1","status":8,`)) {
		t.Fatalf("the cancelled order: %s", rows)
	}
}

// TestLifecycle_concurrentReaders: clients polling while the clock moves
// (as real time would, with no control-API call to catch up) each see the
// order only go forward along its schedule, and the history they read
// always holds at least the moves their last status needed. Run it with
// -race: the queue, the view and the store are shared by all of them.
func TestLifecycle_concurrentReaders(t *testing.T) {
	t.Parallel()
	m := start(t, servertest.Options{})
	o := place(t, m, search(t, m, "oc47")[4], "гонка")
	sched := defaultLifecycle(t).Schedule(carreta.OrderState{ID: o.ID, Created: frozenAt, PeriodMin: 3, PeriodMax: 5})
	rank := map[int]int{int(carreta.DefaultNewStatus): 0}
	for i, mv := range sched {
		rank[int(mv.Status)] = i + 1
	}
	done := make(chan struct{})
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			last := 0
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				r, err := m.Send(http.MethodGet, fmt.Sprintf("/v1/order/%d/?api_key=demo-key", o.ID), nil)
				if err != nil {
					errs <- err
					return
				}
				var d order
				if err := json.Unmarshal(r.Body, &d); err != nil {
					errs <- fmt.Errorf("%s: %w", r.Body, err)
					return
				}
				h, err := m.Send(http.MethodGet, fmt.Sprintf("/v1/order/%d/history/?api_key=demo-key", o.ID), nil)
				if err != nil {
					errs <- err
					return
				}
				if n := bytes.Count(h.Body, []byte(`"comment"`)); rank[d.Status] < last || n < 1+rank[d.Status] {
					errs <- fmt.Errorf("status %d (move %d) after move %d, history of %d entries", d.Status, rank[d.Status], last, n)
					return
				}
				last = rank[d.Status]
			}
		}()
	}
	for range 100 {
		m.Srv.Clock().Advance(2 * time.Hour)
		orders(t, get(t, m, "/v1/order/?api_key=demo-key")) // paces the moves, and reads too
	}
	close(done)
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
