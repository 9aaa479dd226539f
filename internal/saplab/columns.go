package saplab

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mockserver/mockserver/internal/money"
	"github.com/mockserver/mockserver/internal/state"
	bolt "go.etcd.io/bbolt"
)

// The view's columns are kept in the file as well, beside the rows, in the
// same transaction as the rows they come from: a few dozen bytes per client
// and per position (colOrders, colClients), so that a start reads them
// instead of decoding every row (a JSON position with its history is about
// a kilobyte), and the mapping of the rows is never touched. Ledger entries
// are found through colLedger, keyed by client then entry, so the view
// holds no ledger at all. keyFormat says the columns are there and of this
// layout; a file of an earlier version, without them, is read row by row
// once and its columns written (API.Upgrade).

// Nested buckets of bIndex, and its format key.
var (
	colOrders  = []byte("orders")
	colClients = []byte("clients")
	colLedger  = []byte("ledger")
	keyFormat  = []byte("format")
)

// columnsFormat is the layout of the column buckets; a file with another
// (or none) has its columns rebuilt from the rows.
const columnsFormat = "1"

// orderCol is what the view keeps of a position, as stored in colOrders.
type orderCol struct {
	client, status, shipping, distributor int64
	flags                                 uint8
	created                               int64 // unix microseconds
	total                                 money.Amount
	name, brand, article, invoice         string // normalised as the filters compare them
	auto                                  int64  // unix microseconds of its next automatic move; 0 none
}

// orderColOf is the column record of o.
func orderColOf(o *order) orderCol {
	c := orderCol{client: o.ClientID, status: o.StatusID, shipping: o.ShippingID, distributor: o.DistributorID,
		created: o.Created.UnixMicro(), total: o.Total(), name: strings.ToLower(o.Name),
		brand: strings.ToLower(strings.TrimSpace(o.Brand)), article: NormalizeArticle(o.Article),
		invoice: strings.ToLower(strings.TrimSpace(o.Invoice))}
	if o.IsPayed {
		c.flags |= fPayed
	}
	if o.IsArchived {
		c.flags |= fArchived
	}
	if o.IsDenied {
		c.flags |= fDenied
	}
	if o.Auto != nil {
		c.auto = o.Auto.Next.UnixMicro()
	}
	return c
}

// clientCol is what the view keeps of a client, as stored in colClients.
type clientCol struct {
	group, manager, point int64
	wholesale             bool
	created               int64 // unix microseconds
	phone, email, search  string
}

// clientColOf is the column record of c.
func clientColOf(c *client) clientCol {
	return clientCol{group: c.GroupID, manager: c.ManagerID, point: c.PointID, wholesale: c.IsWholesaler,
		created: c.Created.UnixMicro(), phone: c.Phone, email: strings.ToLower(c.Email),
		search: strings.ReplaceAll(clientSearchText(c), string(nameSep), " ")}
}

// appendStr appends s with its length.
func appendStr(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// encode is the stored form of c.
func (c *orderCol) encode() []byte {
	return c.appendTo(make([]byte, 0, 48+len(c.name)+len(c.brand)+len(c.article)+len(c.invoice)))
}

// appendTo appends the stored form of c to b (the seeding's scratch).
func (c *orderCol) appendTo(b []byte) []byte {
	for _, n := range []int64{c.client, c.status, c.shipping, c.distributor, int64(c.flags), c.created, int64(c.total), c.auto} {
		b = binary.AppendVarint(b, n)
	}
	for _, s := range []string{c.name, c.brand, c.article, c.invoice} {
		b = appendStr(b, s)
	}
	return b
}

// encode is the stored form of c.
func (c *clientCol) encode() []byte {
	return c.appendTo(make([]byte, 0, 32+len(c.phone)+len(c.email)+len(c.search)))
}

// appendTo appends the stored form of c to b (the seeding's scratch).
func (c *clientCol) appendTo(b []byte) []byte {
	w := int64(0)
	if c.wholesale {
		w = 1
	}
	for _, n := range []int64{c.group, c.manager, c.point, w, c.created} {
		b = binary.AppendVarint(b, n)
	}
	for _, s := range []string{c.phone, c.email, c.search} {
		b = appendStr(b, s)
	}
	return b
}

// errColumn is a column record the decoder cannot read.
var errColumn = errors.New("saplab: bad column record")

// colReader reads a column record.
type colReader struct {
	b   []byte
	err error
}

func (r *colReader) int() int64 {
	n, k := binary.Varint(r.b)
	if k <= 0 {
		r.err = errColumn
		return 0
	}
	r.b = r.b[k:]
	return n
}

// str reads a string. The bytes are copied: the record lives in bbolt's
// mapping only for the transaction.
func (r *colReader) str() string {
	n, k := binary.Uvarint(r.b)
	if k <= 0 || uint64(len(r.b)-k) < n {
		r.err = errColumn
		return ""
	}
	s := string(r.b[k : k+int(n)])
	r.b = r.b[k+int(n):]
	return s
}

// strIn reads a string as d's copy of it when d has one (dict.intern).
func (r *colReader) strIn(d *dict) string {
	n, k := binary.Uvarint(r.b)
	if k <= 0 || uint64(len(r.b)-k) < n {
		r.err = errColumn
		return ""
	}
	s := d.intern(r.b[k : k+int(n)])
	r.b = r.b[k+int(n):]
	return s
}

// decodeOrderCol reads a colOrders record, its texts interned in oc's
// dictionaries.
func decodeOrderCol(b []byte, oc *orderCols) (orderCol, error) {
	r := colReader{b: b}
	c := orderCol{client: r.int(), status: r.int(), shipping: r.int(), distributor: r.int(), flags: uint8(r.int()),
		created: r.int(), total: money.Amount(r.int()), auto: r.int()}
	c.name, c.brand, c.article, c.invoice = r.strIn(&oc.names), r.strIn(&oc.brands), r.strIn(&oc.articles), r.strIn(&oc.invoices)
	return c, r.err
}

// decodeClientCol reads a colClients record.
func decodeClientCol(b []byte) (clientCol, error) {
	r := colReader{b: b}
	c := clientCol{group: r.int(), manager: r.int(), point: r.int(), wholesale: r.int() == 1, created: r.int()}
	c.phone, c.email, c.search = r.str(), r.str(), r.str()
	return c, r.err
}

// columns is the nested bucket name of bIndex, created when missing; a
// read transaction gets nil for a missing one.
func columns(tx *state.Tx, name []byte) (*bolt.Bucket, error) {
	ix := tx.Bucket(bIndex)
	if b := ix.Bucket(name); b != nil || !tx.Writable() {
		return b, nil
	}
	b, err := ix.CreateBucket(name)
	if err != nil {
		return nil, fmt.Errorf("saplab columns %s: %w", name, err)
	}
	// Ids only grow: pages filled to the brim instead of half.
	b.FillPercent = 1
	return b, nil
}

// putCol stores a column record under id.
func putCol(tx *state.Tx, name []byte, id int64, rec []byte) error {
	_, err := setCol(tx, name, id, rec)
	return err
}

// setCol is putCol that leaves a record already holding rec untouched and
// reports whether it stored it: a write that changes nothing a column
// keeps (a client's balance) then dirties no page of the column bucket,
// one page fewer to write and flush in its commit.
func setCol(tx *state.Tx, name []byte, id int64, rec []byte) (bool, error) {
	b, err := columns(tx, name)
	if err != nil {
		return false, err
	}
	k := state.Key(uint64(id))
	if bytes.Equal(b.Get(k), rec) {
		return false, nil
	}
	b.FillPercent = 1
	return true, b.Put(k, rec)
}

// ledgerKey is a colLedger key: the client, then the entry.
func ledgerKey(clientID, txID int64) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k, uint64(clientID))
	binary.BigEndian.PutUint64(k[8:], uint64(txID))
	return k
}

// putLedger indexes ledger entry txID under its client.
func putLedger(tx *state.Tx, clientID, txID int64) error {
	b, err := columns(tx, colLedger)
	if err != nil {
		return err
	}
	// Not the brim, as for the other columns: an entry goes after its
	// client's last, in the middle of the keys, and a full leaf split
	// there keeps a full left half, which the next entry of any client in
	// it splits again (bbolt splits at FillPercent): with payments spread
	// over 50 clients that was a split in every fourth write and leaves 7%
	// full (issue 16). Half-full leaves take such entries in place.
	b.FillPercent = bolt.DefaultFillPercent
	return b.Put(ledgerKey(clientID, txID), nil)
}

// ledgerIDs are the ids of client id's ledger entries, oldest first.
func ledgerIDs(tx *state.Tx, clientID int64) []int64 {
	b := tx.Bucket(bIndex).Bucket(colLedger)
	if b == nil {
		return nil
	}
	prefix := state.Key(uint64(clientID))
	var ids []int64
	c := b.Cursor()
	for k, _ := c.Seek(prefix); len(k) == 16 && string(k[:8]) == string(prefix); k, _ = c.Next() {
		ids = append(ids, int64(binary.BigEndian.Uint64(k[8:])))
	}
	return ids
}

// hasColumns reports whether the file holds the view's columns in this
// layout.
func hasColumns(tx *state.Tx) bool {
	return string(tx.Bucket(bIndex).Get(keyFormat)) == columnsFormat
}

// loadColumns builds the view's clients and positions from the column
// buckets, and queues the positions with an automatic move.
func loadColumns(tx *state.Tx, v *view) error {
	ix := tx.Bucket(bIndex)
	// The sequences bound the row counts: the columns grow once.
	v.reserve(int(tx.Bucket(bClients).Sequence()), int(tx.Bucket(bOrders).Sequence()))
	if b := ix.Bucket(colClients); b != nil {
		if err := b.ForEach(func(k, data []byte) error {
			c, err := decodeClientCol(data)
			if err != nil {
				return err
			}
			id, _ := state.ID(k)
			v.setClientCol(int64(id), &c)
			return nil
		}); err != nil {
			return err
		}
	}
	b := ix.Bucket(colOrders)
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, data []byte) error {
		c, err := decodeOrderCol(data, &v.orders)
		if err != nil {
			return err
		}
		id, _ := state.ID(k)
		v.setOrderCol(int64(id), &c)
		if c.auto != 0 {
			v.queue.Set(id, time.UnixMicro(c.auto))
		}
		return nil
	})
}

// writeColumns writes every column record of the view (and the ledger
// index from the transactions) and marks the file as holding them: the
// upgrade of a file written before the columns existed.
func writeColumns(tx *state.Tx, v *view, autos map[int64]int64) error {
	cc, oc := &v.clients, &v.orders
	for i, id := range cc.id {
		c := clientCol{group: cc.group[i], manager: cc.manager[i], point: cc.point[i], wholesale: cc.wholesale[i],
			created: cc.created[i], phone: cc.phone[i], email: cc.email[i], search: cc.search[i]}
		if err := putCol(tx, colClients, id, c.encode()); err != nil {
			return err
		}
	}
	for i, id := range oc.id {
		c := orderCol{client: cc.id[oc.client[i]], status: oc.status[i], shipping: oc.shipping[i],
			distributor: oc.distributor[i], flags: oc.flags[i], created: oc.created[i], total: oc.total[i],
			name: oc.names.strs[oc.name[i]], brand: oc.brands.strs[oc.brand[i]],
			article: oc.articles.strs[oc.article[i]], invoice: oc.invoices.strs[oc.invoice[i]], auto: autos[id]}
		if err := putCol(tx, colOrders, id, c.encode()); err != nil {
			return err
		}
	}
	// The ledger index is written in key order (see seeder.putLedger).
	var keys [][]byte
	if err := tx.ForEach(bTransactions, func(_, data []byte) error {
		var t struct {
			ID       int64 `json:"id"`
			ClientID int64 `json:"client_id"`
		}
		if err := json.Unmarshal(data, &t); err != nil {
			return fmt.Errorf("saplab transaction: %w", err)
		}
		keys = append(keys, ledgerKey(t.ClientID, t.ID))
		return nil
	}); err != nil {
		return err
	}
	slices.SortFunc(keys, bytes.Compare)
	ledger, err := columns(tx, colLedger)
	if err != nil {
		return err
	}
	ledger.FillPercent = 1
	for _, k := range keys {
		if err := ledger.Put(k, nil); err != nil {
			return err
		}
	}
	return tx.Bucket(bIndex).Put(keyFormat, []byte(columnsFormat))
}
