package saplab

import (
	"cmp"
	"slices"
	"strings"
	"sync"

	"github.com/mockserver/mockserver/internal/lifecycle"
	"github.com/mockserver/mockserver/internal/money"
	"github.com/mockserver/mockserver/internal/saplab/filter"
)

// view is the in-memory picture of the panel that the list endpoints filter
// on, so a filtered page of 500 000 positions is a scan of a few flat
// columns instead of a decode of every record in the file. Rows are kept in
// id order; ids only grow (they come from bucket sequences set past every
// scenario id), so new rows are appended and a row's index never changes.
// Small tables (statuses, groups, ...) are kept whole.
//
// It is rebuilt from the file in Load and changed after each committed write
// (txn.onCommit), under store.viewMu held exclusively; requests read it under
// store.viewMu held shared.
type view struct {
	settings     settings
	points       map[int64]*point
	mgroups      map[int64]*managerGroup
	employees    map[int64]*employee
	shipping     map[int64]*shippingType
	statuses     map[int64]*status
	groups       map[int64]*group
	distributors map[int64]*distributor

	clients clientCols
	orders  orderCols

	// life is the scenario's automatic path for new positions; queue says
	// which positions on it have a move due, and when (it locks itself).
	life  *Lifecycle
	queue *lifecycle.Queue

	// upgrade is set when the view was read from the rows of a file
	// without column records (loadRows): the positions' next automatic
	// moves, by id, for API.Upgrade to write them.
	upgrade map[int64]int64

	// bulk is set while the view is built from the file (loadView): rows
	// are appended without touching the indexes, which buildIndexes then
	// makes in one pass each, every postings list of its exact size.
	bulk bool

	// commits is the count of saplab writes the view shows (keyCommits):
	// a read transaction that sees more waits for the view (store.read).
	commits uint64

	// spans keeps the summaries of recent date ranges (drivers.go).
	spans spanMemo

	// stored is set when Load read the view stored in the file
	// (viewstore.go) instead of building it.
	stored bool
}

// clientCols are the client fields the filters read, one slice per field.
type clientCols struct {
	id        []int64
	search    []string // lower-cased name and organisation, for client_name
	phone     []string // digits
	email     []string // lower-cased
	group     []int64
	manager   []int64
	point     []int64
	wholesale []bool
	created   []int64 // unix microseconds
	orders    [][]int32

	// live is how many of each client's positions are not archived: the
	// count of a client_name page of positions is a sum over the clients.
	live []int32

	// nameIx and emailIx answer client_name and email (textindex.go).
	nameIx, emailIx textIndex

	// ix are the indexes of the client filters (clientKeys), byTime the
	// clients by creation (date_from, date_to).
	ix     [nClientIndexes]index
	byTime byTime
}

// The indexed client columns. The phone index is keyed by a hash of the
// digits: its rows are checked against the phone column.
const (
	cixGroup = iota
	cixManager
	cixWholesale
	cixPhone
	nClientIndexes
)

// clientKey is client row i's value in client index k.
func (cc *clientCols) clientKey(k int, i int32) int64 {
	switch k {
	case cixGroup:
		return cc.group[i]
	case cixManager:
		return cc.manager[i]
	case cixWholesale:
		if cc.wholesale[i] {
			return 1
		}
		return 0
	default:
		return phoneKey(cc.phone[i])
	}
}

// phoneKey is the phone index's key of digits (FNV-1a).
func phoneKey(digits string) int64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(digits); i++ {
		h ^= uint64(digits[i])
		h *= 1099511628211
	}
	return int64(h)
}

// nameSep separated clients in the joined names of earlier versions; the
// column records still store it as a space.
const nameSep = '\x01'

// nameMatches are the clients whose search text contains s (lower-cased).
// The result is shared and must not be changed.
func (cc *clientCols) nameMatches(s string) *textMatch {
	return cc.nameIx.match(len(cc.id), func(i int32) string { return cc.search[i] }, s)
}

// emailMatches are the clients whose email contains s (lower-cased).
func (cc *clientCols) emailMatches(s string) *textMatch {
	return cc.emailIx.match(len(cc.id), func(i int32) string { return cc.email[i] }, s)
}

// Order flags.
const (
	fPayed uint8 = 1 << iota
	fArchived
	fDenied
)

// orderCols are the position fields the filters and the debt read. Text
// columns hold ids into dictionaries: generated and real shops repeat
// brands and names a lot, so a text filter is decided once per distinct
// string, not once per row.
type orderCols struct {
	id          []int64
	client      []int32 // index into clientCols
	status      []int64
	shipping    []int64
	distributor []int64
	flags       []uint8
	created     []int64
	total       []money.Amount
	name        []uint32
	brand       []uint32
	article     []uint32
	invoice     []uint32

	names, brands, articles, invoices dict

	// ix are the indexes of the filtered columns (index.go, orderKeys),
	// live the rows not archived (what a list shows by default), byTime
	// the rows by creation (date_from, date_to).
	ix     [nIndexes]index
	live   []int32
	byTime byTime
	// liveBits are live again as a bitmap (bitmaps.go).
	liveBits []uint64
}

// The indexed order columns: a position's own, then its client's (a
// client's group, manager and office filter the position list), then the
// dictionary ids of its texts.
const (
	ixStatus = iota
	ixShipping
	ixDistributor
	ixPayed
	ixGroup
	ixManager
	ixPoint
	ixName
	ixBrand
	ixArticle
	ixInvoice
	nIndexes
)

// denseOrderIndex reports whether position index k's values are 0, 1,
// 2, ...: the paid flag and the texts' dictionary ids.
func denseOrderIndex(k int) bool { return k == ixPayed || k >= ixName }

// orderKeys are a row's values in each index.
type orderKeys [nIndexes]int64

// orderKey is row i's value in index k.
func (v *view) orderKey(k int, i int32) int64 {
	oc, cc := &v.orders, &v.clients
	switch k {
	case ixStatus:
		return oc.status[i]
	case ixShipping:
		return oc.shipping[i]
	case ixDistributor:
		return oc.distributor[i]
	case ixPayed:
		return int64(oc.flags[i] & fPayed)
	case ixGroup:
		return cc.group[oc.client[i]]
	case ixManager:
		return cc.manager[oc.client[i]]
	case ixPoint:
		return cc.point[oc.client[i]]
	case ixName:
		return int64(oc.name[i])
	case ixBrand:
		return int64(oc.brand[i])
	case ixArticle:
		return int64(oc.article[i])
	default:
		return int64(oc.invoice[i])
	}
}

// orderKeys is row i's value in every index.
func (v *view) orderKeys(i int32) orderKeys {
	var k orderKeys
	for j := range k {
		k[j] = v.orderKey(j, i)
	}
	return k
}

// reindexOrder brings the indexes up to row i's columns; old and oldLive
// are what they held before (ignored for a new row).
func (v *view) reindexOrder(i int32, isNew bool, old orderKeys, oldLive bool) {
	oc := &v.orders
	cur, live := v.orderKeys(i), oc.flags[i]&fArchived == 0
	for k := range cur {
		switch {
		case isNew && v.bulk:
		case isNew:
			oc.ix[k].add(cur[k], i, live)
		case old[k] != cur[k]:
			oc.ix[k].remove(old[k], i, oldLive)
			oc.ix[k].add(cur[k], i, live)
		case oldLive != live:
			oc.ix[k].relive(cur[k], live)
		}
	}
	switch {
	case (isNew || !oldLive) && live:
		oc.live = insertSorted(oc.live, i)
		oc.liveBits = setBit(oc.liveBits, i)
		v.clients.live[oc.client[i]]++
	case !isNew && oldLive && !live:
		oc.live = removeSorted(oc.live, i)
		oc.liveBits = clearBit(oc.liveBits, i)
		v.clients.live[oc.client[i]]--
	}
}

// dict interns strings.
type dict struct {
	strs []string
	// ids are strs by string. A dictionary read from the stored view
	// (viewstore.go) makes them on first use, under once, since the first
	// may be a read under viewMu held shared: an invoice dictionary of
	// 250,000 texts is a map of about 10 MB and tens of milliseconds of a
	// start, needed only by an equality filter on its column or a write.
	ids  map[string]uint32
	once sync.Once
}

// table is ids, made from strs if the dictionary has none yet.
func (d *dict) table() map[string]uint32 {
	d.once.Do(func() {
		if d.ids == nil {
			d.ids = make(map[string]uint32, len(d.strs))
			for i, s := range d.strs {
				d.ids[s] = uint32(i)
			}
		}
	})
	return d.ids
}

// lookup is s's number in the dictionary, if it has s.
func (d *dict) lookup(s string) (uint32, bool) {
	id, ok := d.table()[s]
	return id, ok
}

// id is s's number in the dictionary, adding it on first sight.
func (d *dict) id(s string) uint32 {
	ids := d.table()
	if id, ok := ids[s]; ok {
		return id
	}
	id := uint32(len(d.strs))
	ids[s] = id
	d.strs = append(d.strs, s)
	return id
}

// intern is the dictionary's copy of b when it has one (no allocation: a
// start reads 500,000 rows of a few thousand distinct texts), else b as a
// new string.
func (d *dict) intern(b []byte) string {
	if id, ok := d.table()[string(b)]; ok {
		return d.strs[id]
	}
	return string(b)
}

// memo decides a predicate once per dictionary entry.
type memo struct {
	d    *dict
	pred func(string) bool
	seen []int8 // 0 unknown, 1 true, -1 false
}

// newMemo decides pred over the strings of d, each at most once.
func newMemo(d *dict, pred func(string) bool) *memo {
	return &memo{d: d, pred: pred, seen: make([]int8, len(d.strs))}
}

// ok is the predicate for dictionary entry id.
func (m *memo) ok(id uint32) bool {
	switch m.seen[id] {
	case 1:
		return true
	case -1:
		return false
	}
	r := m.pred(m.d.strs[id])
	if r {
		m.seen[id] = 1
	} else {
		m.seen[id] = -1
	}
	return r
}

// newView is an empty view.
func newView() *view {
	v := &view{
		points: map[int64]*point{}, mgroups: map[int64]*managerGroup{}, employees: map[int64]*employee{},
		shipping: map[int64]*shippingType{}, statuses: map[int64]*status{}, groups: map[int64]*group{},
		distributors: map[int64]*distributor{},
		life:         &Lifecycle{}, queue: lifecycle.NewQueue(),
	}
	for k := range v.orders.ix {
		v.orders.ix[k] = newIndex(denseOrderIndex(k))
	}
	for k := range v.clients.ix {
		v.clients.ix[k] = newIndex(k == cixWholesale)
	}
	return v
}

// reserve makes room for about n clients and m positions, so that a view
// built from the file grows its columns once.
func (v *view) reserve(n, m int) {
	cc, oc := &v.clients, &v.orders
	cc.id, cc.search, cc.phone, cc.email = slices.Grow(cc.id, n), slices.Grow(cc.search, n), slices.Grow(cc.phone, n), slices.Grow(cc.email, n)
	cc.group, cc.manager, cc.point = slices.Grow(cc.group, n), slices.Grow(cc.manager, n), slices.Grow(cc.point, n)
	cc.wholesale, cc.created, cc.orders = slices.Grow(cc.wholesale, n), slices.Grow(cc.created, n), slices.Grow(cc.orders, n)
	cc.byTime.rows = slices.Grow(cc.byTime.rows, n)
	oc.id, oc.client, oc.status, oc.shipping = slices.Grow(oc.id, m), slices.Grow(oc.client, m), slices.Grow(oc.status, m), slices.Grow(oc.shipping, m)
	oc.distributor, oc.flags, oc.created = slices.Grow(oc.distributor, m), slices.Grow(oc.flags, m), slices.Grow(oc.created, m)
	oc.total, oc.name, oc.brand = slices.Grow(oc.total, m), slices.Grow(oc.name, m), slices.Grow(oc.brand, m)
	oc.article, oc.invoice, oc.live = slices.Grow(oc.article, m), slices.Grow(oc.invoice, m), slices.Grow(oc.live, m)
	oc.byTime.rows = slices.Grow(oc.byTime.rows, m)
}

// clientIndex finds a client's row.
func (v *view) clientIndex(id int64) (int32, bool) {
	return rowOf(v.clients.id, id)
}

// orderIndex finds a position's row.
func (v *view) orderIndex(id int64) (int32, bool) {
	return rowOf(v.orders.id, id)
}

// rowOf finds id in ids (ascending), or where it would go. Ids are mostly
// dense (a sequence, few deletions), so the row id-ids[0] is tried first:
// a start looks up a client for each of 500,000 positions.
func rowOf(ids []int64, id int64) (int32, bool) {
	if n := len(ids); n > 0 {
		if id > ids[n-1] {
			return int32(n), false
		}
		if k := id - ids[0]; k >= 0 && k < int64(n) && ids[k] == id {
			return int32(k), true
		}
	}
	i, ok := slices.BinarySearch(ids, id)
	return int32(i), ok
}

// clientSearchText is what client_name matches: the name and the
// organisation of a legal entity.
func clientSearchText(c *client) string {
	s := c.Name
	if c.IsWholesaler {
		s += "\x00" + wholesalerInfo(c)
	}
	return strings.ToLower(s)
}

// setClient puts a client's columns in its row, appending a new client.
func (v *view) setClient(c *client) {
	col := clientColOf(c)
	v.setClientCol(c.ID, &col)
}

// appendRow adds an empty row for client id at the end of the columns.
func (cc *clientCols) appendRow(id int64) {
	cc.id = append(cc.id, id)
	cc.search = append(cc.search, "")
	cc.phone = append(cc.phone, "")
	cc.email = append(cc.email, "")
	cc.group = append(cc.group, 0)
	cc.manager = append(cc.manager, 0)
	cc.point = append(cc.point, 0)
	cc.wholesale = append(cc.wholesale, false)
	cc.created = append(cc.created, 0)
	cc.orders = append(cc.orders, nil)
	cc.live = append(cc.live, 0)
}

// setTexts puts client row i's substring-filtered texts, moving the row in
// their trigram indexes (a new row changes every kept match as well).
func (cc *clientCols) setTexts(i int32, isNew bool, c *clientCol) {
	if isNew || c.search != cc.search[i] {
		cc.nameIx.set(i, cc.search[i], c.search)
		cc.search[i] = c.search
	}
	if isNew || c.email != cc.email[i] {
		cc.emailIx.set(i, cc.email[i], c.email)
		cc.email[i] = c.email
	}
}

// setClientCol puts client id's columns in its row, appending a new one.
func (v *view) setClientCol(id int64, c *clientCol) {
	cc := &v.clients
	v.spans.forget()
	i, ok := v.clientIndex(id)
	isNew := !ok
	var oldKeys [nClientIndexes]int64
	if ok {
		for k := range oldKeys {
			oldKeys[k] = cc.clientKey(k, i)
		}
		if cc.created[i] != c.created {
			cc.byTime.remove(cc.created, i)
		}
	}
	timeMoved := isNew || cc.created[i] != c.created
	if !ok {
		if int(i) != len(cc.id) {
			// Ids come from a sequence past every existing id; an insert in
			// the middle would shift every stored index.
			panic("saplab view: client ids must grow")
		}
		cc.appendRow(id)
	}
	cc.setTexts(i, isNew, c)
	cc.phone[i] = c.phone
	// The position indexes hold the client's group, manager and office.
	moved := cc.group[i] != c.group || cc.manager[i] != c.manager || cc.point[i] != c.point
	var old []orderKeys
	if moved {
		for _, r := range cc.orders[i] {
			old = append(old, v.orderKeys(r))
		}
	}
	cc.group[i] = c.group
	cc.manager[i] = c.manager
	cc.point[i] = c.point
	for j, r := range cc.orders[i][:len(old)] {
		live := v.orders.flags[r]&fArchived == 0
		v.reindexOrder(r, false, old[j], live)
	}
	cc.wholesale[i] = c.wholesale
	cc.created[i] = c.created
	if timeMoved {
		cc.byTime.add(cc.created, i)
	}
	for k := range oldKeys {
		switch cur := cc.clientKey(k, i); {
		case isNew && v.bulk:
		case isNew:
			cc.ix[k].add(cur, i, true)
		case cur != oldKeys[k]:
			cc.ix[k].remove(oldKeys[k], i, true)
			cc.ix[k].add(cur, i, true)
		}
	}
}

// setOrder puts a position's columns in its row, appending a new one, and
// keeps the indexes.
func (v *view) setOrder(o *order) {
	col := orderColOf(o)
	v.setOrderCol(o.ID, &col)
}

// setOrderCol puts position id's columns in its row, appending a new one,
// and keeps the indexes.
func (v *view) setOrderCol(id int64, o *orderCol) {
	oc := &v.orders
	v.spans.forget()
	ci, ok := v.clientIndex(o.client)
	if !ok {
		panic("saplab view: position of an unknown client")
	}
	i, ok := v.orderIndex(id)
	isNew := !ok
	var old orderKeys
	var oldLive bool
	if isNew {
		if int(i) != len(oc.id) {
			panic("saplab view: position ids must grow")
		}
		oc.id = append(oc.id, id)
		oc.client = append(oc.client, ci)
		oc.status = append(oc.status, 0)
		oc.shipping = append(oc.shipping, 0)
		oc.distributor = append(oc.distributor, 0)
		oc.flags = append(oc.flags, 0)
		oc.created = append(oc.created, 0)
		oc.total = append(oc.total, 0)
		oc.name = append(oc.name, 0)
		oc.brand = append(oc.brand, 0)
		oc.article = append(oc.article, 0)
		oc.invoice = append(oc.invoice, 0)
		if !v.bulk {
			v.clients.orders[ci] = append(v.clients.orders[ci], i)
		}
	} else {
		old, oldLive = v.orderKeys(i), oc.flags[i]&fArchived == 0
		if oc.created[i] != o.created {
			oc.byTime.remove(oc.created, i)
		}
	}
	moved := isNew || oc.created[i] != o.created
	oc.status[i] = o.status
	oc.shipping[i] = o.shipping
	oc.distributor[i] = o.distributor
	oc.flags[i] = o.flags
	oc.created[i] = o.created
	oc.total[i] = o.total
	oc.name[i] = oc.names.id(o.name)
	oc.brand[i] = oc.brands.id(o.brand)
	oc.article[i] = oc.articles.id(o.article)
	oc.invoice[i] = oc.invoices.id(o.invoice)
	if moved {
		oc.byTime.add(oc.created, i)
	}
	v.reindexOrder(i, isNew, old, oldLive)
}

// parallelIndexRows is the count of positions from which buildIndexes
// builds two indexes at a time (a variable for the test that compares
// both ways).
var parallelIndexRows = storeRows

// buildIndexes makes the indexes, and each client's list of positions, of
// the rows appended in bulk (loadView), and ends bulk mode.
func (v *view) buildIndexes() {
	oc, cc := &v.orders, &v.clients
	notArchived := func(i int32) bool { return oc.flags[i]&fArchived == 0 }
	// A large view's position indexes are built two at a time, on this
	// goroutine and one more (the builds only read the view's columns,
	// and each writes its own index): most of a bulk build's time.
	par := len(oc.id) >= parallelIndexRows
	var wg sync.WaitGroup
	for k := range oc.ix {
		build := func() {
			oc.ix[k] = buildIndex(len(oc.id), denseOrderIndex(k), func(i int32) int64 { return v.orderKey(k, i) }, notArchived)
		}
		if par && k%2 == 0 {
			wg.Go(build)
			continue
		}
		build()
		wg.Wait()
	}
	wg.Wait()
	for k := range cc.ix {
		cc.ix[k] = buildIndex(len(cc.id), k == cixWholesale, func(i int32) int64 { return cc.clientKey(k, i) }, func(int32) bool { return true })
	}
	count := make([]int32, len(cc.id))
	for _, c := range oc.client {
		count[c]++
	}
	all, off := make([]int32, len(oc.id)), 0
	for c := range cc.orders {
		cc.orders[c] = all[off : off : off+int(count[c])]
		off += int(count[c])
	}
	for i, c := range oc.client {
		cc.orders[c] = append(cc.orders[c], int32(i))
	}
	v.bulk = false
}

// debt is the client's debt and blocked_debt (SPEC §6): the totals of
// positions that are not paid, denied or archived, outside and inside the
// new status.
func (v *view) debt(clientIdx int32) (debt, blocked money.Amount) {
	oc := &v.orders
	for _, i := range v.clients.orders[clientIdx] {
		d, b := DebtOf(oc.flags[i]&fPayed != 0, oc.flags[i]&fDenied != 0, oc.flags[i]&fArchived != 0,
			oc.status[i] == v.settings.NewStatusID, oc.total[i])
		debt += d
		blocked += b
	}
	return debt, blocked
}

// page is one page of a filtered list.
type page struct {
	total int64   // rows matching
	rows  []int32 // row indexes on this page, ids descending
}

// pred is one filter on a row index. A query is the list of the filters it
// asks for, so a scan pays only for those (the common unfiltered list
// checks one flag per row).
type pred func(i int32) bool

// scan walks rows (all of them, ids descending, when rows is nil), counts
// those every pred accepts and keeps the page's window.
func scan(q *filter.Query, n int, rows []int32, preds []pred) page {
	var p page
	off := q.Offset()
	visit := func(i int32) {
		for _, ok := range preds {
			if !ok(i) {
				return
			}
		}
		if p.total >= off && len(p.rows) < q.PerPage {
			p.rows = append(p.rows, i)
		}
		p.total++
	}
	if rows != nil {
		for _, i := range rows {
			visit(i)
		}
		return p
	}
	for i := int32(n) - 1; i >= 0; i-- {
		visit(i)
	}
	return p
}

// candidates are the rows an id-list filter names, ids descending.
func candidates(ids []int64, find func(int64) (int32, bool)) []int32 {
	rows := make([]int32, 0, len(ids))
	for _, id := range ids {
		if i, ok := find(id); ok {
			rows = append(rows, i)
		}
	}
	slices.SortFunc(rows, func(a, b int32) int { return cmp.Compare(b, a) })
	return rows
}

// createdPreds are date_from and date_to on a creation column.
func createdPreds(q *filter.Query, created []int64) []pred {
	var ps []pred
	if !q.From.IsZero() {
		from := q.From.UnixMicro()
		ps = append(ps, func(i int32) bool { return created[i] >= from })
	}
	if !q.To.IsZero() {
		to := q.To.UnixMicro()
		ps = append(ps, func(i int32) bool { return created[i] < to })
	}
	return ps
}

// findClients runs GET /panel/client's filters: the group, manager,
// wholesale and phone filters through their indexes, the dates through
// the clients by creation, client_name and email as checks on the rows of
// those (or a scan of the compact columns when no index applies); the
// unfiltered list (and its deep pages) is read by position.
func (v *view) findClients(q *filter.Query) page {
	cc := &v.clients
	var ds []driver
	eq := func(k int, key int64, exact bool) {
		d := driver{exact: exact, accept: func(i int32) bool { return cc.clientKey(k, i) == key }}
		if p := cc.ix[k].get(key); p != nil {
			d.lists, d.size, d.live, d.bitmap = [][]int32{p.rows}, len(p.rows), len(p.rows), p.bits
		}
		ds = append(ds, d)
	}
	if g, ok := q.Ints["client_group"]; ok {
		eq(cixGroup, g, true)
	}
	if m, ok := q.Ints["manager_id"]; ok {
		eq(cixManager, m, true)
	}
	if w, ok := q.Bools["is_wholesaler"]; ok {
		key := int64(0)
		if w {
			key = 1
		}
		eq(cixWholesale, key, true)
	}
	var ps []pred
	if ph, ok := q.Texts["phone"]; ok {
		eq(cixPhone, phoneKey(ph), false)
		ps = append(ps, func(i int32) bool { return cc.phone[i] == ph })
	}
	if d, ok := v.timeDriver(q, 0, &cc.byTime, cc.created, nil); ok {
		ds = append(ds, d)
	}
	if s, ok := q.Texts["client_name"]; ok {
		ds = append(ds, matchDriver(cc.nameMatches(strings.ToLower(s))))
	}
	if e, ok := q.Texts["email"]; ok {
		ds = append(ds, matchDriver(cc.emailMatches(strings.ToLower(e))))
	}
	if q.IDs != nil {
		for _, d := range ds {
			ps = append(ps, d.accept)
		}
		return scan(q, len(cc.id), candidates(q.IDs, v.clientIndex), ps)
	}
	if len(ds) == 0 {
		if len(ps) == 0 {
			n := int64(len(cc.id))
			return byPosition(q, n, func(k int64) int32 { return int32(n - 1 - k) })
		}
		return scan(q, len(cc.id), nil, ps)
	}
	if p, ok := bitmapPage(q, ds, ps, nil, len(cc.id)); ok {
		return p
	}
	return walkDrivers(q, ds, ps, false)
}

// byPosition is the page of a list of total rows whose k-th row (ids
// descending) is at(k): no row outside the page is looked at.
func byPosition(q *filter.Query, total int64, at func(k int64) int32) page {
	p := page{total: total}
	for k := q.Offset(); k < total && len(p.rows) < q.PerPage; k++ {
		p.rows = append(p.rows, at(k))
	}
	return p
}

// driver is a filter that names its rows through an index: the union of
// some postings (or a bitmap of rows), with its size, and the same filter
// as a check on one row for when another driver is walked instead.
type driver struct {
	lists      [][]int32
	bits       []uint64
	size, live int // rows, and rows not archived; live < 0 when unknown
	// exact says the rows all pass the filter; a hashed index's do not.
	exact  bool
	accept pred
	// skip leaves rows out of the walk (archived positions); nil for none.
	skip pred
	// through, when set, walks the rows itself (drivers.go), told how many
	// the page needs (-1: all of them) to choose how.
	through func(need int64, visit func(int32) bool)
	// bitmap is the rows as a bitmap when the index keeps one (bitmaps.go).
	bitmap []uint64
}

// walk visits the driver's rows but those skip leaves out, highest first,
// until visit returns false; need is how many the walk is for (-1 all).
func (d *driver) walk(need int64, visit func(int32) bool) {
	if d.skip != nil {
		skip, inner := d.skip, visit
		visit = func(i int32) bool { return skip(i) || inner(i) }
	}
	if d.through != nil {
		d.through(need, visit)
		return
	}
	if d.bits != nil {
		descendingBits(d.bits, visit)
		return
	}
	descending(d.lists, visit)
}

// walkDrivers pages a list through the smallest of its drivers, checking
// the others and ps on its rows. With nothing else to check (and, for
// positions, liveOnly leaving out archived rows with a known live count),
// the count is the index's and only the page's rows are visited.
func walkDrivers(q *filter.Query, ds []driver, ps []pred, liveOnly bool) page {
	best := 0
	for k, d := range ds {
		if d.size < ds[best].size {
			best = k
		}
	}
	for k, d := range ds {
		if k != best {
			ps = append(ps, d.accept)
		}
	}
	d := ds[best]
	count := int64(d.size)
	if liveOnly {
		count = int64(d.live)
	}
	off := q.Offset()
	if len(ps) == 0 && d.exact && count >= 0 {
		p := page{total: count}
		seen := int64(0)
		d.walk(off+int64(q.PerPage), func(i int32) bool {
			if seen >= off {
				p.rows = append(p.rows, i)
			}
			seen++
			return len(p.rows) < q.PerPage
		})
		return p
	}
	var p page
	d.walk(-1, func(i int32) bool {
		for _, ok := range ps {
			if !ok(i) {
				return true
			}
		}
		if p.total >= off && len(p.rows) < q.PerPage {
			p.rows = append(p.rows, i)
		}
		p.total++
		return true
	})
	return p
}

// orderDrivers are the position filters an index answers: the equality
// filters, name (the names that contain the text), client_name (the
// positions of the clients whose name matches, drivers.go) and the dates:
// every position filter.
func (v *view) orderDrivers(q *filter.Query) (ds []driver) {
	oc := &v.orders
	eq := func(k int, key int64) {
		d := driver{exact: true, accept: func(i int32) bool { return v.orderKey(k, i) == key }}
		if p := oc.ix[k].get(key); p != nil {
			d.lists, d.size, d.live, d.bitmap = [][]int32{p.rows}, len(p.rows), p.live, p.bits
		}
		ds = append(ds, d)
	}
	for key, k := range map[string]int{"order_status": ixStatus, "shipping_id": ixShipping,
		"distributor_id": ixDistributor, "client_group": ixGroup, "manager_id": ixManager, "point_id": ixPoint} {
		if n, ok := q.Ints[key]; ok {
			eq(k, n)
		}
	}
	if paid, ok := q.Bools["is_payed"]; ok {
		key := int64(0)
		if paid {
			key = int64(fPayed)
		}
		eq(ixPayed, key)
	}
	// The equality texts are compared normalised: one dictionary entry.
	lowerTrim := func(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
	for _, t := range []struct {
		key  string
		k    int
		d    *dict
		norm func(string) string
	}{{"brand", ixBrand, &oc.brands, lowerTrim}, {"article", ixArticle, &oc.articles, NormalizeArticle},
		{"invoice", ixInvoice, &oc.invoices, lowerTrim}} {
		if s, ok := q.Texts[t.key]; ok {
			id, found := t.d.lookup(t.norm(s))
			if !found {
				ds = append(ds, driver{exact: true, accept: func(int32) bool { return false }})
				continue
			}
			eq(t.k, int64(id))
		}
	}
	if s, ok := q.Texts["name"]; ok {
		ds = append(ds, v.nameDriver(strings.ToLower(s)))
	}
	if s, ok := q.Texts["client_name"]; ok {
		ds = append(ds, v.clientNameDriver(strings.ToLower(s)))
	}
	if d, ok := v.timeDriver(q, 1, &oc.byTime, oc.created, oc.flags); ok {
		ds = append(ds, d)
	}
	return ds
}

// nameDriver is the name filter: the positions whose name contains s,
// decided once per distinct name.
func (v *view) nameDriver(s string) driver {
	oc := &v.orders
	m := newMemo(&oc.names, func(have string) bool { return strings.Contains(have, s) })
	d := driver{exact: true, accept: func(i int32) bool { return m.ok(oc.name[i]) }}
	for id := range oc.names.strs {
		if m.ok(uint32(id)) {
			if p := oc.ix[ixName].get(int64(id)); p != nil {
				d.lists = append(d.lists, p.rows)
				d.size += len(p.rows)
				d.live += p.live
			}
		}
	}
	return d
}

// findOrders runs GET /panel/order's filters. Archived positions are left
// out unless unignore_archived is 1. The smallest index a filter names is
// walked and the other filters checked on its rows; a list with one
// indexed filter and nothing else reads its count from the index and
// stops at the end of the page.
func (v *view) findOrders(q *filter.Query) page {
	oc := &v.orders
	liveOnly := !q.Bools["unignore_archived"]
	notArchived := func(i int32) bool { return oc.flags[i]&fArchived == 0 }
	ds := v.orderDrivers(q)
	var ps []pred
	if q.IDs != nil {
		for _, d := range ds {
			ps = append(ps, d.accept)
		}
		if liveOnly {
			ps = append(ps, notArchived)
		}
		return scan(q, len(oc.id), candidates(q.IDs, v.orderIndex), ps)
	}
	if len(ds) == 0 {
		return v.scanOrders(q, liveOnly, ps)
	}
	var live []uint64
	if liveOnly {
		live = oc.liveBits
	}
	if p, ok := bitmapPage(q, ds, ps, live, len(oc.id)); ok {
		return p
	}
	if liveOnly {
		// Archived rows are skipped in the walk; a lone index's count is
		// its live count.
		for k := range ds {
			ds[k].skip = func(i int32) bool { return oc.flags[i]&fArchived != 0 }
		}
	}
	return walkDrivers(q, ds, ps, liveOnly)
}

// scanOrders is a position list no index narrows: the unfiltered list is
// read by position (the rows not archived are a list of their own). Every
// position filter has a driver now, so ps is empty here; a filter added
// without one would be a scan of the compact columns.
func (v *view) scanOrders(q *filter.Query, liveOnly bool, ps []pred) page {
	oc := &v.orders
	if len(ps) == 0 {
		if liveOnly {
			n := int64(len(oc.live))
			return byPosition(q, n, func(k int64) int32 { return oc.live[n-1-k] })
		}
		n := int64(len(oc.id))
		return byPosition(q, n, func(k int64) int32 { return int32(n - 1 - k) })
	}
	if liveOnly {
		ps = append(ps, func(i int32) bool { return oc.flags[i]&fArchived == 0 })
	}
	return scan(q, len(oc.id), nil, ps)
}

// clientCount is how many clients a manager has (GET /panel/manager).
func (v *view) clientCount(managerID int64) int64 {
	var n int64
	for _, m := range v.clients.manager {
		if m == managerID {
			n++
		}
	}
	return n
}

// groupInUse reports whether any client is in the group.
func (v *view) groupInUse(groupID int64) bool {
	return slices.Contains(v.clients.group, groupID)
}

// emailTaken reports whether another client than except has the email, in
// any case: the panel's uniqueness rule on create and edit.
func (v *view) emailTaken(email string, except int64) bool {
	email = emailKey(email)
	if email == "" {
		return false
	}
	for i, e := range v.clients.email {
		if e == email && v.clients.id[i] != except {
			return true
		}
	}
	return false
}

// phoneTaken reports whether another client than except has the phone
// digits.
func (v *view) phoneTaken(digits string, except int64) bool {
	for i, p := range v.clients.phone {
		if p == digits && v.clients.id[i] != except {
			return true
		}
	}
	return false
}
