package e2e_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/mockserver/mockserver/internal/server"
	"github.com/mockserver/mockserver/internal/servertest"
	"golang.org/x/crypto/bcrypt"
)

// wholeState is every row of every collection, as /__admin/state shows it.
func wholeState(t *testing.T, m *servertest.Mock) []byte {
	t.Helper()
	var colls map[string][]string
	if r := m.Do(t, http.MethodGet, "/__admin/state", nil); r.Status != http.StatusOK || json.Unmarshal(r.Body, &colls) != nil {
		t.Fatalf("state: %d %s", r.Status, r.Body)
	}
	var out bytes.Buffer
	for _, api := range []string{"amapi", "carreta", "saplab"} {
		for _, coll := range colls[api] {
			r := m.Do(t, http.MethodGet, "/__admin/state/"+api+"/"+coll, nil)
			if r.Status != http.StatusOK {
				t.Fatalf("%s/%s: %d %s", api, coll, r.Status, r.Body)
			}
			out.WriteString(api + "/" + coll + "\n")
			out.Write(r.Body)
		}
	}
	return out.Bytes()
}

// "Freeze the clock and reset for byte-identical state" holds for the
// password hashes too: a seeded identity's bcrypt salt comes from the
// scenario's seed.
func TestSeeding_frozenClockIsByteIdentical(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{})
	if r := m.Do(t, http.MethodPost, "/__admin/clock", bytes.NewReader([]byte(`{"set": "2026-03-02T10:00:00+03:00", "freeze": true}`))); r.Status != http.StatusOK {
		t.Fatalf("clock: %d %s", r.Status, r.Body)
	}
	// /__admin/state shows no hashes: they are read from the state file
	// itself, every distinct one, in order.
	bcryptRe := regexp.MustCompile(`\$2a\$04\$[./A-Za-z0-9]{53}`)
	seed := func() []byte {
		if r := m.Do(t, http.MethodPost, "/__admin/reset", nil); r.Status != http.StatusOK {
			t.Fatalf("reset: %d %s", r.Status, r.Body)
		}
		hashes := bcryptRe.FindAll(m.Do(t, http.MethodGet, "/__admin/snapshot", nil).Body, -1)
		slices.SortFunc(hashes, bytes.Compare)
		return append(bytes.Join(slices.CompactFunc(hashes, bytes.Equal), []byte("\n")), wholeState(t, m)...)
	}
	first, second := seed(), seed()
	if !bytes.HasPrefix(first, []byte("$2a$04$")) {
		t.Fatalf("no password hash in the state file, so this test proves nothing:\n%.2000s", first)
	}
	if !bytes.Equal(first, second) {
		i := 0
		for i < len(first) && i < len(second) && first[i] == second[i] {
			i++
		}
		t.Fatalf("two seedings differ at byte %d:\n%.300s\n---\n%.300s", i, first[max(0, i-100):], second[max(0, i-100):])
	}
}

// stateFiles are the bytes of m's state files, each as of one transaction.
func stateFiles(t *testing.T, m *servertest.Mock) [][]byte {
	t.Helper()
	files, err := m.Srv.Store().Template()
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// sameFiles reports whether two mocks' state files are the same bytes: a
// mock started from a copy of another's seeding (servertest, seeded.go),
// since two seedings differ at least in the time each recorded.
func sameFiles(t *testing.T, a, b *servertest.Mock) bool {
	t.Helper()
	af, bf := stateFiles(t, a), stateFiles(t, b)
	return slices.EqualFunc(af, bf, bytes.Equal)
}

// A test's mock of a scenario the process has seeded starts from a copy
// of that seeding: its files are the seeded ones byte for byte, main file
// included, and its state is its own: what one mock writes, no other sees.
func TestSeeding_aCopyIsTheSeededStateAndItsOwn(t *testing.T) {
	t.Parallel()
	// A scenario no other test seeds: a seeds it, b is a copy (unless a
	// minute turned between them, when servertest seeds again and the
	// pair is started again).
	src := "name: copy-test\nextends: default\n"
	var a, b *servertest.Mock
	for try := 0; ; try++ {
		a = servertest.Start(t, servertest.Options{Scenario: src})
		b = servertest.Start(t, servertest.Options{Scenario: src})
		if sameFiles(t, a, b) {
			break
		}
		if try == 2 {
			t.Fatal("three pairs of mocks of one scenario, and in none were the second's files the first's")
		}
	}
	// The scenario's file is read at the seeding only, and gone after it.
	file := scenarioFile(t, b)
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("the scenario file %s is still there after the start: %v", file, err)
	}

	// An order placed in a is in neither b nor a copy made after it; the
	// ones placed in b are not in a.
	a.PlaceCarretaOrder(t)
	c := servertest.Start(t, servertest.Options{Scenario: src})
	seeded := oc47Orders(t, b)
	if got := oc47Orders(t, a); got != seeded+1 {
		t.Fatalf("a has %d orders of oc47 after placing one, want %d", got, seeded+1)
	}
	if got := oc47Orders(t, c); got != seeded {
		t.Errorf("a mock started after a's order has %d orders of oc47, want the seeded %d", got, seeded)
	}
	b.PlaceCarretaOrder(t)
	b.PlaceCarretaOrder(t)
	if got := oc47Orders(t, a); got != seeded+1 {
		t.Errorf("a has %d orders of oc47 after b placed two, want its own %d", got, seeded+1)
	}
}

// scenarioFile is the file m's scenario was read from, as
// /__admin/scenario names it.
func scenarioFile(t *testing.T, m *servertest.Mock) string {
	t.Helper()
	var sc struct{ File string }
	if r := m.Do(t, http.MethodGet, "/__admin/scenario", nil); json.Unmarshal(r.Body, &sc) != nil || sc.File == "" {
		t.Fatalf("scenario: %d %s", r.Status, r.Body)
	}
	return sc.File
}

// oc47Orders counts demo-key's carreta orders of oc47 (PlaceCarretaOrder's).
func oc47Orders(t *testing.T, m *servertest.Mock) int {
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

// A mock on a caller's state file or of a caller's scenario file seeds its
// own state: servertest copies only onto a new file of its own, seeded
// from the default scenario or YAML it was given.
func TestSeeding_noCopyOntoACallersFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "caller.yaml")
	if err := os.WriteFile(file, []byte("name: caller\nextends: default\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, cfg := range map[string]func(i int) server.Config{
		"state file":    func(i int) server.Config { return server.Config{DB: filepath.Join(dir, fmt.Sprintf("state%d.db", i))} },
		"scenario file": func(int) server.Config { return server.Config{Scenario: file} },
	} {
		a := servertest.Start(t, servertest.Options{Config: cfg(0)})
		b := servertest.Start(t, servertest.Options{Config: cfg(1)})
		if sameFiles(t, a, b) {
			t.Errorf("%s: the second mock's files are the first's, a copy", name)
		}
	}
}

// Mocks of one scenario that may not share a template (another password
// cost: another key of servertest's) never read it from the same file:
// each key's first mock writes that file, seeds from it and removes it, and
// two such seedings at once would each remove the other's file, or read it
// half written.
func TestSeeding_anotherCostIsAnotherScenarioFile(t *testing.T) {
	t.Parallel()
	src := "name: cost-file-test\nextends: default\n"
	a := servertest.Start(t, servertest.Options{Scenario: src})
	b := servertest.Start(t, servertest.Options{Scenario: src, Config: server.Config{PasswordCost: bcrypt.MinCost + 1}})
	if fa, fb := scenarioFile(t, a), scenarioFile(t, b); fa == fb {
		t.Errorf("the mocks of two password costs both seeded from %s", fa)
	}
}
