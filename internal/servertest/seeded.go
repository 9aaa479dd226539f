package servertest

import (
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/mockserver/mockserver/internal/server"
	"github.com/mockserver/mockserver/internal/state"
)

// seeded keeps, for this process, the state each scenario seeded (and the
// bcrypt cost it seeded at), so that the next mock of that scenario starts
// from a copy of its files instead of seeding again: the first mock of a
// scenario seeds, every later one opens a copy as a restart opens a kept
// file (server.New's "state kept" path). Seeding was most of a mock's
// start, and a test package starts dozens from the default scenario.
//
// A copy is that seeding's state byte for byte (TestStart_copy), so it
// holds what a seeding in the test would, but for what a seeding takes
// from the clock and the salt: the rows stamped with the time of seeding
// (an amapi user, a carreta order without created:, and carreta's
// generated orders, which end a minute before it) and the bcrypt salts
// of a scenario's passwords that no shipped seal gives. Those differ
// between any two seedings; so that a copy's stamps are never older than
// the minute they would have, a template is used only within the minute
// (by the server's clock, real time at start) it was seeded in, and
// replaced after it.
var seeded struct {
	// mu guards m. It is held only to look up or replace a template,
	// never while one is written or a server starts.
	mu    sync.Mutex
	m     map[seedKey]*template
	order []seedKey // oldest first, to drop past maxTemplates
}

// maxTemplates bounds the templates kept: a package's tests seed a few
// scenarios many times and many scenarios once (amapi's), and a template
// of the default scenario is about half a megabyte.
const maxTemplates = 8

// seedKey is what a seeded state depends on of Start's arguments.
type seedKey struct {
	source string // the scenario's YAML, "" for the embedded default
	cost   int    // server.Config.PasswordCost
}

// template is one seeded state: its files' bytes and what a copy needs.
type template struct {
	names  []string       // the state's parts (state.Set.PartNames)
	files  state.Template // never changed once made
	file   string         // the scenario file it was seeded from ("" for the default)
	stored []byte         // the scenario its main file stores (scenario.Stored)
	minute time.Time      // the minute it was seeded in
}

// copies counts the mocks started from a copy, for the tests of this file.
var copies int

// seedKeyOf says whether a mock of opts and cfg (cfg as Start fills it)
// may start from a copy, and under which key. Only a new file in Start's
// own directory, seeded from a scenario Start wrote there or the default,
// qualifies: a caller's DB may hold a state already, a caller's scenario
// file may extend files beside it, and a benchmark measures the mock's
// own start.
func seedKeyOf(opts Options, cfg server.Config, bench bool) (seedKey, bool) {
	if bench || opts.Config.DB != "" || opts.Config.Scenario != "" || cfg.Fresh {
		return seedKey{}, false
	}
	return seedKey{source: opts.Scenario, cost: cfg.PasswordCost}, true
}

// copyTemplate writes the template of key, if there is one of this
// minute, as the files of cfg's state, and reports whether it did.
func copyTemplate(key seedKey, cfg server.Config) (bool, error) {
	seeded.mu.Lock()
	tpl := seeded.m[key]
	seeded.mu.Unlock()
	if tpl == nil || !tpl.minute.Equal(time.Now().Truncate(time.Minute)) {
		return false, nil
	}
	var src []byte
	if tpl.file != cfg.Scenario {
		var err error
		if src, err = renamed(tpl, cfg.Scenario); err != nil {
			return false, err
		}
	}
	if err := state.WriteCopy(cfg.DB, tpl.names, tpl.files, src); err != nil {
		return false, err
	}
	seeded.mu.Lock()
	copies++
	seeded.mu.Unlock()
	return true, nil
}

// keepTemplate keeps the state srv has just seeded, between before and
// after, as the template of key. It runs before the mock serves anyone,
// so the state is the seeding's. A seeding that straddled a minute is not
// kept: which minute its stamps are of is not known.
func keepTemplate(key seedKey, cfg server.Config, srv *server.Server, before, after time.Time) error {
	minute := before.Truncate(time.Minute)
	if !after.Truncate(time.Minute).Equal(minute) {
		return nil
	}
	files, err := srv.Store().Template()
	if err != nil {
		return err
	}
	stored, _, err := srv.Store().Seeded()
	if err != nil {
		return err
	}
	tpl := &template{names: srv.Store().PartNames(), files: files, file: cfg.Scenario, stored: stored, minute: minute}
	seeded.mu.Lock()
	defer seeded.mu.Unlock()
	if seeded.m == nil {
		seeded.m = map[seedKey]*template{}
	}
	if _, ok := seeded.m[key]; !ok {
		seeded.order = append(seeded.order, key)
	}
	seeded.m[key] = tpl
	if len(seeded.order) > maxTemplates {
		delete(seeded.m, seeded.order[0])
		seeded.order = seeded.order[1:]
	}
	return nil
}

// storedScenario is the form the scenario stored in a state's main file
// takes (scenario.Stored): its file name and its sealed document. Only
// the name changes between two seedings from the same YAML in two
// directories; TestStart_copy checks that this form writes the stored
// bytes back unchanged.
type storedScenario struct {
	Sealed *struct {
		File   string `json:"file"`
		Source string `json:"source"`
	} `json:"mockserver_sealed_scenario"`
}

// renamed is the scenario stored in tpl's main file as a seeding from the
// scenario file at file would store it.
func renamed(tpl *template, file string) ([]byte, error) {
	var st storedScenario
	if err := json.Unmarshal(tpl.stored, &st); err != nil || st.Sealed == nil || st.Sealed.File != tpl.file {
		return nil, fmt.Errorf("servertest: the stored scenario is not of the form a copy can rename (%v): %.80s", err, tpl.stored)
	}
	st.Sealed.File = file
	return json.Marshal(st)
}
