package e2e_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"testing"

	"github.com/mockserver/mockserver/internal/servertest"
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
