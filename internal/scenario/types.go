package scenario

import (
	"github.com/mockserver/mockserver/internal/amapi"
	"github.com/mockserver/mockserver/internal/carreta"
	"github.com/mockserver/mockserver/internal/money"
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
	Extends string `yaml:"extends"`
	Seed    int64  `yaml:"seed"`

	// Amapi is the amapi: section (SPEC §3, §4; amapi/seed.go).
	Amapi amapi.Section `yaml:"amapi"`

	// Carreta is the carreta: section (SPEC §3, §5; carreta/seed.go).
	Carreta carreta.Section `yaml:"carreta"`

	// Saplab is the saplab: section (SPEC §3, §6).
	Saplab Saplab `yaml:"saplab"`

	// Faults are armed when the scenario loads (SPEC §7).
	Faults []Fault `yaml:"faults"`

	// File is where the scenario came from, used in problem messages.
	File string `yaml:"-"`
	// Source is the exact bytes it was read from.
	Source []byte `yaml:"-"`
	// bases are the files of the extends chain, nearest first, kept so
	// that Stored can rebuild the scenario without the file system.
	bases []storedFile
}

// Saplab is the saplab: section (SPEC §3, §6). Ids are given explicitly so
// that scenarios can refer to rows from other rows.
type Saplab struct {
	Points        []SaplabPoint        `yaml:"points"`
	ManagerGroups []SaplabManagerGroup `yaml:"manager_groups"`
	Employees     []SaplabEmployee     `yaml:"employees"`
	ShippingTypes []SaplabShippingType `yaml:"shipping_types"`
	Statuses      []SaplabStatus       `yaml:"statuses"`
	Settings      SaplabSettings       `yaml:"settings"`
	Groups        []SaplabGroup        `yaml:"groups"`
	Distributors  []SaplabDistributor  `yaml:"distributors"`
	Clients       []SaplabClient       `yaml:"clients"`
	Transactions  []SaplabTransaction  `yaml:"transactions"`
	Orders        []SaplabOrder        `yaml:"orders"`
	Generate      SaplabGenerate       `yaml:"generate"`
}

// SaplabPoint is an office (pickup point).
type SaplabPoint struct {
	ID      int64  `yaml:"id"`
	Name    string `yaml:"name"`
	Address string `yaml:"address"`
}

// SaplabManagerGroup is a group of employees and what it may do.
type SaplabManagerGroup struct {
	ID          int64    `yaml:"id"`
	Name        string   `yaml:"name"`
	Permissions []string `yaml:"permissions"`
}

// Saplab permissions (SPEC §3).
const (
	PermClientsRead   = "clients.read"
	PermClientsWrite  = "clients.write"
	PermBalanceWrite  = "balance.write"
	PermOrdersRead    = "orders.read"
	PermOrdersWrite   = "orders.write"
	PermOrdersPay     = "orders.pay"
	PermSettingsWrite = "settings.write"
	PermManagersRead  = "managers.read"
)

// Permissions lists every permission a manager group may hold.
var Permissions = []string{PermClientsRead, PermClientsWrite, PermBalanceWrite, PermOrdersRead,
	PermOrdersWrite, PermOrdersPay, PermSettingsWrite, PermManagersRead}

// SaplabEmployee is a back-office user; Phone is the Basic-auth login.
type SaplabEmployee struct {
	ID          int64  `yaml:"id"`
	Phone       string `yaml:"phone"`
	Password    string `yaml:"password"`
	Name        string `yaml:"name"`
	Seat        string `yaml:"seat"`
	Email       string `yaml:"email"`
	PointID     int64  `yaml:"point_id"`
	GroupID     int64  `yaml:"group_id"`
	Status      *bool  `yaml:"status"`
	ClientUse   bool   `yaml:"client_use"`
	ContactShow bool   `yaml:"contact_show"`
}

// SaplabShippingType is a delivery method.
type SaplabShippingType struct {
	ID       int64  `yaml:"id"`
	Name     string `yaml:"name"`
	MinPrice int64  `yaml:"min_price"`
}

// SaplabStatus is an order-position status.
type SaplabStatus struct {
	ID    int64  `yaml:"id"`
	Name  string `yaml:"name"`
	Color string `yaml:"color"`
	SMS   bool   `yaml:"sms"`
	Email bool   `yaml:"email"`
}

// SaplabSettings names the statuses and group the rules depend on.
type SaplabSettings struct {
	NewStatusID      int64 `yaml:"new_status_id"`
	AcceptedStatusID int64 `yaml:"accepted_status_id"`
	DeniedStatusID   int64 `yaml:"denied_status_id"`
	DefaultGroupID   int64 `yaml:"default_group_id"`
}

// SaplabGroup is a client discount group.
type SaplabGroup struct {
	ID       int64  `yaml:"id"`
	Name     string `yaml:"name"`
	Discount int64  `yaml:"discount"`
	Comment  string `yaml:"comment"`
}

// SaplabDistributor is a supplier of positions.
type SaplabDistributor struct {
	ID   int64  `yaml:"id"`
	Name string `yaml:"name"`
}

// SaplabClient is a shop client. Balance is the balance the client has when
// the scenario loads: the seeder books the difference between it and the
// client's listed transactions as an opening transaction ("Начальный
// остаток"), so the balance always equals the sum of the ledger.
type SaplabClient struct {
	ID           int64             `yaml:"id"`
	Name         string            `yaml:"name"`
	Phone        string            `yaml:"phone"`
	Email        string            `yaml:"email"`
	Password     string            `yaml:"password"`
	Address      string            `yaml:"address"`
	GroupID      int64             `yaml:"group_id"`
	ManagerID    int64             `yaml:"manager_id"`
	PointID      int64             `yaml:"point_id"`
	ShippingID   int64             `yaml:"shipping_id"`
	Limit        int64             `yaml:"limit"`
	Comment      string            `yaml:"comment"`
	Status       *bool             `yaml:"status"`
	IsWholesaler bool              `yaml:"is_wholesaler"`
	Wholesaler   *SaplabWholesaler `yaml:"wholesaler"`
	Balance      money.Amount      `yaml:"balance"`
	Created      string            `yaml:"created"`
	// Modified is date_modified; it defaults to Created.
	Modified string `yaml:"modified"`
}

// SaplabWholesaler is a legal entity's details (wholesaler_data in the document).
type SaplabWholesaler struct {
	Type        string `yaml:"type"`
	OrgName     string `yaml:"org_name"`
	INN         string `yaml:"inn"`
	KPP         string `yaml:"kpp"`
	ORGN        string `yaml:"orgn"`
	Address     string `yaml:"address"`
	Bank        string `yaml:"bank"`
	BIK         string `yaml:"bik"`
	Account     string `yaml:"account"`
	BankAccount string `yaml:"bank_account"`
}

// SaplabTransaction is a ledger entry on a client's balance.
type SaplabTransaction struct {
	ClientID    int64        `yaml:"client_id"`
	Amount      money.Amount `yaml:"amount"`
	Description string       `yaml:"description"`
	Created     string       `yaml:"created"`
}

// SaplabOrder is an order position as the storefront would have created it.
type SaplabOrder struct {
	ID              int64        `yaml:"id"`
	ClientID        int64        `yaml:"client_id"`
	Invoice         string       `yaml:"invoice"`
	Brand           string       `yaml:"brand"`
	Article         string       `yaml:"article"`
	Name            string       `yaml:"name"`
	DistributorID   int64        `yaml:"distributor_id"`
	Price           money.Amount `yaml:"price"`
	InitialPrice    money.Amount `yaml:"initial_price"`
	Quantity        int64        `yaml:"quantity"`
	DeliveryTimeMin int64        `yaml:"delivarytime_min"`
	DeliveryTimeMax int64        `yaml:"delivarytime_max"`
	StatusID        int64        `yaml:"status_id"`
	ShippingID      int64        `yaml:"shipping_id"`
	ShippingAddress string       `yaml:"shipping_address"`
	ClientComment   string       `yaml:"client_comment"`
	ManagerComment  string       `yaml:"manager_comment"`
	IsPayed         bool         `yaml:"is_payed"`
	IsArchived      bool         `yaml:"is_archived"`
	DenyRequest     bool         `yaml:"deny_request"`
	Created         string       `yaml:"created"`
}

// SaplabGenerate asks for extra fake rows, reproducible from the seed.
type SaplabGenerate struct {
	Clients int `yaml:"clients"`
	Orders  int `yaml:"orders"`
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
