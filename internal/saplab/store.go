package saplab

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/lifecycle"
	"github.com/mockserver/mockserver/internal/money"
	"github.com/mockserver/mockserver/internal/saplab/filter"
	"github.com/mockserver/mockserver/internal/saplab/phpform"
	"github.com/mockserver/mockserver/internal/state"
)

// The store: the buckets and records the panel keeps in the state file, and
// one function per use case. Each use case opens exactly one transaction,
// through read (a read transaction under viewMu held shared) or write (a
// read-write transaction under viewMu held exclusively, its view changes
// applied once it has committed), and hands the transaction to unexported
// helpers that take it. Handlers never open a transaction.

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
func (a *API) read(fn func(t *state.Tx, v *view) error) error {
	a.viewMu.RLock()
	if a.v.queue.Due(a.deps.Clock.Now()) {
		a.viewMu.RUnlock()
		if err := a.catchUp(); err != nil {
			return err
		}
		a.viewMu.RLock()
	}
	defer a.viewMu.RUnlock()
	return a.deps.Store.View(func(tx *state.Tx) error { return fn(tx, a.v) })
}

// CatchUp applies every automatic move that has fallen due, in a write of
// its own when there is one: the server calls it before the control API
// shows state and after it moves the clock. When nothing is due it writes
// nothing.
func (a *API) CatchUp() error {
	a.viewMu.RLock()
	due := a.v.queue.Due(a.deps.Clock.Now())
	a.viewMu.RUnlock()
	if !due {
		return nil
	}
	return a.catchUp()
}

// catchUp is a write with nothing of its own to do: write applies the
// moves that are due first.
func (a *API) catchUp() error {
	return a.write(func(*txn, *view) error { return nil })
}

// write runs fn in one read-write transaction (one per request, SPEC §2)
// under viewMu held exclusively and, once it has committed, drops the row
// cache and applies fn's view changes. The automatic moves that have
// fallen due are applied first, in the same transaction, so fn sees the
// positions where the clock has put them; if fn fails they are rolled back
// with it and stay due.
func (a *API) write(fn func(t *txn, v *view) error) error {
	a.viewMu.Lock()
	defer a.viewMu.Unlock()
	var t *txn
	var taken []lifecycle.Entry
	took, next := false, map[uint64]time.Time{}
	err := a.deps.Store.Update(func(tx *state.Tx) error {
		t = &txn{Tx: tx}
		if a.v.queue.Due(tx.Now()) {
			taken, took = a.v.queue.Take(tx.Now()), true
			if err := advanceDue(t, a.v, taken, next); err != nil {
				return err
			}
		}
		return fn(t, a.v)
	})
	if took {
		a.v.queue.Settle(taken, next, err != nil)
	}
	if err != nil {
		return err
	}
	a.dropCachedRows()
	for _, f := range t.after {
		f(a.v)
	}
	a.v.clients.reindexNames()
	return nil
}

// get decodes the record id of bucket; state.ErrNotFound when absent.
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

// put stores v as the record id of bucket.
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
	if err := put(t.Tx, bTransactions, id, tr); err != nil {
		return err
	}
	c.Balance += amount
	clientID := c.ID
	t.onCommit(func(v *view) { v.addTransaction(clientID, id) })
	return t.putClient(c)
}

// loadOrders reads the positions named by ids inside t; a missing one is
// the panel's "Нет подходящих заказов." and the request changes nothing.
func loadOrders(t *txn, ids []int64) ([]*order, error) {
	out := make([]*order, 0, len(ids))
	for _, id := range ids {
		o, err := find[order](t.Tx, bOrders, id, businessErr(msgNoOrders))
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

// --- use cases: the reference tables and managers ---

// findManagers is every employee, by id, as GET /panel/manager lists them.
// The rows are rendered under the lock, because their joins read the view.
func (a *API) findManagers() ([]wireManager, error) {
	var out []wireManager
	err := a.read(func(_ *state.Tx, v *view) error {
		for _, e := range sortedByID(v.employees, func(e *employee) int64 { return e.ID }) {
			out = append(out, v.wireManager(e))
		}
		return nil
	})
	return out, err
}

// findShippingTypes is every shipping type, by id.
func (a *API) findShippingTypes() ([]wireShippingType, error) {
	var out []wireShippingType
	err := a.read(func(_ *state.Tx, v *view) error {
		for _, s := range sortedByID(v.shipping, func(s *shippingType) int64 { return s.ID }) {
			out = append(out, wireShippingType{ID: itos(s.ID), Name: s.Name, MinPrice: itos(s.MinPrice)})
		}
		return nil
	})
	return out, err
}

// findStatuses is every status, by name as the panel's collation orders
// them (saplab.txt's example lists statuses by name, not id).
func (a *API) findStatuses() ([]wireStatus, error) {
	var out []wireStatus
	err := a.read(func(_ *state.Tx, v *view) error {
		list := sortedByID(v.statuses, func(s *status) int64 { return s.ID })
		slices.SortStableFunc(list, func(a, b *status) int { return CompareNames(a.Name, b.Name) })
		for _, s := range list {
			out = append(out, wireStatus{ID: itos(s.ID), Name: s.Name, Color: s.Color, SMS: btos(s.SMS), Email: btos(s.Email)})
		}
		return nil
	})
	return out, err
}

// findGroups is every client group, by id.
func (a *API) findGroups() ([]wireGroup, error) {
	var out []wireGroup
	err := a.read(func(_ *state.Tx, v *view) error {
		for _, g := range sortedByID(v.groups, func(g *group) int64 { return g.ID }) {
			out = append(out, wireGroup{GroupID: itos(g.ID), Name: g.Name, Discount: itos(g.Discount), Comment: g.Comment})
		}
		return nil
	})
	return out, err
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

// insert stores row as the table's next id.
func (tb table[T]) insert(a *API, row *T) error {
	return a.write(func(t *txn, _ *view) error {
		id, err := nextID(t.Tx, tb.bucket)
		if err != nil {
			return err
		}
		*tb.id(row) = id
		t.onCommit(func(v *view) { tb.cache(v)[id] = row })
		return put(t.Tx, tb.bucket, id, row)
	})
}

// update applies the form f to the row id.
func (tb table[T]) update(a *API, id int64, f *phpform.Value) error {
	return a.write(func(t *txn, _ *view) error {
		row, err := find[T](t.Tx, tb.bucket, id, tb.missing())
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

// delete removes the row id, unless the shop still needs it.
func (tb table[T]) delete(a *API, id int64) error {
	return a.write(func(t *txn, v *view) error {
		if _, err := find[T](t.Tx, tb.bucket, id, tb.missing()); err != nil {
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
func (a *API) findPage(bucket string, q *filter.Query, find func(*view, *filter.Query) page,
	render func(tx *state.Tx, v *view, i int32) (any, error)) (rows [][]byte, pages int64, err error) {
	err = a.read(func(tx *state.Tx, v *view) error {
		p := find(v, q)
		pages = Pages(p.total, q.PerPage)
		rows = make([][]byte, 0, len(p.rows))
		for _, i := range p.rows {
			row, err := cachedWire(a, wireKey(bucket, int64(i)), func() (any, error) { return render(tx, v, i) })
			if err != nil {
				return err
			}
			rows = append(rows, row)
		}
		return nil
	})
	return rows, pages, err
}

// findClientPage is GET /panel/client's page for q: clients by id
// descending.
func (a *API) findClientPage(q *filter.Query) ([][]byte, int64, error) {
	return a.findPage(bClients, q, (*view).findClients, func(tx *state.Tx, v *view, i int32) (any, error) {
		cl, err := cached[client](a, tx, bClients, v.clients.id[i])
		if err != nil {
			return nil, err
		}
		return v.wireClientRow(cl, i), nil
	})
}

// findClientForm is a client as GET /panel/client/form/$ID shows it.
func (a *API) findClientForm(id int64) (wireClientForm, error) {
	var out wireClientForm
	err := a.read(func(tx *state.Tx, v *view) error {
		idx, ok := v.clientIndex(id)
		if !ok {
			return businessErr(msgClientNotFound)
		}
		cl, err := get[client](tx, bClients, id)
		if err != nil {
			return err
		}
		out = v.wireClientForm(cl, idx)
		return nil
	})
	return out, err
}

// insertClient creates a client from the form's input; hash is its
// password's, made before the lock.
func (a *API) insertClient(in *clientInput, hash string) error {
	return a.write(func(t *txn, v *view) error {
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

// updateClient applies the form's input to client id; an empty hash keeps
// the old password.
func (a *API) updateClient(id int64, in *clientInput, hash string) error {
	return a.write(func(t *txn, v *view) error {
		cl, err := find[client](t.Tx, bClients, id, businessErr(msgClientNotFound))
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

// findLedgerPage is page of client id's ledger, newest first (by time, then
// by id), TransactionsPerPage a page.
func (a *API) findLedgerPage(id, page int64) (wireBalance, error) {
	out := wireBalance{Transactions: []wireTransaction{}, Page: page}
	err := a.read(func(tx *state.Tx, v *view) error {
		idx, ok := v.clientIndex(id)
		if !ok {
			return businessErr(msgClientNotFound)
		}
		ids := v.clients.txs[idx]
		list := make([]*transaction, 0, len(ids))
		for _, tid := range ids {
			tr, err := get[transaction](tx, bTransactions, tid)
			if err != nil {
				return err
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
		return nil
	})
	return out, err
}

// bookTransaction adds a manager's ledger entry to client id.
func (a *API) bookTransaction(id int64, amount money.Amount, comment string) error {
	return a.write(func(t *txn, _ *view) error {
		cl, err := find[client](t.Tx, bClients, id, businessErr(msgClientNotFound))
		if err != nil {
			return err
		}
		return t.book(cl, amount, comment, 0)
	})
}

// --- use cases: positions ---

// findOrderPage is GET /panel/order's page for q: positions by id
// descending, archived ones only with unignore_archived/1.
func (a *API) findOrderPage(q *filter.Query) ([][]byte, int64, error) {
	return a.findPage(bOrders, q, (*view).findOrders, func(tx *state.Tx, v *view, i int32) (any, error) {
		o, err := cached[order](a, tx, bOrders, v.orders.id[i])
		if err != nil {
			return nil, err
		}
		cl, err := cached[client](a, tx, bClients, o.ClientID)
		if err != nil && !errors.Is(err, state.ErrNotFound) {
			return nil, err
		}
		return v.wireOrder(o, cl), nil
	})
}

// setOrderStatus moves position id to status sid on behalf of who.
func (a *API) setOrderStatus(id, sid int64, who string) error {
	return a.write(func(t *txn, v *view) error {
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

// denyOrders denies the positions ids (SPEC §6): each goes to the denied
// status with is_denied 1, and a paid one is refunded. Positions already
// denied are left as they are.
func (a *API) denyOrders(ids []int64, who string) error {
	return a.write(func(t *txn, v *view) error {
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

// payOrders toggles payment of the positions ids (saplab.txt): an unpaid
// one is paid from the client's balance, a paid one is refunded. The whole
// request succeeds or changes nothing; a client who cannot afford their
// positions gets the document's error with the missing amount. It returns
// the success texts, one or two per client.
func (a *API) payOrders(ids []int64) ([]string, error) {
	var texts []string
	err := a.write(func(t *txn, _ *view) error {
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

// setOrdersArchived is archive and unarchive: it flips is_archived on the
// named positions that are not already so and counts them; unknown ids are
// skipped, as an UPDATE ... WHERE id IN (...) would.
func (a *API) setOrdersArchived(ids []int64, archived bool) (int, error) {
	n := 0
	err := a.write(func(t *txn, _ *view) error {
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

// makeDocument makes one document of the positions ids, whose doc_id then
// points at it.
func (a *API) makeDocument(ids []int64, who *employee) error {
	return a.write(func(t *txn, _ *view) error {
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

// insertOrders adds the positions of one storefront order (the control
// API's POST /__admin/saplab/orders) after checking it against the shop,
// and returns them as GET /panel/order shows them. The new positions are
// rendered inside the same transaction: what they show (statuses, shipping
// types, distributors) is not changed by adding them.
func (a *API) insertOrders(in *newOrders) ([]any, error) {
	var out []any
	err := a.write(func(t *txn, v *view) error {
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
			if in.Invoice == "" {
				in.Invoice = fmt.Sprintf("API-%d", id)
			}
			o := pos.order(id, cl.ID, in.Invoice, t.Now())
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
