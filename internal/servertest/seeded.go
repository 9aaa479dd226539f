package servertest

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/server"
	"github.com/mockserver/mockserver/internal/servertest/keyed"
	"github.com/mockserver/mockserver/internal/state"
)

// seeded keeps, for this process, the state each scenario seeded, so that
// the next mock of that scenario starts from a copy of its files instead
// of seeding again: the first mock of a scenario seeds, every later one
// opens a copy as a restart opens a kept file (server.New's "state kept"
// path; the parse of the stored scenario is then scenario.ParseStored's
// memo). Seeding was most of a mock's start, and a test package starts
// dozens from one scenario.
//
// A copy is the seeding's state byte for byte, main file included (e2e's
// TestSeeding_aCopyIsTheSeededStateAndItsOwn): the scenario is read from
// one file per process and scenario (scenarioFile), so every mock of it
// stores the same file name.
// It differs from a seeding of its own only in what a seeding takes from
// the clock and from chance, which differ between any two seedings: the
// rows stamped with the time of seeding (an amapi user, a carreta order
// without created:, and carreta's generated orders, which end a minute
// before it) and the bcrypt salts of a scenario's passwords that no
// shipped seal gives. So that a copy's stamps are never of another minute
// than a seeding's would be, a template serves only within the minute it
// was seeded in (by real time, which a mock's clock reads at start).
//
// Each key has one entry for the life of the process (keyed.Cache), whose
// lock is held while the key seeds, so that the mocks of it that start
// meanwhile wait and copy instead of each seeding, and so that two
// seedings of one key never write and remove its scenario file at once;
// only the templates are bounded.
var seeded = keyed.New[seedKey, template](maxTemplates)

// maxTemplates bounds the templates kept: a package's tests seed a few
// scenarios many times and many scenarios once (amapi's), and a template
// of the default scenario is about half a megabyte.
const maxTemplates = 8

// seedKey is what a seeded state depends on of Start's arguments.
type seedKey struct {
	source string // the scenario's YAML, "" for the embedded default
	cost   int    // server.Config.PasswordCost
}

// template is one seeded state: its files' bytes, never changed once made.
type template struct {
	parts  []state.Part // the state's parts, by name (state.Set.PartNames)
	files  state.Template
	minute time.Time // the minute it was seeded in
}

// seedKeyOf says whether a mock of opts may start from a copy, and under
// which key: only one on a new file in Start's own directory, seeded from
// the default scenario or from the YAML Start was given. A caller's DB may
// hold a state already, a caller's scenario file may extend files beside
// it, a fresh start seeds anyway, and a benchmark measures the mock's own
// start.
func seedKeyOf(opts Options, cost int, bench bool) (seedKey, bool) {
	if bench || opts.Config.DB != "" || opts.Config.Fresh || opts.Scenario == "" && opts.Config.Scenario != "" {
		return seedKey{}, false
	}
	return seedKey{source: opts.Scenario, cost: cost}, true
}

// startSeeded is server.New for Start's mock of key (src is its scenario's
// YAML, nil for the default): from a copy of the state the scenario seeded
// in this minute, else seeding it from scenarioFile and keeping the state.
func startSeeded(t testing.TB, key seedKey, src []byte, cfg server.Config) *server.Server {
	t.Helper()
	if src != nil {
		cfg.Scenario = scenarioFile(key)
	}
	e := seeded.Entry(key)
	e.Lock()
	tpl := e.Load()
	if tpl != nil && tpl.minute.Equal(time.Now().Truncate(time.Minute)) {
		e.Unlock()
		if err := state.WriteTemplate(cfg.DB, tpl.parts, tpl.files); err != nil {
			t.Fatalf("copy the seeded state: %v", err)
		}
		return mustNew(t, cfg)
	}
	defer e.Unlock()
	if src != nil {
		// The file lives while the mock seeds from it: nothing reads it
		// after server.New.
		if err := os.MkdirAll(filepath.Dir(cfg.Scenario), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(cfg.Scenario, src, 0o600); err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(filepath.Dir(cfg.Scenario))
	}
	before := time.Now()
	srv := mustNew(t, cfg)
	tpl, err := templateOf(srv, before, time.Now())
	if err != nil {
		_ = srv.Close()
		t.Fatalf("keep the seeded state: %v", err)
	}
	seeded.Keep(e, tpl)
	return srv
}

// scenarioFile is where the scenario of key is read from, the same for
// every mock of it in this process: under the temporary directory, named
// for the process and the key.
// The cost is in the name with the source: two keys' first mocks may
// seed at once, and each writes and removes its file.
func scenarioFile(key seedKey) string {
	sum := sha256.Sum256([]byte(key.source))
	return filepath.Join(os.TempDir(), fmt.Sprintf("servertest-%d-%x-%d", os.Getpid(), sum[:8], key.cost), "scenario.yaml")
}

// templateOf is the state srv has just seeded, between before and after.
// It is taken before the mock serves anyone, so the state is the
// seeding's. A seeding that straddled a minute gives none (nil): which
// minute its stamps are of is not known.
func templateOf(srv *server.Server, before, after time.Time) (*template, error) {
	minute := before.Truncate(time.Minute)
	if !after.Truncate(time.Minute).Equal(minute) {
		return nil, nil
	}
	files, err := srv.Store().Template()
	if err != nil {
		return nil, err
	}
	var parts []state.Part
	for _, name := range srv.Store().PartNames() {
		parts = append(parts, state.Part{Name: name})
	}
	return &template{parts: parts, files: files, minute: minute}, nil
}

// mustNew is server.New, failing t on an error.
func mustNew(t testing.TB, cfg server.Config) *server.Server {
	t.Helper()
	srv, err := server.New(cfg, nil)
	if err != nil {
		t.Fatalf("start mock: %v", err)
	}
	return srv
}
