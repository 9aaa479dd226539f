package saplab

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mockserver/mockserver/internal/answercache"
	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/lifecycle"
	"github.com/mockserver/mockserver/internal/money"
	"github.com/mockserver/mockserver/internal/password"
	"github.com/mockserver/mockserver/internal/saplab/filter"
	"github.com/mockserver/mockserver/internal/saplab/phpform"
	"github.com/mockserver/mockserver/internal/state"
)

// store runs saplab's use cases on the state file and keeps the in-memory
// view the panel reads beside it. Each exported method is one use case and
// opens exactly one transaction, through read (a read transaction under
// viewMu held shared) or write and writeShared (its function run in the
// state file's group commit, under writeMu, its view changes applied under
// viewMu held exclusively once it has committed), and hands the
// transaction to unexported helpers that take it
// (benbjohnson/wtf's shape); handlers never open one. A read that finds an
// automatic move due (SPEC §12) first applies it in a write of its own
// (read). The reference tables' use cases are the generic functions
// InsertRow, UpdateRow and DeleteRow, Go methods having no type parameters.
// Seeding runs in the server's transaction instead (seed.go), and Load
// hands the view it builds to setView.
//
// Readers never wait for a writer's commit (its fsync): a writer holds
// writeMu, not viewMu, while its transaction runs and commits, and viewMu
// is taken only to apply its changes to the view (publish). The view and the file are
// kept in step by a commit counter stored with every write (bIndex,
// keyCommits): a reader whose read transaction already sees a commit the
// view has not applied yet waits for that apply (not for any disk flush)
// and reads again, so a reader never sees the file and the view disagree.
type store struct {
	db    *state.Store
	clock *clock.Clock
	// cost is the bcrypt cost of passwords set at run time
	// (Deps.PasswordCost; 0 is bcrypt's default, the vendor's).
	cost int

	// writeMu keeps apart the writes that must not share a batch: held
	// for reading by the writes that read of the view only what no such
	// write changes (writeShared), for writing by the others (write), each
	// from before it joins the group commit until its view changes are
	// published, and by SaveView while it stores the view (viewstore.go).
	// Readers never take it.
	writeMu sync.RWMutex
	// applied holds the channel the next publish closes: a reader that
	// finds the file ahead of the view waits on it.
	applied atomic.Pointer[chan struct{}]

	// viewMu guards v, the view: readers hold it shared for their whole
	// read (view and file, s.read); a write holds it exclusively only to
	// apply its committed changes (s.write), and Load to swap the view
	// (s.setView). The view holds the lifecycle queue of positions with an
	// automatic move to make, which locks itself.
	viewMu sync.RWMutex
	v      *view

	// rowsMu guards rows, the row cache (rowcache.go): it is taken for a
	// lookup or an insert only, never across a decode.
	rowsMu sync.Mutex
	rows   map[rowKey]any
	// answers is the answer cache (answers.go), which locks itself (a
	// leaf); its version only moves under viewMu held exclusively.
	answers *answercache.Cache[answerKey, []byte]

	// Test hooks, nil in production: afterCommit runs in publish between
	// a write's commit and its view update (in the batch's leader, which
	// holds the group commit meanwhile), onStale when a reader finds the
	// file ahead of the view.
	afterCommit, onStale func()

	// storeRows is the view size from which saveView stores it (the
	// constant; tests lower it).
	storeRows int
}

// newStore is the store of deps' state file, with an empty view until the
// first Load.
func newStore(deps api.Deps) *store {
	s := &store{db: deps.Store, clock: deps.Clock, cost: deps.PasswordCost, v: newView(), rows: map[rowKey]any{},
		answers: answercache.New[answerKey, []byte](0, maxAnswerBytes, answercache.Bytes), storeRows: storeRows}
	next := make(chan struct{})
	s.applied.Store(&next)
	return s
}

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

// bIndex holds what saplab keeps beside its rows for its own use, not a
// collection of the panel: the commit counter (keyCommits) that keeps
// readers and the view in step (store). It is declared apart from Buckets
// (IndexBuckets) so that /__admin/state does not list it; Reset empties it
// with the rest.
const bIndex = "saplab.index"

// IndexBuckets are saplab's buckets that are not collections of the panel.
var IndexBuckets = []string{bIndex}

// MmapSize is the mapping saplab's file is opened with (state.Part): a
// generated state of 100,000 clients and 500,000 positions is a file of
// about a gigabyte, which is then seeded without bbolt mapping it anew
// (and copying the writing transaction's records) at each doubling.
const MmapSize = 1 << 30

// keyCommits is the count of saplab writes committed since the last seed,
// 8 bytes big-endian; absent is 0.
var keyCommits = []byte("commits")

// commits is the count of saplab writes the transaction sees.
func commits(tx *state.Tx) uint64 {
	v := tx.Bucket(bIndex).Get(keyCommits)
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

// setCommits stores the count of saplab writes, in the write's transaction.
func setCommits(tx *state.Tx, n uint64) error {
	return tx.Bucket(bIndex).Put(keyCommits, state.Key(n))
}

// settingsKey is the key of the one settings record.
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
	// Auto is the position's place on its automatic path (SPEC §12); nil
	// when it has none: seeded, moved by a manager, or at its end.
	Auto *lifecycle.Progress `json:"auto,omitempty"`
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

// onCommit queues a view change for after the commit.
func (t *txn) onCommit(f func(v *view)) { t.after = append(t.after, f) }

// read runs fn with the view and a read transaction, under viewMu held
// shared. When an automatic move has fallen due (SPEC §12) it is applied
// first, in a write of its own, so what fn reads agrees with the clock.
// When the transaction sees a commit the view does not show yet (a write
// between its commit and its view update), read waits for that update and
// starts again: fn always sees a view and a file that agree.
func (s *store) read(fn func(t *state.Tx, v *view) error) error {
	s.viewMu.RLock()
	due := s.due()
	s.viewMu.RUnlock()
	if due {
		if err := s.catchUp(); err != nil {
			return err
		}
	}
	for {
		wait := s.applied.Load()
		stale := false
		s.viewMu.RLock()
		err := s.db.View(func(tx *state.Tx) error {
			if commits(tx) != s.v.commits {
				stale = true
				return nil
			}
			return fn(tx, s.v)
		})
		s.viewMu.RUnlock()
		if !stale {
			return err
		}
		if s.onStale != nil {
			s.onStale()
		}
		<-*wait
	}
}

// due reports whether an automatic move has fallen due; with none queued
// it reads no clock. The caller holds viewMu.
func (s *store) due() bool {
	return s.v.queue.DueOn(s.clock)
}

// CatchUp applies every automatic move that has fallen due, in a write of
// its own when there is one: the server calls it (through API.CatchUp)
// before the control API shows state and after it moves the clock. When
// nothing is due it writes nothing.
func (s *store) CatchUp() error {
	s.viewMu.RLock()
	due := s.due()
	s.viewMu.RUnlock()
	if !due {
		return nil
	}
	return s.catchUp()
}

// catchUp is a write with nothing of its own to do: write applies the
// moves that are due first.
func (s *store) catchUp() error {
	return s.writeShared(func(*txn, *view) error { return nil })
}

// write runs fn as one use case (one transaction per request, SPEC §2)
// under writeMu held for writing: no other saplab write is in flight, so
// fn may read anything of the view. It is for the writes whose checks read
// what other writes change (a client's unique phone and email, the
// reference tables a removal or a client refers to) and for those that
// change the reference tables. The rest use writeShared.
func (s *store) write(fn func(t *txn, v *view) error) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	return s.commit(fn)
}

// writeShared is write under writeMu held for reading, beside other
// shared writes, which may then share its commit. fn may read of the view
// only what no shared write changes (the reference tables, the settings,
// the lifecycle plan, which clients exist), since a function that ran
// before it in the same batch has changed the file but not yet the view.
// The positions' actions (status, deny, pay, archive, documents), ledger
// entries, storefront orders and catch-ups qualify: they read positions
// and clients from the transaction.
func (s *store) writeShared(fn func(t *txn, v *view) error) error {
	s.writeMu.RLock()
	defer s.writeMu.RUnlock()
	return s.commit(fn)
}

// commit runs fn in the state file's group commit (state.BatchThen), so
// saplab's writes share their fsync with every other API's and with each
// other. The automatic moves that have fallen due are applied first, in
// the same transaction, so fn sees the positions where the clock has put
// them. fn may run more than once (a neighbour in its batch failed), but
// the due moves are taken from the lifecycle queue once, by the first run,
// and given back only if the use case fails. Once the commit is durable,
// publish settles them and applies fn's view changes: the batch's leader
// runs it, in commit order, before any later batch starts, so every later
// write's fn finds them in the view. Readers go on reading the view and
// the file as they were while the commit is flushed.
func (s *store) commit(fn func(t *txn, v *view) error) error {
	var (
		t     *txn
		taken []lifecycle.Entry
		took  bool
		next  map[uint64]time.Time
	)
	err := s.db.BatchThen(func(tx *state.Tx) error {
		t, next = &txn{Tx: tx}, map[uint64]time.Time{}
		v := s.v
		if !took && v.queue.Due(tx.Now()) {
			taken, took = v.queue.Take(tx.Now()), true
		}
		if err := advanceDue(t, v, taken, next); err != nil {
			return err
		}
		if err := fn(t, v); err != nil {
			return err
		}
		return setCommits(tx, commits(tx)+1)
	}, func() { s.publish(t, taken, next, took) })
	if err != nil && took {
		s.v.queue.Settle(taken, next, true)
	}
	return err
}

// publish makes a committed write visible: its taken moves settled, the
// row cache dropped and its view changes applied under viewMu held
// exclusively, then the readers that found the file ahead of the view
// woken (the channel in applied is closed and replaced).
func (s *store) publish(t *txn, taken []lifecycle.Entry, next map[uint64]time.Time, took bool) {
	if took {
		s.v.queue.Settle(taken, next, false)
	}
	if s.afterCommit != nil {
		s.afterCommit()
	}
	s.viewMu.Lock()
	s.dropCachedRows()
	for _, f := range t.after {
		f(s.v)
	}
	s.v.commits++
	fresh := make(chan struct{})
	woken := s.applied.Swap(&fresh)
	s.viewMu.Unlock()
	close(*woken)
}

// setView makes v the view, as Load builds it from the file, and drops
// the row cache, under viewMu held exclusively.
func (s *store) setView(v *view) {
	s.viewMu.Lock()
	s.v = v
	s.dropCachedRows()
	s.viewMu.Unlock()
}

// employeeByLogin is the employee whose phone is digits, or nil, read from
// the view (sign-in reads no file), and that view. It is the view's own, not
// a copy: a view's employees are never changed (a reload builds a new view),
// and a copy was an allocation on every panel request (issue 16).
func (s *store) employeeByLogin(digits string) (*employee, *view) {
	s.viewMu.RLock()
	defer s.viewMu.RUnlock()
	if digits == "" {
		return nil, s.v
	}
	for _, e := range s.v.employees {
		if e.Phone == digits {
			return e, s.v
		}
	}
	return nil, s.v
}

// signedIn is employee id of v, the view a login was accepted against,
// while v is still the store's view and the employee is active; else nil
// (the login must be checked again).
func (s *store) signedIn(id int64, v *view) *employee {
	s.viewMu.RLock()
	defer s.viewMu.RUnlock()
	if v == nil || s.v != v {
		return nil
	}
	if e := v.employees[id]; e != nil && e.Status {
		return e
	}
	return nil
}

// groupAllows reports whether manager group id holds perm, by the view.
func (s *store) groupAllows(id int64, perm string) bool {
	s.viewMu.RLock()
	defer s.viewMu.RUnlock()
	g := s.v.mgroups[id]
	return g != nil && slices.Contains(g.Permissions, perm)
}

// The positions and clients decoded from the file, kept between requests
// by their bytes (state.Memo): a panel action reads a position and its
// client and writes both back, and the next action on them (a pay after a
// status change, a refund after a pay) finds them decoded. Decoding the
// two was a fifth of a pay's processor time besides the fsync (issue 16).
// A Memo is a function of the bytes alone, so one serves every world.
var (
	orderMemo  = state.NewMemo(bOrders, (*order).clone)
	clientMemo = state.NewMemo(bClients, (*client).clone)
)

// memoOf is bucket's Memo (a *state.Memo of the bucket's record type), or
// nil: decode and put go through it, so the two can never disagree.
func memoOf(bucket string) any {
	switch bucket {
	case bOrders:
		return orderMemo
	case bClients:
		return clientMemo
	}
	return nil
}

// clone is a copy of o that shares nothing with it.
func (o *order) clone() *order {
	c := *o
	c.History = slices.Clone(o.History)
	c.DocID = state.ClonePtr(o.DocID)
	c.Auto = state.ClonePtr(o.Auto)
	return &c
}

// clone is a copy of c that shares nothing with it.
func (c *client) clone() *client {
	cp := *c
	cp.Wholesaler = state.ClonePtr(c.Wholesaler)
	return &cp
}

// get decodes the record id of bucket; state.ErrNotFound when absent.
func get[T any](t *state.Tx, bucket string, id int64) (*T, error) {
	if id <= 0 {
		return nil, state.ErrNotFound
	}
	v, err := decode[T](t, bucket, state.Key(uint64(id)))
	if err != nil {
		if errors.Is(err, state.ErrNotFound) {
			return nil, err
		}
		return nil, fmt.Errorf("read %s %d: %w", bucket, id, err)
	}
	return v, nil
}

// decode is the record under key, through bucket's Memo if it has one.
func decode[T any](t *state.Tx, bucket string, key []byte) (*T, error) {
	if m, ok := memoOf(bucket).(*state.Memo[T]); ok {
		return m.Get(t, key)
	}
	var v T
	if err := t.Get(bucket, key, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// find is get with the answer for a row that does not exist, made only
// then: a pay reads several positions, and building each one's answer in
// advance was a few allocations a row (issue 16).
func find[T any](t *state.Tx, bucket string, id int64, missing func() *Error) (*T, error) {
	v, err := get[T](t, bucket, id)
	if errors.Is(err, state.ErrNotFound) {
		return nil, missing()
	}
	return v, err
}

// noClient and noOrders are find's answers for a client and a position
// that do not exist.
func noClient() *Error { return businessErr(msgClientNotFound) }
func noOrders() *Error { return businessErr(msgNoOrders) }

// put stores v as the record id of bucket, through bucket's Memo if it
// has one.
func put[T any](t *state.Tx, bucket string, id int64, v *T) error {
	k := state.Key(uint64(id))
	if m, ok := memoOf(bucket).(*state.Memo[T]); ok {
		return m.Put(t, k, v)
	}
	return t.Put(bucket, k, v)
}

// nextID is the bucket's next id as int64.
func nextID(t *state.Tx, bucket string) (int64, error) {
	n, err := t.NextID(bucket)
	return int64(n), err
}

// putClient stores c and its column record, and keeps the view's columns
// for it once committed; a column record that does not change (a balance
// moved) is neither written nor applied.
func (t *txn) putClient(c *client) error {
	if err := put(t.Tx, bClients, c.ID, c); err != nil {
		return err
	}
	col, id := clientColOf(c), c.ID
	if changed, err := setCol(t.Tx, colClients, id, col.encode()); err != nil || !changed {
		return err
	}
	t.onCommit(func(v *view) { v.setClientCol(id, &col) })
	return nil
}

// putOrder stores o and its column record, and keeps the view's columns
// for it once committed. It leaves
// date_modified alone: saplab.txt's position 20 was moved to another status
// by a manager at 19:23:51 and still shows date_modified equal to
// date_added, so the panel's status, payment and archive actions do not
// touch it.
func (t *txn) putOrder(o *order) error {
	if err := put(t.Tx, bOrders, o.ID, o); err != nil {
		return err
	}
	col, id := orderColOf(o), o.ID
	if changed, err := setCol(t.Tx, colOrders, id, col.encode()); err != nil || !changed {
		return err
	}
	t.onCommit(func(v *view) { v.setOrderCol(id, &col) })
	return nil
}

// book adds a ledger entry and moves the client's balance by the same
// amount in the same transaction: the balance is always the ledger's sum.
func (t *txn) book(c *client, amount money.Amount, comment string, orderID int64) error {
	return t.bookAt(c, amount, comment, orderID, t.Now())
}

// bookAt is book with the entry dated at: an automatic deny's refund is
// dated when the deny fell due.
func (t *txn) bookAt(c *client, amount money.Amount, comment string, orderID int64, at time.Time) error {
	id, err := nextID(t.Tx, bTransactions)
	if err != nil {
		return err
	}
	tr := &transaction{ID: id, ClientID: c.ID, Amount: amount, Comment: comment, OrderID: orderID, Created: at}
	if err := t.Append(bTransactions, state.Key(uint64(id)), tr); err != nil {
		return err
	}
	c.Balance += amount
	if err := putLedger(t.Tx, c.ID, id); err != nil {
		return err
	}
	return t.putClient(c)
}

// loadOrders reads the positions named by ids inside t; a missing one is
// the panel's "Нет подходящих заказов." and the request changes nothing.
func loadOrders(t *txn, ids []int64) ([]*order, error) {
	out := make([]*order, 0, len(ids))
	for _, id := range ids {
		o, err := find[order](t.Tx, bOrders, id, noOrders)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// history appends a status change to a position's history, dated at.
func history(o *order, st *status, who string, at time.Time) {
	e := historyEntry{Date: at, Manager: who}
	if st != nil {
		e.StatusID = st.ID
		e.Status, e.Color = st.Name, st.Color
	}
	o.History = append(o.History, e)
}

// refund returns a paid position's total to its client's balance, booked
// at at.
func refund(t *txn, o *order, at time.Time) error {
	cl, err := get[client](t.Tx, bClients, o.ClientID)
	if err != nil {
		return err
	}
	o.IsPayed = false
	return t.bookAt(cl, o.Total(), refundComment(o), o.ID, at)
}

// moveStatus sets a position's status and records it, now.
func moveStatus(t *txn, v *view, o *order, statusID int64, who string) error {
	if o.StatusID == statusID {
		return nil
	}
	if err := applyStatus(t, v, o, statusID, who, t.Now()); err != nil {
		return err
	}
	return t.putOrder(o)
}

// applyStatus sets a position's status and records it at at, without
// storing it. The denied status means denied (is_denied 1, a paid position
// refunded), so that set_status, deny and an automatic move cannot
// disagree; leaving it clears is_denied.
func applyStatus(t *txn, v *view, o *order, statusID int64, who string, at time.Time) error {
	o.StatusID = statusID
	denied := statusID == v.settings.DeniedStatusID && statusID != 0
	if denied && o.IsPayed {
		if err := refund(t, o, at); err != nil {
			return err
		}
	}
	o.IsDenied = denied
	history(o, v.statuses[statusID], who, at)
	return nil
}

// takeOver takes a position off its automatic path: a manager moved it
// (set_status, deny), and from then on only managers do. It reports
// whether the position was on one, so that a move that changes nothing
// else is still stored.
func takeOver(t *txn, o *order) bool {
	if o.Auto == nil {
		return false
	}
	o.Auto = nil
	id := uint64(o.ID)
	t.onCommit(func(v *view) { v.queue.Drop(id) })
	return true
}

// advanceDue applies the due moves of the positions taken off the queue,
// each at the instant it fell due and by systemManager, and notes in next
// when each position's next move falls due. A position's moves come from
// its own record, so a queue entry that is out of date changes nothing.
func advanceDue(t *txn, v *view, taken []lifecycle.Entry, next map[uint64]time.Time) error {
	for _, e := range taken {
		o, err := get[order](t.Tx, bOrders, int64(e.ID))
		if errors.Is(err, state.ErrNotFound) {
			continue
		} else if err != nil {
			return err
		}
		if o.Auto == nil {
			continue
		}
		adv := v.life.Advance(o.position(), func(id int64) bool { return v.statuses[id] != nil }, t.Now())
		for _, m := range adv.Moves {
			if m.Status != o.StatusID {
				if err := applyStatus(t, v, o, m.Status, systemManager, m.At); err != nil {
					return err
				}
			}
		}
		o.Auto = nil
		if adv.Pending {
			o.Auto = &adv.Progress
			next[e.ID] = adv.Progress.Next
		}
		if err := t.putOrder(o); err != nil {
			return err
		}
	}
	return nil
}

// Preview is every automatic move the queued positions would make by
// until (Lifecycle.Changes), read in one read transaction: nothing is
// applied, not even the moves already due (a read would apply them; a
// preview only lists them).
func (s *store) Preview(until time.Time) ([]lifecycle.Change, error) {
	s.viewMu.RLock()
	defer s.viewMu.RUnlock()
	v := s.v
	name := func(id int64) (string, bool) {
		if st := v.statuses[id]; st != nil {
			return st.Name, true
		}
		return "", false
	}
	var out []lifecycle.Change
	err := s.db.View(func(tx *state.Tx) error {
		for _, e := range v.queue.Upto(until) {
			o, err := get[order](tx, bOrders, int64(e.ID))
			if errors.Is(err, state.ErrNotFound) {
				continue
			} else if err != nil {
				return err
			}
			if o.Auto != nil {
				out = append(out, v.life.Changes(o.position(), o.StatusID, name, until)...)
			}
		}
		return nil
	})
	return out, err
}

// --- use cases: the reference tables and managers ---

// ManagersAnswer is GET /panel/manager's answer: every employee, by id.
// The rows are rendered under the lock, because their joins read the view.
func (s *store) ManagersAnswer() ([]byte, error) {
	return s.encoded(answerKey{name: "managers"}, func(_ *state.Tx, v *view) (any, error) {
		var out []wireManager
		for _, e := range sortedByID(v.employees, func(e *employee) int64 { return e.ID }) {
			out = append(out, v.wireManager(e))
		}
		return struct {
			Managers []wireManager `json:"managers"`
		}{orEmpty(out)}, nil
	})
}

// ShippingTypesAnswer is GET /panel/order/shipping_type's answer: every
// shipping type, by id.
func (s *store) ShippingTypesAnswer() ([]byte, error) {
	return s.encoded(answerKey{name: "shipping_types"}, func(_ *state.Tx, v *view) (any, error) {
		var out []wireShippingType
		for _, st := range sortedByID(v.shipping, func(st *shippingType) int64 { return st.ID }) {
			out = append(out, wireShippingType{ID: itos(st.ID), Name: st.Name, MinPrice: itos(st.MinPrice)})
		}
		return struct {
			ShippingTypes []wireShippingType `json:"shipping_types"`
		}{orEmpty(out)}, nil
	})
}

// StatusesAnswer is GET /panel/order/status's answer: every status, by
// name as the panel's collation orders them (saplab.txt's example lists
// statuses by name, not id).
func (s *store) StatusesAnswer() ([]byte, error) {
	return s.encoded(answerKey{name: "statuses"}, func(_ *state.Tx, v *view) (any, error) {
		var out []wireStatus
		list := sortedByID(v.statuses, func(st *status) int64 { return st.ID })
		slices.SortStableFunc(list, func(a, b *status) int { return CompareNames(a.Name, b.Name) })
		for _, st := range list {
			out = append(out, wireStatus{ID: itos(st.ID), Name: st.Name, Color: st.Color, SMS: btos(st.SMS), Email: btos(st.Email)})
		}
		return struct {
			Statuses []wireStatus `json:"statuses"`
		}{orEmpty(out)}, nil
	})
}

// GroupsAnswer is GET /panel/client/group's answer: every client group, by
// id.
func (s *store) GroupsAnswer() ([]byte, error) {
	return s.encoded(answerKey{name: "groups"}, func(_ *state.Tx, v *view) (any, error) {
		var out []wireGroup
		for _, g := range sortedByID(v.groups, func(g *group) int64 { return g.ID }) {
			out = append(out, wireGroup{GroupID: itos(g.ID), Name: g.Name, Discount: itos(g.Discount), Comment: g.Comment})
		}
		return struct {
			Groups []wireGroup `json:"groups"`
		}{orEmpty(out)}, nil
	})
}

// sortedByID lists a table's rows by id.
func sortedByID[T any](m map[int64]*T, id func(*T) int64) []*T {
	out := make([]*T, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b *T) int { return cmp.Compare(id(a), id(b)) })
	return out
}

// InsertRow stores row as the next id of the reference table tb.
func InsertRow[T any](s *store, tb table[T], row *T) error {
	return s.write(func(t *txn, _ *view) error {
		id, err := nextID(t.Tx, tb.bucket)
		if err != nil {
			return err
		}
		*tb.id(row) = id
		t.onCommit(func(v *view) { tb.cache(v)[id] = row })
		return put(t.Tx, tb.bucket, id, row)
	})
}

// UpdateRow applies the form f to the row id of the reference table tb.
func UpdateRow[T any](s *store, tb table[T], id int64, f *phpform.Value) error {
	return s.write(func(t *txn, _ *view) error {
		row, err := find[T](t.Tx, tb.bucket, id, tb.missing)
		if err != nil {
			return err
		}
		if err := tb.read(f, row, false); err != nil {
			return err
		}
		t.onCommit(func(v *view) { tb.cache(v)[id] = row })
		return put(t.Tx, tb.bucket, id, row)
	})
}

// DeleteRow removes the row id of the reference table tb, unless the shop
// still needs it.
func DeleteRow[T any](s *store, tb table[T], id int64) error {
	return s.write(func(t *txn, v *view) error {
		if _, err := find[T](t.Tx, tb.bucket, id, tb.missing); err != nil {
			return err
		}
		if tb.inUse != nil {
			if err := tb.inUse(v, id); err != nil {
				return err
			}
		}
		t.onCommit(func(v *view) { delete(tb.cache(v), id) })
		return t.Delete(tb.bucket, state.Key(uint64(id)))
	})
}

// --- use cases: clients and their ledgers ---

// findPage is one page of a list endpoint: the rows find selects for q, each
// in its cached wire form (render makes it from row index i on a miss), and
// the page count. The cache is keyed by the row index, which only a write
// or a Load can change, and both drop the cache.
func (s *store) findPage(bucket string, q *filter.Query, find func(*view, *filter.Query) page,
	render func(tx *state.Tx, v *view, i int32) (any, error)) (rows [][]byte, pages int64, err error) {
	err = s.read(func(tx *state.Tx, v *view) error {
		rows, pages, err = s.pageRows(tx, v, bucket, q, find, render)
		return err
	})
	return rows, pages, err
}

// pageRows is findPage's work inside its read.
func (s *store) pageRows(tx *state.Tx, v *view, bucket string, q *filter.Query, find func(*view, *filter.Query) page,
	render func(tx *state.Tx, v *view, i int32) (any, error)) ([][]byte, int64, error) {
	p := find(v, q)
	rows := make([][]byte, 0, len(p.rows))
	for _, i := range p.rows {
		row, err := cachedWire(s, wireKey(bucket, int64(i)), func() (any, error) { return render(tx, v, i) })
		if err != nil {
			return nil, 0, err
		}
		rows = append(rows, row)
	}
	return rows, Pages(p.total, q.PerPage), nil
}

// FindClientPage is GET /panel/client's page for q: clients by id
// descending.
func (s *store) FindClientPage(q *filter.Query) ([][]byte, int64, error) {
	return s.findPage(bClients, q, (*view).findClients, s.renderClientRow)
}

// ClientPageAnswer is GET /panel/client's answer for the filters at path
// (listAnswer).
func (s *store) ClientPageAnswer(path string, parse func() (*filter.Query, error)) ([]byte, error) {
	return s.listAnswer("clients", path, parse, func(tx *state.Tx, v *view, q *filter.Query) ([][]byte, int64, error) {
		return s.pageRows(tx, v, bClients, q, (*view).findClients, s.renderClientRow)
	})
}

// renderClientRow is client list row i in its wire form.
func (s *store) renderClientRow(tx *state.Tx, v *view, i int32) (any, error) {
	cl, err := cached[client](s, tx, bClients, v.clients.id[i])
	if err != nil {
		return nil, err
	}
	return v.wireClientRow(cl, i), nil
}

// FindClientForm is a client as GET /panel/client/form/$ID shows it.
func (s *store) FindClientForm(id int64) (wireClientForm, error) {
	var out wireClientForm
	err := s.read(func(tx *state.Tx, v *view) (err error) {
		out, err = clientForm(tx, v, id)
		return err
	})
	return out, err
}

// ClientFormAnswer is GET /panel/client/form/$ID's answer.
func (s *store) ClientFormAnswer(id int64) ([]byte, error) {
	return s.encoded(answerKey{name: "client_form", id: id}, func(tx *state.Tx, v *view) (any, error) {
		out, err := clientForm(tx, v, id)
		return struct {
			Client wireClientForm `json:"client"`
		}{out}, err
	})
}

// clientForm is client id as its form shows it.
func clientForm(tx *state.Tx, v *view, id int64) (wireClientForm, error) {
	idx, ok := v.clientIndex(id)
	if !ok {
		return wireClientForm{}, businessErr(msgClientNotFound)
	}
	cl, err := get[client](tx, bClients, id)
	if err != nil {
		return wireClientForm{}, err
	}
	return v.wireClientForm(cl, idx), nil
}

// InsertClient creates a client from the form's input. Its password is
// hashed first, before the lock: bcrypt is slow on purpose.
func (s *store) InsertClient(in *clientInput) error {
	hash, err := s.hashPassword(in.password)
	if err != nil {
		return err
	}
	return s.write(func(t *txn, v *view) error {
		cl := &client{Created: t.Now(), Modified: t.Now(), PasswordHash: hash}
		in.apply(cl, true, v.settings.DefaultGroupID)
		if err := validateClient(v, cl); err != nil {
			return err
		}
		id, err := nextID(t.Tx, bClients)
		if err != nil {
			return err
		}
		cl.ID = id
		return t.putClient(cl)
	})
}

// UpdateClient applies the form's input to client id. A new password is
// hashed first, before the lock; an empty one keeps the old password.
func (s *store) UpdateClient(id int64, in *clientInput) error {
	hash, err := s.hashPassword(in.password)
	if err != nil {
		return err
	}
	return s.write(func(t *txn, v *view) error {
		cl, err := find[client](t.Tx, bClients, id, noClient)
		if err != nil {
			return err
		}
		in.apply(cl, false, v.settings.DefaultGroupID)
		if hash != "" {
			cl.PasswordHash = hash
		}
		if err := validateClient(v, cl); err != nil {
			return err
		}
		cl.Modified = t.Now()
		return t.putClient(cl)
	})
}

// hashPassword hashes a password set at run time at Deps.PasswordCost (the
// vendor's own cost; tests lower it); scenario passwords use
// password.SeedCost. A password bcrypt would cut is refused; an empty one
// is "" (no password, or on edit the old one kept).
func (s *store) hashPassword(pw string) (string, error) {
	if pw == "" {
		return "", nil
	}
	if !passwordFits(pw) {
		return "", badRequest(msgPasswordTooLong, password.MaxBytes)
	}
	h, err := password.Hash([]byte(pw), s.cost)
	return string(h), err
}

// FindLedgerPage is page of client id's ledger, newest first (by time, then
// by id), TransactionsPerPage a page.
func (s *store) FindLedgerPage(id, page int64) (wireBalance, error) {
	var out wireBalance
	err := s.read(func(tx *state.Tx, v *view) (err error) {
		out, err = ledgerPage(tx, v, id, page)
		return err
	})
	return out, err
}

// LedgerAnswer is GET /panel/client/balance/$ID's answer for page.
func (s *store) LedgerAnswer(id, page int64) ([]byte, error) {
	return s.encoded(answerKey{name: "ledger", id: id, page: page}, func(tx *state.Tx, v *view) (any, error) {
		return ledgerPage(tx, v, id, page)
	})
}

// ledgerPage is FindLedgerPage's work inside its read.
func ledgerPage(tx *state.Tx, v *view, id, page int64) (wireBalance, error) {
	out := wireBalance{Transactions: []wireTransaction{}, Page: page}
	if _, ok := v.clientIndex(id); !ok {
		return out, businessErr(msgClientNotFound)
	}
	ids := ledgerIDs(tx, id)
	list := make([]*transaction, 0, len(ids))
	for _, tid := range ids {
		tr, err := get[transaction](tx, bTransactions, tid)
		if err != nil {
			return out, err
		}
		list = append(list, tr)
	}
	slices.SortFunc(list, func(a, b *transaction) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	out.Pages = Pages(int64(len(list)), TransactionsPerPage)
	if off := (page - 1) * TransactionsPerPage; off < int64(len(list)) {
		for _, tr := range list[off:min(off+TransactionsPerPage, int64(len(list)))] {
			out.Transactions = append(out.Transactions, wireTransaction{Date: PGTime(tr.Created), Amount: tr.Amount.Trim(), Comment: tr.Comment})
		}
	}
	return out, nil
}

// BookTransaction adds a manager's ledger entry to client id.
func (s *store) BookTransaction(id int64, amount money.Amount, comment string) error {
	return s.writeShared(func(t *txn, _ *view) error {
		cl, err := find[client](t.Tx, bClients, id, noClient)
		if err != nil {
			return err
		}
		return t.book(cl, amount, comment, 0)
	})
}

// --- use cases: positions ---

// FindOrderPage is GET /panel/order's page for q: positions by id
// descending, archived ones only with unignore_archived/1.
func (s *store) FindOrderPage(q *filter.Query) ([][]byte, int64, error) {
	return s.findPage(bOrders, q, (*view).findOrders, s.renderOrderRow)
}

// OrderPageAnswer is GET /panel/order's answer for the filters at path
// (listAnswer).
func (s *store) OrderPageAnswer(path string, parse func() (*filter.Query, error)) ([]byte, error) {
	return s.listAnswer("orders", path, parse, func(tx *state.Tx, v *view, q *filter.Query) ([][]byte, int64, error) {
		return s.pageRows(tx, v, bOrders, q, (*view).findOrders, s.renderOrderRow)
	})
}

// renderOrderRow is position list row i in its wire form.
func (s *store) renderOrderRow(tx *state.Tx, v *view, i int32) (any, error) {
	o, err := cached[order](s, tx, bOrders, v.orders.id[i])
	if err != nil {
		return nil, err
	}
	cl, err := cached[client](s, tx, bClients, o.ClientID)
	if err != nil && !errors.Is(err, state.ErrNotFound) {
		return nil, err
	}
	return v.wireOrder(o, cl), nil
}

// SetOrderStatus moves position id to status sid on behalf of who.
func (s *store) SetOrderStatus(id, sid int64, who string) error {
	return s.writeShared(func(t *txn, v *view) error {
		if v.statuses[sid] == nil {
			return businessErr(msgStatusNotFound)
		}
		os, err := loadOrders(t, []int64{id})
		if err != nil {
			return err
		}
		if takeOver(t, os[0]) && os[0].StatusID == sid {
			return t.putOrder(os[0])
		}
		return moveStatus(t, v, os[0], sid, who)
	})
}

// DenyOrders denies the positions ids (SPEC §6): each goes to the denied
// status with is_denied 1, and a paid one is refunded. Positions already
// denied are left as they are.
func (s *store) DenyOrders(ids []int64, who string) error {
	return s.writeShared(func(t *txn, v *view) error {
		os, err := loadOrders(t, ids)
		if err != nil {
			return err
		}
		for _, o := range os {
			if err := denyOne(t, v, o, who); err != nil {
				return err
			}
		}
		return nil
	})
}

// denyOne denies one position, taking it off its automatic path.
func denyOne(t *txn, v *view, o *order, who string) error {
	if o.IsDenied {
		return nil
	}
	takeOver(t, o)
	if v.settings.DeniedStatusID != 0 && o.StatusID != v.settings.DeniedStatusID {
		return moveStatus(t, v, o, v.settings.DeniedStatusID, who)
	}
	// No denied status configured, or already in it: mark only.
	if o.IsPayed {
		if err := refund(t, o, t.Now()); err != nil {
			return err
		}
	}
	o.IsDenied = true
	return t.putOrder(o)
}

// PayOrders toggles payment of the positions ids (saplab.txt): an unpaid
// one is paid from the client's balance, a paid one is refunded. The whole
// request succeeds or changes nothing; a client who cannot afford their
// positions gets the document's error with the missing amount. It returns
// the success texts, one or two per client.
func (s *store) PayOrders(ids []int64) ([]string, error) {
	var texts []string
	err := s.writeShared(func(t *txn, _ *view) error {
		texts = nil // a run before this one may have been rolled back
		os, err := loadOrders(t, ids)
		if err != nil {
			return err
		}
		byID := map[int64]*order{}
		items := make([]PayItem, 0, len(os))
		for _, o := range os {
			if o.IsDenied {
				return businessErr(msgNoOrders)
			}
			byID[o.ID] = o
			items = append(items, PayItem{ID: o.ID, ClientID: o.ClientID, Payed: o.IsPayed, Total: o.Total()})
		}
		for _, pc := range PlanPay(items) {
			more, err := payClient(t, pc, byID)
			if err != nil {
				return err
			}
			texts = append(texts, more...)
		}
		return nil
	})
	return texts, err
}

// payClient books one client's side of a pay request: refunds first, then
// payments, and returns its success texts.
func payClient(t *txn, pc PayClient, byID map[int64]*order) ([]string, error) {
	cl, err := get[client](t.Tx, bClients, pc.ClientID)
	if err != nil {
		return nil, err
	}
	if miss := Shortfall(cl.Balance, pc); miss > 0 {
		return nil, businessErr(msgShort, displayName(cl), miss.Trim())
	}
	for _, id := range pc.Refund {
		o := byID[id]
		o.IsPayed = false
		if err := t.book(cl, o.Total(), refundComment(o), o.ID); err != nil {
			return nil, err
		}
		if err := t.putOrder(o); err != nil {
			return nil, err
		}
	}
	for _, id := range pc.Pay {
		o := byID[id]
		o.IsPayed = true
		if err := t.book(cl, -o.Total(), payComment(o), o.ID); err != nil {
			return nil, err
		}
		if err := t.putOrder(o); err != nil {
			return nil, err
		}
	}
	var texts []string
	if len(pc.Pay) > 0 {
		texts = append(texts, fmt.Sprintf(msgPaid, displayName(cl)))
	}
	if len(pc.Refund) > 0 {
		texts = append(texts, fmt.Sprintf(msgRefunded, displayName(cl), pc.Refunded.Trim()))
	}
	return texts, nil
}

// SetOrdersArchived is archive and unarchive: it flips is_archived on the
// named positions that are not already so and counts them; unknown ids are
// skipped, as an UPDATE ... WHERE id IN (...) would.
func (s *store) SetOrdersArchived(ids []int64, archived bool) (int, error) {
	n := 0
	err := s.writeShared(func(t *txn, _ *view) error {
		n = 0 // a run before this one may have been rolled back
		for _, id := range ids {
			o, err := get[order](t.Tx, bOrders, id)
			if errors.Is(err, state.ErrNotFound) {
				continue
			} else if err != nil {
				return err
			}
			if o.IsArchived == archived {
				continue
			}
			o.IsArchived = archived
			if err := t.putOrder(o); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// MakeDocument makes one document of the positions ids, whose doc_id then
// points at it.
func (s *store) MakeDocument(ids []int64, who *employee) error {
	return s.writeShared(func(t *txn, _ *view) error {
		os, err := loadOrders(t, ids)
		if err != nil {
			return err
		}
		docID, err := nextID(t.Tx, bDocuments)
		if err != nil {
			return err
		}
		doc := &document{ID: docID, OrderIDs: ids, EmployeeID: who.ID, Created: t.Now()}
		if err := put(t.Tx, bDocuments, docID, doc); err != nil {
			return err
		}
		for _, o := range os {
			o.DocID = &docID
			if err := t.putOrder(o); err != nil {
				return err
			}
		}
		return nil
	})
}

// start puts a position the storefront adds on the scenario's automatic
// path, if it has one, and queues it once the transaction commits.
func start(t *txn, v *view, o *order) {
	prog, ok := v.life.Start(o.position())
	if !ok {
		return
	}
	o.Auto = &prog
	id := uint64(o.ID)
	t.onCommit(func(v *view) { v.queue.Set(id, prog.Next) })
}

// InsertOrders adds the positions of one storefront order (the control
// API's POST /__admin/saplab/orders) after checking it against the shop,
// and returns them as GET /panel/order shows them. The new positions are
// rendered inside the same transaction: what they show (statuses, shipping
// types, distributors) is not changed by adding them.
func (s *store) InsertOrders(in *newOrders) ([]any, error) {
	var out []any
	err := s.writeShared(func(t *txn, v *view) error {
		out = nil // a run before this one may have been rolled back
		invoice := in.Invoice
		if ps := in.check(v); len(ps) > 0 {
			return &api.ControlError{Status: http.StatusBadRequest, Message: msgCtlProblems, Problems: ps}
		}
		cl, err := get[client](t.Tx, bClients, in.ClientID)
		if err != nil {
			return err
		}
		statusID, shipping, address := in.placement(cl, v)
		for _, pos := range in.Positions {
			id, err := nextID(t.Tx, bOrders)
			if err != nil {
				return err
			}
			if invoice == "" {
				invoice = fmt.Sprintf("API-%d", id)
			}
			o := pos.order(id, cl.ID, invoice, t.Now())
			o.StatusID, o.ShippingID, o.ShippingAddress = statusID, shipping, address
			o.IsDenied = statusID != 0 && statusID == v.settings.DeniedStatusID
			o.History = entryHistory(v.settings, v.statuses, statusID, t.Now(), systemManager)
			start(t, v, o)
			if err := t.putOrder(o); err != nil {
				return err
			}
			out = append(out, v.wireOrder(o, cl))
		}
		return nil
	})
	return out, err
}
