package scenario

import (
	"github.com/mockserver/mockserver/internal/money"
	"github.com/mockserver/mockserver/internal/saplab"
)

// Scenario is one scenarios/*.yaml file: what the state is seeded with and
// which faults are armed. Top-level keys are extended, never renamed (SPEC §3).
type Scenario struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	// Extends names a scenario whose sections this one inherits (a file
	// beside this one, or in the scenario directory for ?name= and posted
	// bodies; else an embedded one); every top-level key this file sets
	// replaces the base's whole section.
	Extends string         `yaml:"extends"`
	Seed    int64          `yaml:"seed"`
	Amapi   Amapi          `yaml:"amapi"`
	Carreta Carreta        `yaml:"carreta"`
	Saplab  saplab.Section `yaml:"saplab"`
	Faults  []Fault        `yaml:"faults"`

	// File is where the scenario came from, used in problem messages.
	File string `yaml:"-"`
	// Source is the exact bytes it was read from.
	Source []byte `yaml:"-"`
	// bases are the files of the extends chain, nearest first, kept so
	// that Stored can rebuild the scenario without the file system.
	bases []storedFile
}

// Amapi is the amapi: section (SPEC §3, §4).
type Amapi struct {
	Service AmapiService `yaml:"service"`
	Users   []AmapiUser  `yaml:"users"`
}

// AmapiService holds the flags GET /api/test reports. Pointers tell "absent"
// (true by default) from an explicit false.
type AmapiService struct {
	Available          *bool `yaml:"available"`
	OnlineRegistration *bool `yaml:"online_registration"`
}

// AmapiUser is a registered amapi user; tokens are Sanctum plain-text tokens
// ("<id>|<40 alphanumerics>") that the user can use at once.
type AmapiUser struct {
	Name     string   `yaml:"name"`
	Email    string   `yaml:"email"`
	Password string   `yaml:"password"`
	Tokens   []string `yaml:"tokens"`
}

// Carreta is the carreta: section (SPEC §3, §5).
type Carreta struct {
	Accounts []CarretaAccount `yaml:"accounts"`
	Catalog  []CarretaPart    `yaml:"catalog"`
	Generate CarretaGenerate  `yaml:"generate"`
	Orders   []CarretaOrder   `yaml:"orders"`
}

// CarretaAccount is one api_key with its profile and IP allowlist (empty: any IP).
type CarretaAccount struct {
	APIKey     string       `yaml:"api_key"`
	Name       string       `yaml:"name"`
	City       string       `yaml:"city"`
	Email      string       `yaml:"email"`
	Phone      string       `yaml:"phone"`
	Balance    money.Amount `yaml:"balance"`
	AllowedIPs []string     `yaml:"allowed_ips"`
}

// CarretaPart is one catalog offer; Crosses are its replacements, returned
// after it with is_cross true.
type CarretaPart struct {
	Code      string        `yaml:"code"`
	Maker     string        `yaml:"maker"`
	Name      string        `yaml:"name"`
	Desc      string        `yaml:"desc"`
	Price     money.Amount  `yaml:"price"`
	Qty       string        `yaml:"qty"`
	MinQty    int           `yaml:"min_qty"`
	PeriodMin int           `yaml:"period_min"`
	PeriodMax int           `yaml:"period_max"`
	Stat      *int          `yaml:"stat"`
	Crosses   []CarretaPart `yaml:"crosses"`
	// Signature pins the offer's "_" to a given value (the vendor's own, so
	// the document's examples work verbatim); empty means the mock signs it.
	Signature string `yaml:"signature"`
}

// CarretaGenerate tunes the fake offers for codes the catalog lacks.
type CarretaGenerate struct {
	ResultsPerQuery *int `yaml:"results_per_query"`
}

// CarretaOrder is an order that already exists when the scenario loads.
type CarretaOrder struct {
	Account       string       `yaml:"account"`
	Code          string       `yaml:"code"`
	Maker         string       `yaml:"maker"`
	Name          string       `yaml:"name"`
	Price         money.Amount `yaml:"price"`
	PeriodMin     int          `yaml:"period_min"`
	PeriodMax     int          `yaml:"period_max"`
	OrderQty      int          `yaml:"order_qty"`
	Status        int          `yaml:"status"`
	Comment       string       `yaml:"comment"`
	ClientComment string       `yaml:"client_comment"`
	Created       string       `yaml:"created"`
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
