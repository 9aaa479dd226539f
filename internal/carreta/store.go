package carreta

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/money"
	"github.com/mockserver/mockserver/internal/state"
)

// store is carreta's side of the state file, as benbjohnson/wtf has it: one
// method per use case, each opening exactly one transaction and handing it
// to the unexported helpers below, which take the tx. Seeding and loading
// run in the server's transaction instead (seed.go, view.go).
type store struct{ db *state.Store }

// ownOrder reads the order id if it belongs to the account; another
// account's order is state.ErrNotFound, like one that does not exist.
func (s store) ownOrder(accountID, id uint64) (*orderRecord, error) {
	var o *orderRecord
	err := s.db.View(func(tx *state.Tx) (err error) {
		o, err = getOwnOrder(tx, accountID, id)
		return err
	})
	return o, err
}

// ownHistory reads the history of the account's order id, oldest first;
// state.ErrNotFound as ownOrder. An order without history has an empty one.
func (s store) ownHistory(accountID, id uint64) ([]historyEntry, error) {
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

// ordersByID reads the orders of ids (a page the view chose), in order.
func (s store) ordersByID(ids []uint64) ([]orderRecord, error) {
	out := make([]orderRecord, len(ids))
	err := s.db.View(func(tx *state.Tx) error {
		for i, id := range ids {
			o, err := getOrder(tx, id)
			if err != nil {
				return err
			}
			out[i] = *o
		}
		return nil
	})
	return out, err
}

// createOrder stores a client's order with the group commit (Store.Batch),
// so concurrent orders share one fsync. Batch may run insert more than once,
// which it allows: insert has no effect outside its tx.
func (s store) createOrder(p *preparedOrder) (*orderRecord, error) {
	var o *orderRecord
	err := s.db.Batch(func(tx *state.Tx) (err error) {
		o, err = p.insert(tx)
		return err
	})
	return o, err
}

// errPreview rolls back the transaction of a test order.
var errPreview = errors.New("carreta: test order, rolled back")

// previewOrder runs the very insert createOrder would and rolls it back:
// the order it returns has the id and number the next real order gets, and
// nothing is stored (POST order/?test=on).
func (s store) previewOrder(p *preparedOrder) (*orderRecord, error) {
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

// moveOrder moves order id to status (and, when comment is not nil, sets
// the supplier's comment), as the supplier's back office does, and returns
// the order and its whole history; state.ErrNotFound when there is no such
// order.
func (s store) moveOrder(id uint64, status Status, comment *string) (*orderRecord, []historyEntry, error) {
	var o *orderRecord
	var h []historyEntry
	err := s.db.Update(func(tx *state.Tx) (err error) {
		if o, err = setStatus(tx, id, status, comment); err != nil {
			return err
		}
		h, err = getHistory(tx, id)
		return err
	})
	return o, h, err
}

// Buckets are carreta's collections in the state file. Keys are state.Key
// ids except in baskets, keyed "<account id>/<Moscow date>".
var Buckets = []string{bucketAccounts, bucketOrders, bucketHistory, bucketBaskets}

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
	ID            uint64       `json:"id"`
	AccountID     uint64       `json:"account_id"`
	Number        string       `json:"number"`
	Status        Status       `json:"status"`
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
func keyHash(apiKey string) [32]byte { return sha256.Sum256([]byte(apiKey)) }

// newOrder is what an order is created from, by a client or a scenario.
type newOrder struct {
	AccountID     uint64
	Offer         Offer
	OrderQty      int
	ClientComment string
	Comment       string
	Status        Status
	Created       time.Time
}

// preparedOrder is a new order with everything that does not depend on the
// transaction already encoded. A durable order is inserted by the group
// commit's single writer, where every microsecond is paid by the whole batch:
// there only the id and the number are assigned and spliced in.
type preparedOrder struct {
	rec     orderRecord // ID and Number unset
	tail    []byte      // rec's JSON after its "number" member
	history []byte      // the history's JSON
}

// numberMember is what follows the id and account in an encoded orderRecord
// whose Number is empty; ID, AccountID and Number are its first fields.
const numberMember = `"number":"",`

// prepareOrder builds and encodes the order of n, outside any transaction.
func prepareOrder(n *newOrder) (*preparedOrder, error) {
	p := &preparedOrder{rec: orderRecord{
		AccountID: n.AccountID, Status: StatusHold,
		Comment: n.Comment, ClientComment: n.ClientComment, Created: n.Created,
		Code: n.Offer.Code, Maker: n.Offer.Maker, Name: n.Offer.Name, Price: n.Offer.Price,
		Qty: n.Offer.Qty, MinQty: n.Offer.MinQty,
		PeriodMin: n.Offer.PeriodMin, PeriodMax: n.Offer.PeriodMax,
		OrderQty: n.OrderQty, Total: n.Offer.Price.Mul(int64(n.OrderQty)),
	}}
	history := []historyEntry{{Comment: CreatedComment(p.rec.Total), Created: n.Created}}
	if n.Status.Valid() && n.Status != StatusHold {
		history = append(history, historyEntry{Comment: StatusComment(StatusHold, n.Status), Created: n.Created})
		p.rec.Status = n.Status
	}
	data, err := json.Marshal(&p.rec)
	if err != nil {
		return nil, err
	}
	i := bytes.Index(data, []byte(numberMember))
	if i < 0 {
		return nil, errors.New("carreta: order record lost its number field")
	}
	p.tail = data[i+len(numberMember):]
	if p.history, err = json.Marshal(history); err != nil {
		return nil, err
	}
	return p, nil
}

// insert writes the order, its basket position and its history in tx.
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
	data := make([]byte, 0, len(p.tail)+64)
	data = append(data, `{"id":`...)
	data = strconv.AppendUint(data, id, 10)
	data = append(data, `,"account_id":`...)
	data = strconv.AppendUint(data, o.AccountID, 10)
	data = append(data, `,"number":"`...)
	data = append(data, number...) // "A111342-1": nothing to escape
	data = append(data, `",`...)
	data = append(data, p.tail...)
	key := state.Key(id)
	if err := tx.Bucket(bucketOrders).Put(key, data); err != nil {
		return nil, err
	}
	if err := tx.Bucket(bucketHistory).Put(key, p.history); err != nil {
		return nil, err
	}
	return &o, nil
}

// insertOrder prepares and inserts in one go, for seeding.
func insertOrder(tx *state.Tx, n *newOrder) (*orderRecord, error) {
	p, err := prepareOrder(n)
	if err != nil {
		return nil, err
	}
	return p.insert(tx)
}

// nextPosition returns the number of the account's next order on the Moscow
// day of t, opening a new basket for the first order of the day.
func nextPosition(tx *state.Tx, accountID uint64, t time.Time) (string, error) {
	key := []byte(strconv.FormatUint(accountID, 10) + "/" + t.In(clock.Moscow).Format("2006-01-02"))
	var b basketRecord
	switch err := tx.Get(bucketBaskets, key, &b); {
	case errors.Is(err, state.ErrNotFound):
		seq, err := tx.NextID(bucketBaskets)
		if err != nil {
			return "", err
		}
		b = basketRecord{Number: seq}
	case err != nil:
		return "", err
	}
	b.Positions++
	val := strconv.AppendUint([]byte(`{"number":`), b.Number, 10)
	val = strconv.AppendInt(append(val, `,"positions":`...), int64(b.Positions), 10)
	if err := tx.Bucket(bucketBaskets).Put(key, append(val, '}')); err != nil {
		return "", err
	}
	return OrderNumber(b.Number, b.Positions), nil
}

// getOrder reads one order; ErrNotFound when there is none.
func getOrder(tx *state.Tx, id uint64) (*orderRecord, error) {
	var o orderRecord
	if err := tx.Get(bucketOrders, state.Key(id), &o); err != nil {
		return nil, err
	}
	return &o, nil
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
// supplier's comment), appending what changed to the history.
func setStatus(tx *state.Tx, id uint64, status Status, comment *string) (*orderRecord, error) {
	o, err := getOrder(tx, id)
	if err != nil {
		return nil, err
	}
	h, err := getHistory(tx, id)
	if err != nil && !errors.Is(err, state.ErrNotFound) {
		return nil, err
	}
	now := tx.Now()
	if status != o.Status {
		h = append(h, historyEntry{Comment: StatusComment(o.Status, status), Created: now})
		o.Status = status
	}
	if comment != nil && *comment != o.Comment {
		h = append(h, historyEntry{Comment: CommentComment(*comment), Created: now})
		o.Comment = *comment
	}
	if err := tx.Put(bucketOrders, state.Key(id), o); err != nil {
		return nil, err
	}
	if err := tx.Put(bucketHistory, state.Key(id), h); err != nil {
		return nil, err
	}
	return o, nil
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
	h := keyHash(apiKey)
	rec.ID, rec.APIKeySHA256 = id, hex.EncodeToString(h[:])
	return id, tx.Put(bucketAccounts, state.Key(id), rec)
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

// forEachOrder calls fn with the id, owner and client_comment of every
// stored order, in id order, without decoding the rest.
func forEachOrder(tx *state.Tx, fn func(id, accountID uint64, clientComment string) error) error {
	return tx.ForEach(bucketOrders, func(k, data []byte) error {
		var rec struct {
			AccountID     uint64 `json:"account_id"`
			ClientComment string `json:"client_comment"`
		}
		if err := json.Unmarshal(data, &rec); err != nil {
			return fmt.Errorf("carreta order: %w", err)
		}
		id, _ := state.ID(k)
		return fn(id, rec.AccountID, rec.ClientComment)
	})
}
