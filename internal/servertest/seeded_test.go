package servertest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/server"
)

// A mock started from a copy of a seeded state (seeded.go) has that
// state's part files byte for byte, its own scenario file name, and a
// state of its own: what one mock writes, no other sees.
func TestStart_copy(t *testing.T) {
	// A scenario no other test seeds: a is seeded, b and c are copies of
	// a's state (unless a minute turned between them: then each is seeded
	// and says so, and the test starts them again).
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
	for i := 1; i < len(af); i++ { // the parts; the main file names the scenario's file
		if !bytes.Equal(af[i], bf[i]) {
			t.Errorf("part file %d of the copy differs from the seeded one (%d and %d bytes)", i, len(bf[i]), len(af[i]))
		}
	}
	// Each says it was seeded from its own scenario file, as a seeding in
	// its own directory would; the rest of the stored scenario is the same.
	as, bs := stored(t, a), stored(t, b)
	if as.Sealed.File == bs.Sealed.File || as.Sealed.Source != bs.Sealed.Source {
		t.Errorf("stored scenarios: seeded %s, copy %s: want the same document under two file names", as.Sealed.File, bs.Sealed.File)
	}
	for _, m := range []*Mock{a, b} {
		r := m.Do(t, http.MethodGet, "/__admin/scenario", nil)
		st := stored(t, m)
		if !strings.Contains(string(r.Body), `"file":`+string(mustJSON(t, st.Sealed.File))) {
			t.Errorf("/__admin/scenario says %s, want the file %s", r.Body, st.Sealed.File)
		}
	}

	// An order placed in a is in neither b nor a copy made after it; one
	// placed in b is not in a.
	a.PlaceCarretaOrder(t)
	c := Start(t, Options{Scenario: src})
	// The orders of oc47 (PlaceCarretaOrder's), newest first.
	count := func(m *Mock) int {
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
	seededOrders := count(b)
	if got := count(a); got != seededOrders+1 {
		t.Fatalf("a has %d orders after placing one, want %d", got, seededOrders+1)
	}
	if got := count(c); got != seededOrders {
		t.Errorf("a mock started after a's order has %d orders, want the seeded %d", got, seededOrders)
	}
	b.PlaceCarretaOrder(t)
	b.PlaceCarretaOrder(t)
	if got := count(a); got != seededOrders+1 {
		t.Errorf("a has %d orders after b placed two, want its own %d", got, seededOrders+1)
	}
}

// The form renamed reads and writes is the stored scenario's: it writes
// a seeded state's stored scenario back byte for byte.
func TestRenamed_keepsTheStoredForm(t *testing.T) {
	m := Start(t, Options{Scenario: "name: renamed-test\nextends: default\n"})
	src, _, err := m.Srv.Store().Seeded()
	if err != nil {
		t.Fatal(err)
	}
	st := stored(t, m)
	got, err := renamed(&template{stored: src, file: st.Sealed.File}, st.Sealed.File)
	if err != nil || !bytes.Equal(got, src) {
		t.Fatalf("renamed to its own name: %v\n%s\nwant\n%s", err, got, src)
	}
}

// A caller's state file, a caller's scenario file and a fresh start are
// never copies; the default scenario's mocks after the first are.
func TestSeedKeyOf(t *testing.T) {
	filled := server.Config{PasswordCost: 4}
	for _, c := range []struct {
		name  string
		opts  Options
		cfg   server.Config
		bench bool
		want  bool
	}{
		{"default", Options{}, filled, false, true},
		{"yaml", Options{Scenario: "name: x\n"}, filled, false, true},
		{"benchmark", Options{}, filled, true, false},
		{"caller's db", Options{Config: server.Config{DB: "x.db"}}, filled, false, false},
		{"caller's scenario", Options{Config: server.Config{Scenario: "x.yaml"}}, filled, false, false},
		{"fresh", Options{}, server.Config{Fresh: true}, false, false},
	} {
		if _, ok := seedKeyOf(c.opts, c.cfg, c.bench); ok != c.want {
			t.Errorf("%s: copy %v, want %v", c.name, ok, c.want)
		}
	}
}

func copiesMade() int {
	seeded.mu.Lock()
	defer seeded.mu.Unlock()
	return copies
}

// stored is the scenario m's main file stores.
func stored(t *testing.T, m *Mock) storedScenario {
	t.Helper()
	src, _, err := m.Srv.Store().Seeded()
	if err != nil {
		t.Fatal(err)
	}
	var st storedScenario
	if err := json.Unmarshal(src, &st); err != nil || st.Sealed == nil {
		t.Fatalf("stored scenario: %v %.80s", err, src)
	}
	return st
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
