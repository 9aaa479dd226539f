package scenario

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
)

// storedFile is one file of a scenario's extends chain as it was read.
type storedFile struct {
	File   string `json:"file"`
	Source []byte `json:"source"`
}

// stored is what Stored writes: every file of the extends chain, the
// scenario itself first and then each base in turn. The key names the
// format, so that ParseStored tells it from the bare YAML source older
// versions stored.
type stored struct {
	Chain []storedFile `json:"mockserver_scenario_chain"`
}

// Stored is the scenario in a form that ParseStored rebuilds without the
// file system: the sources of the whole extends chain. A state file keeps
// this, so that a restart and /__admin/reset return to the scenario that
// seeded it even after a base file was changed or deleted, or after an
// upgrade changed a shipped scenario it extends.
func (sc *Scenario) Stored() []byte {
	out, err := json.Marshal(stored{Chain: sc.chain()})
	if err != nil {
		panic(err) // strings and byte slices always encode
	}
	return out
}

// chain lists the scenario's own file, then its bases nearest first.
func (sc *Scenario) chain() []storedFile {
	return append([]storedFile{{File: sc.File, Source: sc.Source}}, sc.bases...)
}

// SameSources reports whether two scenarios were read from the same bytes,
// bases included. File names do not count: --scenario ./a.yaml and a.yaml
// are one scenario.
func (sc *Scenario) SameSources(other *Scenario) bool {
	return slices.EqualFunc(sc.chain(), other.chain(), func(a, b storedFile) bool { return bytes.Equal(a.Source, b.Source) })
}

// ParseStored rebuilds a scenario from what Stored wrote; where (the state
// file) is named in problem messages. A state file written before Stored
// existed holds the bare YAML source, whose extends: can only name an
// embedded scenario.
func ParseStored(where string, data []byte) (*Scenario, error) {
	var st stored
	if err := json.Unmarshal(data, &st); err != nil || len(st.Chain) == 0 {
		return parse("(scenario stored in "+where+")", data, 0, inDir(""))
	}
	label := func(f storedFile) string { return fmt.Sprintf("%s (as stored in %s)", f.File, where) }
	find := func(name, _ string, depth int) (string, []byte, bool, error) {
		if depth >= len(st.Chain) {
			return "", nil, false, fmt.Errorf("the stored scenario lacks the base %q", name)
		}
		return label(st.Chain[depth]), st.Chain[depth].Source, false, nil
	}
	sc, err := parse(label(st.Chain[0]), st.Chain[0].Source, 0, find)
	if err != nil {
		return nil, err
	}
	// Keep the names the files had, so a reset stores the same bytes again.
	sc.File = st.Chain[0].File
	for i := range sc.bases {
		sc.bases[i].File = st.Chain[i+1].File
	}
	return sc, nil
}
