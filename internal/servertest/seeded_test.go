package servertest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"testing"

	"github.com/mockserver/mockserver/internal/server"
)

// A mock started from a copy of a seeded state (seeded.go) has that
// state's files byte for byte and a state of its own: what one mock
// writes, no other sees.
func TestStart_copy(t *testing.T) {
	// A scenario no other test seeds: a is seeded, b and c are copies of
	// a's state (unless a minute turned between them: then the second is
	// seeded too, and the test starts the pair again).
	src := "name: copy-test\nextends: default\n"
	var a, b *Mock
	for try := 0; ; try++ {
		before := copiesMade()
		a = Start(t, Options{Scenario: src})
		b = Start(t, Options{Scenario: src})
		if copiesMade() == before+1 {
			break
		}
		if try == 2 {
			t.Fatal("three pairs of mocks of one scenario, and the second of none was a copy of the first")
		}
	}
	files := func(m *Mock) [][]byte {
		t.Helper()
		tpl, err := m.Srv.Store().Template()
		if err != nil {
			t.Fatal(err)
		}
		return tpl
	}
	af, bf := files(a), files(b)
	for i := range af {
		if !bytes.Equal(af[i], bf[i]) {
			t.Errorf("file %d of the copy differs from the seeded one's (%d and %d bytes)", i, len(bf[i]), len(af[i]))
		}
	}
	// Nothing reads the scenario's file after the start.
	if _, err := os.Stat(scenarioFile(seedKey{source: src, cost: 4})); !os.IsNotExist(err) {
		t.Errorf("the scenario file is still there after the start: %v", err)
	}

	// An order placed in a is in neither b nor a copy made after it; the
	// ones placed in b are not in a.
	a.PlaceCarretaOrder(t)
	c := Start(t, Options{Scenario: src})
	seededOrders := oc47Orders(t, b)
	if got := oc47Orders(t, a); got != seededOrders+1 {
		t.Fatalf("a has %d orders of oc47 after placing one, want %d", got, seededOrders+1)
	}
	if got := oc47Orders(t, c); got != seededOrders {
		t.Errorf("a mock started after a's order has %d orders of oc47, want the seeded %d", got, seededOrders)
	}
	b.PlaceCarretaOrder(t)
	b.PlaceCarretaOrder(t)
	if got := oc47Orders(t, a); got != seededOrders+1 {
		t.Errorf("a has %d orders of oc47 after b placed two, want its own %d", got, seededOrders+1)
	}
}

// oc47Orders counts demo-key's carreta orders of oc47 (PlaceCarretaOrder's).
func oc47Orders(t *testing.T, m *Mock) int {
	t.Helper()
	var list struct{ Objects []struct{ Code string } }
	r := m.Do(t, http.MethodGet, "/v1/order/?api_key=demo-key", nil)
	if err := json.Unmarshal(r.Body, &list); err != nil {
		t.Fatalf("orders: %v %.200s", err, r.Body)
	}
	n := 0
	for _, o := range list.Objects {
		if o.Code == "OC47" {
			n++
		}
	}
	return n
}

// A caller's state file, a caller's scenario file and a fresh start are
// never copies, nor is a benchmark's mock.
func TestSeedKeyOf(t *testing.T) {
	for _, c := range []struct {
		name  string
		opts  Options
		bench bool
		want  bool
	}{
		{"default", Options{}, false, true},
		{"yaml", Options{Scenario: "name: x\n"}, false, true},
		{"embedded", Options{Scenario: "empty"}, false, true},
		{"yaml over a caller's file", Options{Scenario: "name: x\n", Config: server.Config{Scenario: "x.yaml"}}, false, true},
		{"benchmark", Options{}, true, false},
		{"caller's db", Options{Config: server.Config{DB: "x.db"}}, false, false},
		{"caller's scenario", Options{Config: server.Config{Scenario: "x.yaml"}}, false, false},
		{"fresh", Options{Config: server.Config{Fresh: true}}, false, false},
	} {
		if _, ok := seedKeyOf(c.opts, 4, c.bench); ok != c.want {
			t.Errorf("%s: copy %v, want %v", c.name, ok, c.want)
		}
	}
}

func copiesMade() int {
	seeded.mu.Lock()
	defer seeded.mu.Unlock()
	return copies
}
