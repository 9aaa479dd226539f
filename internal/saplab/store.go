package saplab

import (
	"errors"
	"fmt"
	"time"

	"github.com/mockserver/mockserver/internal/money"
	"github.com/mockserver/mockserver/internal/state"
)

// Bucket names. Every record is JSON under state.Key(id), except the one
// settings record under settingsKey, so GET /__admin/state/saplab/<name>/<id>
// finds rows by id.
const (
	bPoints        = "saplab.points"
	bManagerGroups = "saplab.manager_groups"
	bEmployees     = "saplab.employees"
	bShipping      = "saplab.shipping_types"
	bStatuses      = "saplab.statuses"
	bGroups        = "saplab.groups"
	bDistributors  = "saplab.distributors"
	bSettings      = "saplab.settings"
	bClients       = "saplab.clients"
	bTransactions  = "saplab.transactions"
	bOrders        = "saplab.orders"
	bDocuments     = "saplab.documents"
)

// Buckets are saplab's collections in the state file.
var Buckets = []string{bPoints, bManagerGroups, bEmployees, bShipping, bStatuses, bGroups,
	bDistributors, bSettings, bClients, bTransactions, bOrders, bDocuments}

var settingsKey = []byte("settings")

// The stored records. They are the panel's rows as the mock keeps them:
// money in kopecks, times as instants, phones as digits; the wire layer turns
// them into PHP's strings.

type point struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Address string `json:"address"`
}

type managerGroup struct {
	ID          int64    `json:"id"`
	Name        string   `json:"name"`
	Permissions []string `json:"permissions"`
}

type employee struct {
	ID           int64  `json:"id"`
	Phone        string `json:"phone"` // digits, as the panel compares logins
	PasswordHash string `json:"password_hash"`
	Name         string `json:"name"`
	Seat         string `json:"seat"`
	Email        string `json:"email"`
	PointID      int64  `json:"point_id"`
	GroupID      int64  `json:"group_id"`
	Status       bool   `json:"status"`
	ClientUse    bool   `json:"client_use"`
	ContactShow  bool   `json:"contact_show"`
}

type shippingType struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	MinPrice int64  `json:"min_price"`
}

type status struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Color string `json:"color"`
	SMS   bool   `json:"sms"`
	Email bool   `json:"email"`
}

type group struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Discount int64  `json:"discount"`
	Comment  string `json:"comment"`
}

type distributor struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type settings struct {
	NewStatusID      int64 `json:"new_status_id"`
	AcceptedStatusID int64 `json:"accepted_status_id"`
	DeniedStatusID   int64 `json:"denied_status_id"`
	DefaultGroupID   int64 `json:"default_group_id"`
}

type wholesaler struct {
	BIK         string `json:"bik"`
	INN         string `json:"inn"`
	KPP         string `json:"kpp"`
	Bank        string `json:"bank"`
	ORGN        string `json:"orgn"`
	Type        string `json:"type"`
	Account     string `json:"account"`
	Address     string `json:"address"`
	OrgName     string `json:"org_name"`
	BankAccount string `json:"bank_account"`
}

type client struct {
	ID           int64        `json:"id"`
	Name         string       `json:"name"`
	Phone        string       `json:"phone"` // digits
	Email        string       `json:"email"`
	PasswordHash string       `json:"password_hash,omitempty"`
	Address      string       `json:"address"`
	GroupID      int64        `json:"group_id"`
	ManagerID    int64        `json:"manager_id"`
	PointID      int64        `json:"point_id"`
	ShippingID   int64        `json:"shipping_id"`
	Limit        int64        `json:"limit"`
	Comment      string       `json:"comment"`
	Status       bool         `json:"status"`
	IsWholesaler bool         `json:"is_wholesaler"`
	Wholesaler   *wholesaler  `json:"wholesaler,omitempty"`
	Balance      money.Amount `json:"balance"`
	Created      time.Time    `json:"created"`
	Modified     time.Time    `json:"modified"`
}

type transaction struct {
	ID       int64        `json:"id"`
	ClientID int64        `json:"client_id"`
	Amount   money.Amount `json:"amount"`
	Comment  string       `json:"comment"`
	OrderID  int64        `json:"order_id,omitempty"`
	Created  time.Time    `json:"created"`
}

type historyEntry struct {
	StatusID int64     `json:"status_id"`
	Date     time.Time `json:"date"`
	Color    string    `json:"color"`
	Status   string    `json:"status"`
	Manager  string    `json:"manager"`
}

type order struct {
	ID              int64          `json:"id"`
	ClientID        int64          `json:"client_id"`
	Invoice         string         `json:"invoice"`
	Brand           string         `json:"brand"`
	Article         string         `json:"article"`
	Name            string         `json:"name"`
	DistributorID   int64          `json:"distributor_id"`
	Price           money.Amount   `json:"price"`
	InitialPrice    money.Amount   `json:"initial_price"`
	Quantity        int64          `json:"quantity"`
	DeliveryTimeMin int64          `json:"deliverytime_min"`
	DeliveryTimeMax int64          `json:"deliverytime_max"`
	StatusID        int64          `json:"status_id"`
	ShippingID      int64          `json:"shipping_id"`
	ShippingAddress string         `json:"shipping_address"`
	ClientComment   string         `json:"client_comment"`
	ManagerComment  string         `json:"manager_comment,omitempty"`
	DenyRequest     bool           `json:"deny_request"`
	IsArchived      bool           `json:"is_archived"`
	IsDenied        bool           `json:"is_denied"`
	IsPayed         bool           `json:"is_payed"`
	DocID           *int64         `json:"doc_id"`
	Created         time.Time      `json:"created"`
	Modified        time.Time      `json:"modified"`
	History         []historyEntry `json:"history"`
}

// Total is price × quantity, the position's sum.
func (o *order) Total() money.Amount { return o.Price.Mul(o.Quantity) }

type document struct {
	ID         int64     `json:"id"`
	OrderIDs   []int64   `json:"order_ids"`
	EmployeeID int64     `json:"employee_id"`
	Created    time.Time `json:"created"`
}

// txn is one request's transaction plus the changes to the in-memory view
// that become true only if it commits: they are applied after the commit,
// under the same lock, so the view never shows what the file does not hold.
type txn struct {
	*state.Tx
	after []func(v *view)
}

func (t *txn) onCommit(f func(v *view)) { t.after = append(t.after, f) }

func get[T any](t *state.Tx, bucket string, id int64) (*T, error) {
	if id <= 0 {
		return nil, state.ErrNotFound
	}
	var v T
	if err := t.Get(bucket, state.Key(uint64(id)), &v); err != nil {
		if errors.Is(err, state.ErrNotFound) {
			return nil, err
		}
		return nil, fmt.Errorf("read %s %d: %w", bucket, id, err)
	}
	return &v, nil
}

// find is get with the answer for a row that does not exist.
func find[T any](t *state.Tx, bucket string, id int64, missing error) (*T, error) {
	v, err := get[T](t, bucket, id)
	if errors.Is(err, state.ErrNotFound) {
		return nil, missing
	}
	return v, err
}

func put(t *state.Tx, bucket string, id int64, v any) error {
	return t.Put(bucket, state.Key(uint64(id)), v)
}

// nextID is the bucket's next id as int64.
func nextID(t *state.Tx, bucket string) (int64, error) {
	n, err := t.NextID(bucket)
	return int64(n), err
}

// putClient stores c and keeps the view's columns for it.
func (t *txn) putClient(c *client) error {
	if err := put(t.Tx, bClients, c.ID, c); err != nil {
		return err
	}
	cp := *c
	t.onCommit(func(v *view) { v.setClient(&cp) })
	return nil
}

// putOrder stores o and keeps the view's columns for it. It leaves
// date_modified alone: saplab.txt's position 20 was moved to another status
// by a manager at 19:23:51 and still shows date_modified equal to
// date_added, so the panel's status, payment and archive actions do not
// touch it.
func (t *txn) putOrder(o *order) error {
	if err := put(t.Tx, bOrders, o.ID, o); err != nil {
		return err
	}
	cp := *o
	cp.History = nil // the view needs no history
	t.onCommit(func(v *view) { v.setOrder(&cp) })
	return nil
}

// book adds a ledger entry and moves the client's balance by the same
// amount in the same transaction: the balance is always the ledger's sum.
func (t *txn) book(c *client, amount money.Amount, comment string, orderID int64) error {
	id, err := nextID(t.Tx, bTransactions)
	if err != nil {
		return err
	}
	tr := &transaction{ID: id, ClientID: c.ID, Amount: amount, Comment: comment, OrderID: orderID, Created: t.Now()}
	if err := put(t.Tx, bTransactions, id, tr); err != nil {
		return err
	}
	c.Balance += amount
	clientID := c.ID
	t.onCommit(func(v *view) { v.addTransaction(clientID, id) })
	return t.putClient(c)
}
