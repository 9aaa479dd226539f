package scenario

import (
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/mockserver/mockserver/internal/amapi"
	"github.com/mockserver/mockserver/internal/carreta"
	"github.com/mockserver/mockserver/internal/saplab"
)

// Scenario is one scenarios/*.yaml file: what the state is seeded with and
// which faults are armed. Top-level keys are extended, never renamed (SPEC §3).
type Scenario struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	// Extends names a scenario this one is merged onto (a file beside this
	// one, or in the scenario directory for ?name= and posted bodies; else
	// an embedded one): mappings key by key, rows of identities by their
	// key, a value tagged !replace whole (merge.go).
	Extends string `yaml:"extends"`
	Seed    int64  `yaml:"seed"`

	// Amapi is the amapi: section (SPEC §3, §4; amapi/seed.go).
	Amapi amapi.Section `yaml:"amapi"`

	// Carreta is the carreta: section (SPEC §3, §5; carreta/seed.go).
	Carreta carreta.Section `yaml:"carreta"`

	// Saplab is the saplab: section (SPEC §3, §6; saplab/seed.go).
	Saplab saplab.Section `yaml:"saplab"`

	// Faults are armed when the scenario loads (SPEC §7).
	Faults []Fault `yaml:"faults"`

	// File is where the scenario came from, used in problem messages.
	File string `yaml:"-"`
	// Source is the exact bytes it was read from.
	Source []byte `yaml:"-"`
	// root is the effective document: this file merged onto its bases.
	root *yaml.Node
	// sealed is the effective document with its secrets sealed
	// (sealedSource), made once.
	sealed struct {
		once sync.Once
		doc  []byte
		err  error
	}
}

// Fault is one fault rule (SPEC §7). The fault package gives it meaning.
type Fault struct {
	ID     string      `yaml:"id" json:"id"`
	API    string      `yaml:"api" json:"api"`
	Method string      `yaml:"method" json:"method,omitempty"`
	Path   string      `yaml:"path" json:"path"`
	When   FaultWhen   `yaml:"when" json:"when"`
	Phase  string      `yaml:"phase" json:"phase,omitempty"`
	Action FaultAction `yaml:"action" json:"action"`
}

// FaultWhen says which matching requests the fault hits: exactly one of Nth,
// Every, After, Probability, with Times capping how often it fires.
type FaultWhen struct {
	Nth         int      `yaml:"nth" json:"nth,omitempty"`
	Every       int      `yaml:"every" json:"every,omitempty"`
	After       int      `yaml:"after" json:"after,omitempty"`
	Probability *float64 `yaml:"probability" json:"probability,omitempty"`
	Times       int      `yaml:"times" json:"times,omitempty"`

	// zero lists the counts written as 0 ("nth: 0"), which the ints alone
	// cannot tell from counts left out; CheckFault rejects them.
	zero []string
}

// FaultAction is what happens to a hit request.
type FaultAction struct {
	Status   int               `yaml:"status" json:"status,omitempty"`
	Body     *string           `yaml:"body" json:"body,omitempty"`
	Headers  map[string]string `yaml:"headers" json:"headers,omitempty"`
	Delay    *Delay            `yaml:"delay" json:"delay,omitempty"`
	Drop     bool              `yaml:"drop" json:"drop,omitempty"`
	Truncate bool              `yaml:"truncate" json:"truncate,omitempty"`
}
