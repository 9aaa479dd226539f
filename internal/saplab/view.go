package saplab

import (
	"cmp"
	"slices"
	"strings"

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

	// commits is the count of saplab writes the view shows (keyCommits):
	// a read transaction that sees more waits for the view (store.read).
	commits uint64
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
	txs       [][]int64 // ledger ids, oldest first

	// names is every search text joined with nameSep, and nameAt the
	// offset where each client's starts: one strings.Index over a few
	// megabytes finds client_name matches far faster than a Contains per
	// client. It is rebuilt after writes that change clients (namesDirty).
	names      string
	nameAt     []int32
	namesDirty bool
}

// nameSep separates clients in clientCols.names; filter text never holds it.
const nameSep = '\x01'

// reindexNames rebuilds clientCols.names if clients changed.
func (cc *clientCols) reindexNames() {
	if !cc.namesDirty {
		return
	}
	var b strings.Builder
	cc.nameAt = cc.nameAt[:0]
	for _, s := range cc.search {
		cc.nameAt = append(cc.nameAt, int32(b.Len()))
		b.WriteString(s)
		b.WriteByte(nameSep)
	}
	cc.names = b.String()
	cc.namesDirty = false
}

// nameMatches marks the clients whose search text contains s (lower-cased).
func (cc *clientCols) nameMatches(s string) []bool {
	ok := make([]bool, len(cc.id))
	if strings.IndexByte(s, nameSep) >= 0 || cc.namesDirty {
		for i, t := range cc.search {
			ok[i] = strings.Contains(t, s)
		}
		return ok
	}
	for from := 0; from < len(cc.names); {
		k := strings.Index(cc.names[from:], s)
		if k < 0 {
			break
		}
		pos := int32(from + k)
		// The client whose text holds pos: the last start at or before it.
		i, found := slices.BinarySearch(cc.nameAt, pos)
		if !found {
			i--
		}
		ok[i] = true
		next := len(cc.names)
		if i+1 < len(cc.nameAt) {
			next = int(cc.nameAt[i+1])
		}
		from = next
	}
	return ok
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
}

// dict interns strings.
type dict struct {
	ids  map[string]uint32
	strs []string
}

// id is s's number in the dictionary, adding it on first sight.
func (d *dict) id(s string) uint32 {
	if d.ids == nil {
		d.ids = map[string]uint32{}
	}
	if id, ok := d.ids[s]; ok {
		return id
	}
	id := uint32(len(d.strs))
	d.ids[s] = id
	d.strs = append(d.strs, s)
	return id
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
	return &view{
		points: map[int64]*point{}, mgroups: map[int64]*managerGroup{}, employees: map[int64]*employee{},
		shipping: map[int64]*shippingType{}, statuses: map[int64]*status{}, groups: map[int64]*group{},
		distributors: map[int64]*distributor{},
		life:         &Lifecycle{}, queue: lifecycle.NewQueue(),
	}
}

// clientIndex finds a client's row.
func (v *view) clientIndex(id int64) (int32, bool) {
	i, ok := slices.BinarySearch(v.clients.id, id)
	return int32(i), ok
}

// orderIndex finds a position's row.
func (v *view) orderIndex(id int64) (int32, bool) {
	i, ok := slices.BinarySearch(v.orders.id, id)
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
	cc := &v.clients
	i, ok := v.clientIndex(c.ID)
	if !ok {
		if int(i) != len(cc.id) {
			// Ids come from a sequence past every existing id; an insert in
			// the middle would shift every stored index.
			panic("saplab view: client ids must grow")
		}
		cc.id = append(cc.id, c.ID)
		cc.search = append(cc.search, "")
		cc.phone = append(cc.phone, "")
		cc.email = append(cc.email, "")
		cc.group = append(cc.group, 0)
		cc.manager = append(cc.manager, 0)
		cc.point = append(cc.point, 0)
		cc.wholesale = append(cc.wholesale, false)
		cc.created = append(cc.created, 0)
		cc.orders = append(cc.orders, nil)
		cc.txs = append(cc.txs, nil)
	}
	if t := clientSearchText(c); t != cc.search[i] {
		cc.search[i] = strings.ReplaceAll(t, string(nameSep), " ")
		cc.namesDirty = true
	}
	cc.phone[i] = c.Phone
	cc.email[i] = strings.ToLower(c.Email)
	cc.group[i] = c.GroupID
	cc.manager[i] = c.ManagerID
	cc.point[i] = c.PointID
	cc.wholesale[i] = c.IsWholesaler
	cc.created[i] = c.Created.UnixMicro()
}

// addTransaction adds a ledger entry to its client's list.
func (v *view) addTransaction(clientID, txID int64) {
	if i, ok := v.clientIndex(clientID); ok {
		v.clients.txs[i] = append(v.clients.txs[i], txID)
	}
}

// setOrder puts a position's columns in its row, appending a new one.
func (v *view) setOrder(o *order) {
	oc := &v.orders
	ci, ok := v.clientIndex(o.ClientID)
	if !ok {
		panic("saplab view: position of an unknown client")
	}
	i, ok := v.orderIndex(o.ID)
	if !ok {
		if int(i) != len(oc.id) {
			panic("saplab view: position ids must grow")
		}
		oc.id = append(oc.id, o.ID)
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
		v.clients.orders[ci] = append(v.clients.orders[ci], i)
	}
	oc.status[i] = o.StatusID
	oc.shipping[i] = o.ShippingID
	oc.distributor[i] = o.DistributorID
	var f uint8
	if o.IsPayed {
		f |= fPayed
	}
	if o.IsArchived {
		f |= fArchived
	}
	if o.IsDenied {
		f |= fDenied
	}
	oc.flags[i] = f
	oc.created[i] = o.Created.UnixMicro()
	oc.total[i] = o.Total()
	oc.name[i] = oc.names.id(strings.ToLower(o.Name))
	oc.brand[i] = oc.brands.id(strings.ToLower(strings.TrimSpace(o.Brand)))
	oc.article[i] = oc.articles.id(NormalizeArticle(o.Article))
	oc.invoice[i] = oc.invoices.id(strings.ToLower(strings.TrimSpace(o.Invoice)))
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

// clientPreds are the filters on client columns, shared by the client list
// and, through the position's client, the position list.
func (v *view) clientPreds(q *filter.Query, withPoint bool) []pred {
	cc := &v.clients
	var ps []pred
	if g, ok := q.Ints["client_group"]; ok {
		ps = append(ps, func(i int32) bool { return cc.group[i] == g })
	}
	if m, ok := q.Ints["manager_id"]; ok {
		ps = append(ps, func(i int32) bool { return cc.manager[i] == m })
	}
	if p, ok := q.Ints["point_id"]; ok && withPoint {
		ps = append(ps, func(i int32) bool { return cc.point[i] == p })
	}
	if s, ok := q.Texts["client_name"]; ok {
		match := cc.nameMatches(strings.ToLower(s))
		ps = append(ps, func(i int32) bool { return match[i] })
	}
	return ps
}

// findClients runs GET /panel/client's filters.
func (v *view) findClients(q *filter.Query) page {
	cc := &v.clients
	var ps []pred
	if w, ok := q.Bools["is_wholesaler"]; ok {
		ps = append(ps, func(i int32) bool { return cc.wholesale[i] == w })
	}
	if ph, ok := q.Texts["phone"]; ok {
		ps = append(ps, func(i int32) bool { return cc.phone[i] == ph })
	}
	ps = append(ps, createdPreds(q, cc.created)...)
	ps = append(ps, v.clientPreds(q, false)...)
	if e, ok := q.Texts["email"]; ok {
		e = strings.ToLower(e)
		ps = append(ps, func(i int32) bool { return strings.Contains(cc.email[i], e) })
	}
	var rows []int32
	if q.IDs != nil {
		rows = candidates(q.IDs, v.clientIndex)
	}
	return scan(q, len(cc.id), rows, ps)
}

// findOrders runs GET /panel/order's filters. Archived positions are left
// out unless unignore_archived is 1.
func (v *view) findOrders(q *filter.Query) page {
	oc, cc := &v.orders, &v.clients
	var ps []pred
	if !q.Bools["unignore_archived"] {
		ps = append(ps, func(i int32) bool { return oc.flags[i]&fArchived == 0 })
	}
	if st, ok := q.Ints["order_status"]; ok {
		ps = append(ps, func(i int32) bool { return oc.status[i] == st })
	}
	if paid, ok := q.Bools["is_payed"]; ok {
		ps = append(ps, func(i int32) bool { return (oc.flags[i]&fPayed != 0) == paid })
	}
	if sh, ok := q.Ints["shipping_id"]; ok {
		ps = append(ps, func(i int32) bool { return oc.shipping[i] == sh })
	}
	if d, ok := q.Ints["distributor_id"]; ok {
		ps = append(ps, func(i int32) bool { return oc.distributor[i] == d })
	}
	ps = append(ps, createdPreds(q, oc.created)...)
	// Text filters are decided once per distinct string.
	text := func(key string, d *dict, col []uint32, norm func(string) string, match func(have, want string) bool) {
		s, ok := q.Texts[key]
		if !ok {
			return
		}
		s = norm(s)
		m := newMemo(d, func(have string) bool { return match(have, s) })
		ps = append(ps, func(i int32) bool { return m.ok(col[i]) })
	}
	lowerTrim := func(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
	equal := func(have, want string) bool { return have == want }
	text("brand", &oc.brands, oc.brand, lowerTrim, equal)
	text("article", &oc.articles, oc.article, NormalizeArticle, equal)
	text("invoice", &oc.invoices, oc.invoice, lowerTrim, equal)
	text("name", &oc.names, oc.name, strings.ToLower, strings.Contains)
	// Client filters are decided once per client, in one pass over the
	// client columns, before the positions are scanned.
	if cps := v.clientPreds(q, true); len(cps) > 0 {
		ok := make([]bool, len(cc.id))
		for c := range ok {
			ok[c] = true
			for _, p := range cps {
				if !p(int32(c)) {
					ok[c] = false
					break
				}
			}
		}
		ps = append(ps, func(i int32) bool { return ok[oc.client[i]] })
	}
	var rows []int32
	if q.IDs != nil {
		rows = candidates(q.IDs, v.orderIndex)
	}
	return scan(q, len(oc.id), rows, ps)
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
