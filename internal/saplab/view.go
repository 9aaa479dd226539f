package saplab

import (
	"cmp"
	"slices"
	"strings"

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
// (txn.onCommit), under API.mu.
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

func newMemo(d *dict, pred func(string) bool) *memo {
	return &memo{d: d, pred: pred, seen: make([]int8, len(d.strs))}
}

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

func newView() *view {
	return &view{
		points: map[int64]*point{}, mgroups: map[int64]*managerGroup{}, employees: map[int64]*employee{},
		shipping: map[int64]*shippingType{}, statuses: map[int64]*status{}, groups: map[int64]*group{},
		distributors: map[int64]*distributor{},
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
	cc.search[i] = clientSearchText(c)
	cc.phone[i] = c.Phone
	cc.email[i] = strings.ToLower(c.Email)
	cc.group[i] = c.GroupID
	cc.manager[i] = c.ManagerID
	cc.point[i] = c.PointID
	cc.wholesale[i] = c.IsWholesaler
	cc.created[i] = c.Created.UnixMicro()
}

func (v *view) addTransaction(clientID, txID int64) {
	if i, ok := v.clientIndex(clientID); ok {
		v.clients.txs[i] = append(v.clients.txs[i], txID)
	}
}

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

// Debt is the client's debt and blocked_debt (SPEC §6): the totals of
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

// collect walks candidate rows (ids descending), counts those that match and
// keeps the page's window.
func collect(q *filter.Query, n int, candidate func(k int) int32, match func(i int32) bool) page {
	var p page
	off := q.Offset()
	for k := range n {
		i := candidate(k)
		if !match(i) {
			continue
		}
		if p.total >= off && len(p.rows) < q.PerPage {
			p.rows = append(p.rows, i)
		}
		p.total++
	}
	return p
}

// candidates are the rows an id-list filter names, ids descending, or nil
// with all=true when every row is a candidate.
func candidates(ids []int64, find func(int64) (int32, bool)) (rows []int32) {
	rows = make([]int32, 0, len(ids))
	for _, id := range ids {
		if i, ok := find(id); ok {
			rows = append(rows, i)
		}
	}
	slices.SortFunc(rows, func(a, b int32) int { return cmp.Compare(b, a) })
	return rows
}

// findClients runs GET /panel/client's filters.
func (v *view) findClients(q *filter.Query) page {
	cc := &v.clients
	name, hasName := q.Texts["client_name"]
	name = strings.ToLower(name)
	phone, hasPhone := q.Texts["phone"]
	email, hasEmail := q.Texts["email"]
	email = strings.ToLower(email)
	wholesale, hasWholesale := q.Bools["is_wholesaler"]
	grp, hasGroup := q.Ints["client_group"]
	mgr, hasMgr := q.Ints["manager_id"]
	from, to := q.From.UnixMicro(), q.To.UnixMicro()
	hasFrom, hasTo := !q.From.IsZero(), !q.To.IsZero()
	match := func(i int32) bool {
		return (!hasGroup || cc.group[i] == grp) &&
			(!hasMgr || cc.manager[i] == mgr) &&
			(!hasWholesale || cc.wholesale[i] == wholesale) &&
			(!hasFrom || cc.created[i] >= from) &&
			(!hasTo || cc.created[i] < to) &&
			(!hasPhone || cc.phone[i] == phone) &&
			(!hasEmail || strings.Contains(cc.email[i], email)) &&
			(!hasName || strings.Contains(cc.search[i], name))
	}
	if q.IDs != nil {
		rows := candidates(q.IDs, v.clientIndex)
		return collect(q, len(rows), func(k int) int32 { return rows[k] }, match)
	}
	n := len(cc.id)
	return collect(q, n, func(k int) int32 { return int32(n - 1 - k) }, match)
}

// findOrders runs GET /panel/order's filters. Archived positions are left
// out unless unignore_archived is 1.
func (v *view) findOrders(q *filter.Query) page {
	oc, cc := &v.orders, &v.clients
	var nameM, brandM, articleM, invoiceM *memo
	if s, ok := q.Texts["name"]; ok {
		s = strings.ToLower(s)
		nameM = newMemo(&oc.names, func(n string) bool { return strings.Contains(n, s) })
	}
	if s, ok := q.Texts["brand"]; ok {
		s = strings.ToLower(strings.TrimSpace(s))
		brandM = newMemo(&oc.brands, func(b string) bool { return b == s })
	}
	if s, ok := q.Texts["article"]; ok {
		s = NormalizeArticle(s)
		articleM = newMemo(&oc.articles, func(a string) bool { return a == s })
	}
	if s, ok := q.Texts["invoice"]; ok {
		s = strings.ToLower(strings.TrimSpace(s))
		invoiceM = newMemo(&oc.invoices, func(a string) bool { return a == s })
	}
	// Client-side filters are decided once per client.
	var clientOK []int8
	cname, hasCName := q.Texts["client_name"]
	cname = strings.ToLower(cname)
	grp, hasGroup := q.Ints["client_group"]
	mgr, hasMgr := q.Ints["manager_id"]
	pt, hasPoint := q.Ints["point_id"]
	if hasCName || hasGroup || hasMgr || hasPoint {
		clientOK = make([]int8, len(cc.id))
	}
	clientMatch := func(c int32) bool {
		switch clientOK[c] {
		case 1:
			return true
		case -1:
			return false
		}
		ok := (!hasGroup || cc.group[c] == grp) && (!hasMgr || cc.manager[c] == mgr) &&
			(!hasPoint || cc.point[c] == pt) && (!hasCName || strings.Contains(cc.search[c], cname))
		clientOK[c] = -1
		if ok {
			clientOK[c] = 1
		}
		return ok
	}
	st, hasStatus := q.Ints["order_status"]
	ship, hasShip := q.Ints["shipping_id"]
	dist, hasDist := q.Ints["distributor_id"]
	payed, hasPayed := q.Bools["is_payed"]
	showArchived := q.Bools["unignore_archived"]
	from, to := q.From.UnixMicro(), q.To.UnixMicro()
	hasFrom, hasTo := !q.From.IsZero(), !q.To.IsZero()
	match := func(i int32) bool {
		f := oc.flags[i]
		return (showArchived || f&fArchived == 0) &&
			(!hasStatus || oc.status[i] == st) &&
			(!hasPayed || (f&fPayed != 0) == payed) &&
			(!hasShip || oc.shipping[i] == ship) &&
			(!hasDist || oc.distributor[i] == dist) &&
			(!hasFrom || oc.created[i] >= from) &&
			(!hasTo || oc.created[i] < to) &&
			(brandM == nil || brandM.ok(oc.brand[i])) &&
			(articleM == nil || articleM.ok(oc.article[i])) &&
			(invoiceM == nil || invoiceM.ok(oc.invoice[i])) &&
			(nameM == nil || nameM.ok(oc.name[i])) &&
			(clientOK == nil || clientMatch(oc.client[i]))
	}
	if q.IDs != nil {
		rows := candidates(q.IDs, v.orderIndex)
		return collect(q, len(rows), func(k int) int32 { return rows[k] }, match)
	}
	n := len(oc.id)
	return collect(q, n, func(k int) int32 { return int32(n - 1 - k) }, match)
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

// emailTaken and phoneTaken look for another client with the same email or
// phone, for the panel's uniqueness rule on create and edit.
func (v *view) emailTaken(email string, except int64) bool {
	email = strings.ToLower(strings.TrimSpace(email))
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

func (v *view) phoneTaken(digits string, except int64) bool {
	for i, p := range v.clients.phone {
		if p == digits && v.clients.id[i] != except {
			return true
		}
	}
	return false
}
