package carreta

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/lifecycle"
	"github.com/mockserver/mockserver/internal/money"
	"github.com/mockserver/mockserver/internal/seal"
	"github.com/mockserver/mockserver/internal/state"
	bolt "go.etcd.io/bbolt"
)

// store is carreta's side of the state file, as benbjohnson/wtf has it: one
// method per use case, each opening exactly one transaction and handing it
// to the unexported helpers below, which take the tx. Seeding and loading
// run in the server's transaction instead (seed.go, view.go).
type store struct{ db *state.Store }

// OwnOrder reads the order id if it belongs to the account; another
// account's order is state.ErrNotFound, like one that does not exist.
func (s store) OwnOrder(accountID, id uint64) (*orderRecord, error) {
	var o *orderRecord
	err := s.db.View(func(tx *state.Tx) (err error) {
		o, err = getOwnOrder(tx, accountID, id)
		return err
	})
	return o, err
}

// OwnHistory reads the history of the account's order id, oldest first;
// state.ErrNotFound as ownOrder. An order without history has an empty one.
func (s store) OwnHistory(accountID, id uint64) ([]historyEntry, error) {
	var h []historyEntry
	err := s.db.View(func(tx *state.Tx) error {
		if _, err := getOwnOrder(tx, accountID, id); err != nil {
			return err
		}
		var err error
		h, err = getHistory(tx, id)
		if errors.Is(err, state.ErrNotFound) {
			h, err = nil, nil
		}
		return err
	})
	return h, err
}

// CreateOrder stores a client's order with the group commit (Store.Batch),
// so concurrent orders share one fsync. Batch may run insert more than once,
// which it allows: insert has no effect outside its tx.
func (s store) CreateOrder(p *preparedOrder) (*orderRecord, error) {
	var o *orderRecord
	err := s.db.Batch(func(tx *state.Tx) (err error) {
		o, err = p.insert(tx)
		return err
	})
	return o, err
}

// errPreview rolls back the transaction of a test order.
var errPreview = errors.New("carreta: test order, rolled back")

// PreviewOrder runs the very insert CreateOrder would and rolls it back:
// the order it returns has the id and number the next real order gets, and
// nothing is stored (POST order/?test=on).
func (s store) PreviewOrder(p *preparedOrder) (*orderRecord, error) {
	var o *orderRecord
	err := s.db.Update(func(tx *state.Tx) (err error) {
		if o, err = p.insert(tx); err != nil {
			return err
		}
		return errPreview
	})
	if !errors.Is(err, errPreview) {
		return nil, err
	}
	return o, nil
}

// MoveOrder moves order id to status (and, when comment is not nil, sets
// the supplier's comment), as the supplier's back office does, and returns
// the order and its whole history; state.ErrNotFound when there is no such
// order. The moves of its automatic path that fell due before now are
// applied first, in the same transaction, so the history stays in time
// order; then the manual move takes the order off its path for good.
func (s store) MoveOrder(id uint64, status Status, comment *string, l *Lifecycle) (*orderRecord, []historyEntry, error) {
	var o *orderRecord
	var h []historyEntry
	err := s.db.Update(func(tx *state.Tx) (err error) {
		if _, _, err = advanceOrder(tx, id, l, &historyEncoder{}); err != nil {
			return err
		}
		if o, err = setStatus(tx, id, status, comment, l.Statuses); err != nil {
			return err
		}
		h, err = getHistory(tx, id)
		return err
	})
	return o, h, err
}

// Advance applies, in one write transaction, every automatic move that
// has fallen due by the transaction's time, to the orders q says are due,
// and hands q their next due times. Each order's moves come from its own
// record (advanceOrder), so a queue entry that is out of date costs a read
// and changes nothing.
func (s store) Advance(l *Lifecycle, q *lifecycle.Queue) error {
	var taken []lifecycle.Entry
	took := false
	next := map[uint64]time.Time{}
	var enc historyEncoder
	err := s.db.Update(func(tx *state.Tx) error {
		taken, took = q.Take(tx.Now()), true
		for _, e := range taken {
			p, pending, err := advanceOrder(tx, e.ID, l, &enc)
			if err != nil {
				return err
			}
			if pending {
				next[e.ID] = p.Next
			}
		}
		return nil
	})
	if took {
		q.Settle(taken, next, err != nil)
	}
	return err
}

// Preview is every automatic move the orders q has queued would make by
// until (Lifecycle.Changes), read in one read transaction: nothing is
// applied. An order stored before status versions is left out; the
// catch-up that migrates it starts its path afresh.
func (s store) Preview(l *Lifecycle, q *lifecycle.Queue, until time.Time) ([]lifecycle.Change, error) {
	var out []lifecycle.Change
	err := s.db.View(func(tx *state.Tx) error {
		for _, e := range q.Upto(until) {
			raw := tx.Bucket(bucketOrders).Get(state.Key(e.ID))
			if raw == nil {
				continue
			}
			var o struct {
				orderHead
				Number string `json:"number"` // only the preview names the order
			}
			if err := json.Unmarshal(raw, &o); err != nil {
				return fmt.Errorf("carreta order %d: %w", e.ID, err)
			}
			if o.Auto == nil || o.StatusVersion < statusVersion {
				continue
			}
			n := len(out)
			out = append(out, l.Changes(o.state(), until)...)
			for i := n; i < len(out); i++ {
				out[i].Number = o.Number
			}
		}
		return nil
	})
	return out, err
}

// Reindex rebuilds the list index and the due index from the stored orders
// when they do not match them: a file written before they existed (or
// since, by such a version). It runs at start, before Load; on a file
// whose indexes are fresh it costs one read transaction. A fresh file whose
// due index is of the layout before blocks (due.go) has it moved into
// blocks.
func (s store) Reindex() error {
	var fresh, legacy bool
	err := s.db.View(func(tx *state.Tx) (err error) {
		fresh, err = indexFresh(tx)
		legacy = dueLegacy(tx)
		return err
	})
	switch {
	case err != nil:
		return err
	case !fresh:
		return s.db.Update(reindex)
	case legacy:
		return s.db.Update(moveLegacyDue)
	}
	return nil
}

// Buckets are carreta's collections in the state file. Keys are state.Key
// ids except in baskets, keyed "<account id>/<Moscow date>", and in the
// list index (index.go).
var Buckets = []string{bucketAccounts, bucketOrders, bucketHistory, bucketBaskets, bucketOrderIndex, bucketDue, bucketDueBlocks}

const (
	bucketAccounts = "carreta.accounts"
	bucketOrders   = "carreta.orders"
	// bucketHistory holds one JSON array of entries per order, under the
	// order's id, so GET /__admin/state/carreta/history/<id> shows an order's
	// whole history.
	bucketHistory = "carreta.history"
	bucketBaskets = "carreta.baskets"
)

// accountRecord is a stored account. The api_key itself is not stored, only
// its SHA-256, like every bearer credential in the state file (SPEC §2).
type accountRecord struct {
	ID           uint64       `json:"id"`
	APIKeySHA256 string       `json:"api_key_sha256"`
	Name         string       `json:"name"`
	City         string       `json:"city"`
	Email        string       `json:"email"`
	Phone        string       `json:"phone"`
	Balance      money.Amount `json:"balance"`
	AllowedIPs   []string     `json:"allowed_ips"`
}

// orderRecord is a stored order: the offer it was placed on, the amount,
// where it stands, and which account owns it.
type orderRecord struct {
	ID        uint64 `json:"id"`
	AccountID uint64 `json:"account_id"`
	Number    string `json:"number"`
	// Auto is the order's place on its automatic path (SPEC §12); nil
	// when it has none: seeded, moved by hand, or at the end of its path.
	// It must follow Number: insert splices it in there.
	Auto   *lifecycle.Progress `json:"auto,omitempty"`
	Status Status              `json:"status"`
	// StatusVersion is statusVersion when Status is a number of the table
	// in force, and 0 (absent) in an order stored before the vendor's
	// table replaced the guessed one; the first catch-up migrates it.
	StatusVersion int          `json:"status_version"`
	Comment       string       `json:"comment"`
	ClientComment string       `json:"client_comment"`
	Created       time.Time    `json:"created"`
	Code          string       `json:"code"`
	Maker         string       `json:"maker"`
	Name          string       `json:"name"`
	Price         money.Amount `json:"price"`
	Qty           string       `json:"qty,omitempty"`
	MinQty        int          `json:"min_qty,omitempty"`
	PeriodMin     int          `json:"period_min"`
	PeriodMax     int          `json:"period_max"`
	OrderQty      int          `json:"order_qty"`
	Total         money.Amount `json:"total"`
}

// historyEntry is one line of an order's history.
type historyEntry struct {
	Comment string    `json:"comment"`
	Created time.Time `json:"created"`
}

// basketRecord groups an account's orders of one Moscow day under one number:
// "A111342-1", "A111342-2" are the first two positions of basket 111342.
type basketRecord struct {
	Number    uint64 `json:"number"`
	Positions int    `json:"positions"`
}

// keyHash is the lookup form of an api_key.
func keyHash(apiKey string) [32]byte { return seal.Sum(apiKey) }

// newOrder is what an order is created from, by a client or a scenario.
type newOrder struct {
	AccountID     uint64
	Offer         Offer
	OrderQty      int
	ClientComment string
	Comment       string
	// Status is where the order is; a scenario's order may be past the
	// status new orders start in.
	Status  Status
	Created time.Time
	// Follow puts the order on its automatic path: a client's order does,
	// a scenario's order stays where the scenario put it.
	Follow bool
}

// preparedOrder is a new order with everything that does not depend on the
// transaction already encoded. A durable order is inserted by the group
// commit's single writer, where every microsecond is paid by the whole batch:
// there only the id, the number and (its schedule depends on the id) the
// automatic path are assigned and spliced in.
type preparedOrder struct {
	rec     orderRecord // ID, Number and Auto unset
	tail    []byte      // rec's JSON after its "number" member (appendOrderTail)
	history []byte      // the history's JSON
	life    *Lifecycle  // the path a Follow order starts on
	follow  bool
}

// prepareOrder builds and encodes the order of n, outside any transaction.
// It starts in l's new status; one of a scenario's in another status also
// has the move there in its history, at its creation.
func prepareOrder(n *newOrder, l *Lifecycle) (*preparedOrder, error) {
	p := &preparedOrder{life: l, follow: n.Follow, rec: orderRecord{
		AccountID: n.AccountID, Status: l.NewStatus, StatusVersion: statusVersion,
		Comment: n.Comment, ClientComment: n.ClientComment, Created: n.Created,
		Code: n.Offer.Code, Maker: n.Offer.Maker, Name: n.Offer.Name, Price: n.Offer.Price,
		Qty: n.Offer.Qty, MinQty: n.Offer.MinQty,
		PeriodMin: n.Offer.PeriodMin, PeriodMax: n.Offer.PeriodMax,
		OrderQty: n.OrderQty, Total: n.Offer.Price.Mul(int64(n.OrderQty)),
	}}
	history := []historyEntry{{Comment: CreatedComment(p.rec.Total), Created: n.Created}}
	if l.Statuses.Has(n.Status) && n.Status != l.NewStatus {
		history = append(history, historyEntry{Comment: l.Statuses.Comment(l.NewStatus, n.Status), Created: n.Created})
		p.rec.Status = n.Status
	}
	tail, ok := appendOrderTail(make([]byte, 0, 384), &p.rec)
	if !ok {
		return nil, marshalFailure(&p.rec)
	}
	p.tail = tail
	var err error
	if p.history, err = encodeHistory(history); err != nil {
		return nil, err
	}
	return p, nil
}

// marshalFailure is json.Marshal's error for a record appendOrderTail
// could not write.
func marshalFailure(o *orderRecord) error {
	if _, err := json.Marshal(o); err != nil {
		return err
	}
	return errors.New("carreta: order record not encoded")
}

// insert writes the order, its basket position, its history and its index
// entries in tx.
// Called from Batch, it has no effect outside tx: it can run again.
func (p *preparedOrder) insert(tx *state.Tx) (*orderRecord, error) {
	id, err := tx.NextID(bucketOrders)
	if err != nil {
		return nil, err
	}
	number, err := nextPosition(tx, p.rec.AccountID, p.rec.Created)
	if err != nil {
		return nil, err
	}
	o := p.rec
	o.ID, o.Number = id, number
	data := make([]byte, 0, len(p.tail)+128)
	data = append(data, `{"id":`...)
	data = strconv.AppendUint(data, id, 10)
	data = append(data, `,"account_id":`...)
	data = strconv.AppendUint(data, o.AccountID, 10)
	data = append(data, `,"number":"`...)
	data = append(data, number...) // "A111342-1": nothing to escape
	data = append(data, `",`...)
	if data, err = p.start(&o, data); err != nil {
		return nil, err
	}
	data = append(data, p.tail...)
	key := state.Key(id)
	orders, history := appending(tx, bucketOrders), appending(tx, bucketHistory)
	if err := orders.Put(key, data); err != nil {
		return nil, err
	}
	if err := history.Put(key, p.history); err != nil {
		return nil, err
	}
	if err := indexOrder(tx, o.AccountID, id, o.ClientComment); err != nil {
		return nil, err
	}
	if o.Auto != nil {
		if err := setDue(tx, id, o.Auto.Next); err != nil {
			return nil, err
		}
	}
	return &o, nil
}

// appending is tx's bucket name, told that its keys arrive in ascending
// order: bbolt then fills the pages it splits to 90% instead of 50%, which
// halves the file a long history of orders takes (and the time to write
// it when a scenario seeds one).
func appending(tx *state.Tx, name string) *bolt.Bucket {
	b := tx.Bucket(name)
	b.FillPercent = appendFill
	return b
}

// appendFill is the fill of the pages of buckets written in key order.
const appendFill = 0.9

// start puts a Follow order on its automatic path, now that its id is
// known (its draws depend on it), and appends the "auto" member to data.
func (p *preparedOrder) start(o *orderRecord, data []byte) ([]byte, error) {
	if !p.follow {
		return data, nil
	}
	prog, ok := p.life.Start(OrderState{ID: o.ID, Created: o.Created, PeriodMin: o.PeriodMin, PeriodMax: o.PeriodMax, Status: o.Status})
	if !ok {
		return data, nil
	}
	o.Auto = &prog
	data, err := appendProgress(append(data, `"auto":`...), o.Auto)
	if err != nil {
		return nil, err
	}
	return append(data, ','), nil
}

// insertOrder prepares and inserts in one go, for seeding.
func insertOrder(tx *state.Tx, n *newOrder, l *Lifecycle) (*orderRecord, error) {
	p, err := prepareOrder(n, l)
	if err != nil {
		return nil, err
	}
	return p.insert(tx)
}

// nextPosition returns the number of the account's next order on the Moscow
// day of t, opening a new basket for the first order of the day.
func nextPosition(tx *state.Tx, accountID uint64, t time.Time) (string, error) {
	var kb [40]byte
	key := strconv.AppendUint(kb[:0], accountID, 10)
	key = t.In(clock.Moscow).AppendFormat(append(key, '/'), "2006-01-02")
	baskets := tx.Bucket(bucketBaskets)
	var b basketRecord
	if raw := baskets.Get(key); raw == nil {
		seq, err := tx.NextID(bucketBaskets)
		if err != nil {
			return "", err
		}
		b = basketRecord{Number: seq}
	} else if err := decodeBasket(raw, &b); err != nil {
		return "", err
	}
	b.Positions++
	if err := baskets.Put(key, b.encode()); err != nil {
		return "", err
	}
	return OrderNumber(b.Number, b.Positions), nil
}

// encode is the stored form of a basket: {"number":N,"positions":M}.
func (b basketRecord) encode() []byte {
	val := strconv.AppendUint(append(make([]byte, 0, 48), `{"number":`...), b.Number, 10)
	val = strconv.AppendInt(append(val, `,"positions":`...), int64(b.Positions), 10)
	return append(val, '}')
}

// decodeBasket reads a basket record: the form encode writes with the
// stored-order scanner (literal, canonicalInt), not encoding/json (every
// order reads its basket, issue 16), any other JSON of the record with it.
func decodeBasket(raw []byte, b *basketRecord) error {
	s := scanner{b: raw}
	var number, positions []byte
	if s.literal(`{"number":`) && s.canonicalInt(&number, false) &&
		s.literal(`,"positions":`) && s.canonicalInt(&positions, false) &&
		s.literal("}") && s.i == len(raw) {
		// At most maxDigits digits each: both parse.
		n, _ := strconv.ParseUint(string(number), 10, 64)
		p, _ := strconv.ParseUint(string(positions), 10, 64)
		if p <= math.MaxInt32 {
			*b = basketRecord{Number: n, Positions: int(p)}
			return nil
		}
	}
	return json.Unmarshal(raw, b)
}

// getOrder reads one order; ErrNotFound when there is none.
func getOrder(tx *state.Tx, id uint64) (*orderRecord, error) {
	var o orderRecord
	if err := readOrder(tx, id, &o); err != nil {
		return nil, err
	}
	return &o, nil
}

// readOrder reads order id into o (zero on entry), with decodeOrder's fast
// path: a page of the list reads 100 of them.
func readOrder(tx *state.Tx, id uint64, o *orderRecord) error {
	data := tx.Bucket(bucketOrders).Get(state.Key(id))
	if data == nil {
		return state.ErrNotFound
	}
	return decodeOrder(data, o)
}

// getOwnOrder reads an order of the account; state.ErrNotFound when there
// is none or it is another account's.
func getOwnOrder(tx *state.Tx, accountID, id uint64) (*orderRecord, error) {
	o, err := getOrder(tx, id)
	if err == nil && o.AccountID != accountID {
		return nil, state.ErrNotFound
	}
	return o, err
}

// getHistory reads an order's history, oldest first.
func getHistory(tx *state.Tx, id uint64) ([]historyEntry, error) {
	var h []historyEntry
	if err := tx.Get(bucketHistory, state.Key(id), &h); err != nil {
		return nil, err
	}
	return h, nil
}

// setStatus moves an order to status (and, when comment is not nil, sets the
// supplier's comment), appending what changed to the history. It is the
// control API's move, so it takes the order off its automatic path, even
// when it leaves the status as it was: that is how a test pins an order
// where it stands (docs/decisions/carreta.md).
func setStatus(tx *state.Tx, id uint64, status Status, comment *string, t *Statuses) (*orderRecord, error) {
	o, err := getOrder(tx, id)
	if err != nil {
		return nil, err
	}
	var add []historyEntry
	now := tx.Now()
	if status != o.Status {
		add = append(add, historyEntry{Comment: t.Comment(o.Status, status), Created: now})
		o.Status = status
	}
	if comment != nil && *comment != o.Comment {
		add = append(add, historyEntry{Comment: CommentComment(*comment), Created: now})
		o.Comment = *comment
	}
	o.Auto, o.StatusVersion = nil, statusVersion
	if err := tx.Put(bucketOrders, state.Key(id), o); err != nil {
		return nil, err
	}
	if err := dropDue(tx, id); err != nil {
		return nil, err
	}
	var enc historyEncoder
	return o, appendHistory(tx, id, add, &enc)
}

// advanceOrder brings order id up to the transaction's time: a status of
// the retired table is migrated, and the moves of its automatic path that
// have fallen due are applied (Lifecycle.Advance), each in the history at
// the instant it fell due. It returns the order's Progress and whether
// moves remain; an order that is gone has none.
//
// A catch-up runs this for thousands of orders in one transaction, so an
// order in the current table is not decoded and encoded whole: orderHead
// reads what the lifecycle needs, and spliceHead rewrites only the members
// that change, which head every stored order.
func advanceOrder(tx *state.Tx, id uint64, l *Lifecycle, enc *historyEncoder) (lifecycle.Progress, bool, error) {
	key := state.Key(id)
	raw := tx.Bucket(bucketOrders).Get(key)
	if raw == nil {
		return lifecycle.Progress{}, false, nil
	}
	var o orderHead
	if err := json.Unmarshal(raw, &o); err != nil {
		return lifecycle.Progress{}, false, fmt.Errorf("carreta order %d: %w", id, err)
	}
	if o.StatusVersion < statusVersion {
		if err := dropDue(tx, id); err != nil {
			return lifecycle.Progress{}, false, err
		}
		return lifecycle.Progress{}, false, migrateOrder(tx, id)
	}
	if o.Auto == nil {
		return lifecycle.Progress{}, false, dropDue(tx, id)
	}
	adv := l.Advance(o.state(), tx.Now())
	if adv.Pending && adv.Progress.Done == o.Auto.Done {
		return *o.Auto, true, nil // nothing was due
	}
	var auto *lifecycle.Progress
	if adv.Pending {
		auto = &adv.Progress
	}
	data, err := spliceHead(raw, auto, adv.Status)
	if err != nil {
		return lifecycle.Progress{}, false, fmt.Errorf("carreta order %d: %w", id, err)
	}
	if err := tx.Bucket(bucketOrders).Put(key, data); err != nil {
		return lifecycle.Progress{}, false, err
	}
	add := make([]historyEntry, len(adv.History))
	for i, line := range adv.History {
		add[i] = historyEntry{Comment: line.Comment, Created: line.At}
	}
	if err := appendHistory(tx, id, add, enc); err != nil {
		return lifecycle.Progress{}, false, err
	}
	if auto == nil {
		return lifecycle.Progress{}, false, dropDue(tx, id)
	}
	return *auto, true, setDue(tx, id, auto.Next)
}

// orderHead is what the lifecycle reads of a stored order.
type orderHead struct {
	ID            uint64              `json:"id"`
	Auto          *lifecycle.Progress `json:"auto"`
	Status        Status              `json:"status"`
	StatusVersion int                 `json:"status_version"`
	Created       time.Time           `json:"created"`
	PeriodMin     int                 `json:"period_min"`
	PeriodMax     int                 `json:"period_max"`
}

// state is what the lifecycle reads of the order.
func (o *orderHead) state() OrderState {
	s := OrderState{ID: o.ID, Created: o.Created, PeriodMin: o.PeriodMin, PeriodMax: o.PeriodMax, Status: o.Status}
	if o.Auto != nil {
		s.Done = o.Auto.Done
	}
	return s
}

// spliceHead is the stored order raw with auto and status replaced. An
// orderRecord encodes as id, account_id, number, [auto,] status,
// status_version, then the rest; none of the first three can hold the
// text searched for, so the first ,"auto": or ,"status": is the member.
func spliceHead(raw []byte, auto *lifecycle.Progress, status Status) ([]byte, error) {
	start := bytes.Index(raw, []byte(`,"status":`))
	if a := bytes.Index(raw, []byte(`,"auto":`)); a >= 0 && a < start {
		start = a
	}
	const version = `,"status_version":`
	v := bytes.Index(raw, []byte(version))
	if start < 0 || v < start {
		return nil, errors.New("stored order lacks its status members")
	}
	rest := v + len(version)
	for rest < len(raw) && raw[rest] >= '0' && raw[rest] <= '9' {
		rest++
	}
	out := make([]byte, 0, len(raw)+64)
	out = append(out, raw[:start+1]...)
	if auto != nil {
		enc, err := json.Marshal(auto)
		if err != nil {
			return nil, err
		}
		out = append(append(append(out, `"auto":`...), enc...), ',')
	}
	out = append(out, `"status":`...)
	out = strconv.AppendInt(out, int64(status), 10)
	out = append(out, version...)
	out = strconv.AppendInt(out, statusVersion, 10)
	return append(out, raw[rest:]...), nil
}

// migrateOrder moves an order of the retired table to the current one
// (migrate). Such an order predates automatic paths: it has none.
func migrateOrder(tx *state.Tx, id uint64) error {
	o, err := getOrder(tx, id)
	if err != nil {
		return err
	}
	migrate(o)
	return tx.Put(bucketOrders, state.Key(id), o)
}

// migrate moves an order stored with a status of the retired table to the
// vendor status of the same meaning; its history keeps the words it was
// written with. It reports whether it changed anything.
func migrate(o *orderRecord) bool {
	if o.StatusVersion >= statusVersion {
		return false
	}
	o.Status, o.StatusVersion = LegacyStatus(o.Status), statusVersion
	return true
}

// appendHistory adds entries to the end of order id's history. The stored
// JSON array is extended in place rather than decoded and encoded again:
// a catch-up that moves thousands of orders pays for the new entries only.
func appendHistory(tx *state.Tx, id uint64, add []historyEntry, he *historyEncoder) error {
	if len(add) == 0 {
		return nil
	}
	enc, err := he.encode(add)
	if err != nil {
		return err
	}
	key := state.Key(id)
	b := tx.Bucket(bucketHistory)
	old := bytes.TrimSpace(b.Get(key))
	if len(old) < 2 || old[0] != '[' || old[len(old)-1] != ']' || bytes.Equal(old, []byte("[]")) {
		return b.Put(key, enc)
	}
	// old lives in bbolt's memory map: build the new value in a slice of
	// our own, never by appending to old.
	data := make([]byte, 0, len(old)+len(enc))
	data = append(data, old[:len(old)-1]...)
	data = append(data, ',')
	data = append(data, enc[1:]...)
	return b.Put(key, data)
}

// startSequences makes order ids and basket numbers start where the
// document's examples are (189330, A111342), for an emptied state.
func startSequences(tx *state.Tx) error {
	if err := tx.SetSequence(bucketOrders, FirstOrderID-1); err != nil {
		return err
	}
	return tx.SetSequence(bucketBaskets, FirstBasket-1)
}

// putAccount stores a new account and returns its id. Only the api_key's
// SHA-256 is kept.
func putAccount(tx *state.Tx, apiKey string, rec accountRecord) (uint64, error) {
	id, err := tx.NextID(bucketAccounts)
	if err != nil {
		return 0, err
	}
	h := seal.Digest(apiKey) // a scenario's api_key may be sealed (Seal)
	rec.ID, rec.APIKeySHA256 = id, hex.EncodeToString(h[:])
	return id, tx.Append(bucketAccounts, state.Key(id), rec) // a new id: above every key
}

// forEachAccount calls fn with every stored account and its api_key hash.
func forEachAccount(tx *state.Tx, fn func(rec *accountRecord, hash [32]byte) error) error {
	return tx.ForEach(bucketAccounts, func(_, data []byte) error {
		var rec accountRecord
		if err := json.Unmarshal(data, &rec); err != nil {
			return fmt.Errorf("carreta account: %w", err)
		}
		var h [32]byte
		if n, err := hex.Decode(h[:], []byte(rec.APIKeySHA256)); err != nil || n != len(h) {
			return fmt.Errorf("carreta account %d: bad api_key hash", rec.ID)
		}
		return fn(&rec, h)
	})
}

// historyEncoder writes what json.Marshal writes for history entries,
// byte for byte, without reflecting on every entry and time: one catch-up
// of thousands of orders encodes tens of thousands of entries in its one
// transaction, and their comments are a few dozen texts, each encoded
// once. A zero historyEncoder is ready; it belongs to one transaction.
type historyEncoder struct {
	comments map[string][]byte
}

// encode is json.Marshal(h).
func (he *historyEncoder) encode(h []historyEntry) ([]byte, error) {
	if he.comments == nil {
		he.comments = map[string][]byte{}
	}
	out := make([]byte, 0, 128*len(h))
	out = append(out, '[')
	for i, e := range h {
		if i > 0 {
			out = append(out, ',')
		}
		comment, ok := he.comments[e.Comment]
		if !ok {
			var err error
			if comment, err = json.Marshal(e.Comment); err != nil {
				return nil, err
			}
			he.comments[e.Comment] = comment
		}
		out = append(append(out, `{"comment":`...), comment...)
		if y := e.Created.Year(); y < 0 || y > 9999 {
			return nil, fmt.Errorf("carreta history: year %d does not encode", y) // as time.MarshalJSON refuses it
		}
		out = append(out, `,"created":"`...)
		out = append(e.Created.AppendFormat(out, time.RFC3339Nano), `"}`...)
	}
	return append(out, ']'), nil
}

// orderScan is what reindexing needs of a stored order, without decoding
// the rest: its owner and client_comment for the list index, its automatic
// path and whether its status is of the retired table for the due index.
type orderScan struct {
	ID            uint64              `json:"-"`
	AccountID     uint64              `json:"account_id"`
	ClientComment string              `json:"client_comment"`
	Auto          *lifecycle.Progress `json:"auto"`
	StatusVersion int                 `json:"status_version"`
}

// forEachOrder calls fn with every stored order, in id order.
func forEachOrder(tx *state.Tx, fn func(o *orderScan) error) error {
	return tx.ForEach(bucketOrders, func(k, data []byte) error {
		var rec orderScan
		if err := json.Unmarshal(data, &rec); err != nil {
			return fmt.Errorf("carreta order: %w", err)
		}
		rec.ID, _ = state.ID(k)
		return fn(&rec)
	})
}
