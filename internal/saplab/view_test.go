package saplab

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/money"
	"github.com/mockserver/mockserver/internal/saplab/filter"
)

// scanOrdersRef is GET /panel/order's filters as a plain scan of every
// row, the definition the indexed findOrders must agree with.
func (v *view) scanOrdersRef(q *filter.Query) page {
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
	text := func(key string, d *dict, col []uint32, norm func(string) string, match func(have, want string) bool) {
		if s, ok := q.Texts[key]; ok {
			s = norm(s)
			ps = append(ps, func(i int32) bool { return match(d.strs[col[i]], s) })
		}
	}
	lowerTrim := func(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
	equal := func(have, want string) bool { return have == want }
	text("brand", &oc.brands, oc.brand, lowerTrim, equal)
	text("article", &oc.articles, oc.article, NormalizeArticle, equal)
	text("invoice", &oc.invoices, oc.invoice, lowerTrim, equal)
	text("name", &oc.names, oc.name, strings.ToLower, strings.Contains)
	for _, cp := range clientPredsRef(v, q, true) {
		ps = append(ps, func(i int32) bool { return cp(oc.client[i]) })
	}
	var rows []int32
	if q.IDs != nil {
		rows = candidates(q.IDs, v.orderIndex)
	}
	_ = cc
	return scan(q, len(oc.id), rows, ps)
}

// clientPredsRef are the client filters as plain checks of the columns,
// client_name a strings.Contains per client (no index, nothing kept).
func clientPredsRef(v *view, q *filter.Query, withPoint bool) []pred {
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
		s = strings.ToLower(s)
		ps = append(ps, func(i int32) bool { return strings.Contains(cc.search[i], s) })
	}
	return ps
}

// randomShop fills a view with n clients and m positions drawn from r,
// from a few values each so that filters match many rows; in bulk, as a
// start builds it (loadView: rows appended, then every index at once).
func randomShop(r *rand.Rand, n, m int, bulk bool) *view {
	v := newView()
	v.bulk, v.orders.byTime.bulk, v.clients.byTime.bulk = bulk, bulk, bulk
	for id := int64(1); id <= int64(n); id++ {
		v.setClient(randomClient(r, id))
	}
	for id := int64(1); id <= int64(m); id++ {
		v.setOrder(randomOrder(r, id, 1+r.Int64N(int64(n))))
	}
	if bulk {
		v.buildIndexes()
		v.orders.byTime.settle(v.orders.created)
		v.clients.byTime.settle(v.clients.created)
	}
	return v
}

var (
	testNames  = []string{"Иванов Иван", "Петров Пётр", "Иванова Анна", "Сидоров"}
	testBrands = []string{"BOSCH", "bosch ", "NGK", "MONROE"}
	testParts  = []string{"Амортизатор задний", "Фильтр масляный", "Свеча", "амортизатор передний"}
	testStart  = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
)

func randomClient(r *rand.Rand, id int64) *client {
	return &client{ID: id, Name: testNames[r.IntN(len(testNames))], Phone: fmt.Sprint(9000000000 + id%50),
		Email: fmt.Sprintf("c%d@mail.ru", id), GroupID: 1 + r.Int64N(3), ManagerID: r.Int64N(3),
		PointID: 1 + r.Int64N(2), IsWholesaler: r.IntN(3) == 0,
		Created: testStart.Add(time.Duration(id)*time.Hour + time.Duration(r.IntN(3000))*time.Minute)}
}

func randomOrder(r *rand.Rand, id, clientID int64) *order {
	created := testStart.Add(time.Duration(id)*30*time.Minute + time.Duration(r.IntN(600))*time.Minute)
	if id > 1024 {
		created = created.AddDate(0, 1, 0) // a month without orders
	}
	return &order{ID: id, ClientID: clientID, Invoice: fmt.Sprintf("NZ-%d", id/3), Brand: testBrands[r.IntN(len(testBrands))],
		Article: []string{"OC47", "oc-47", "W 712"}[r.IntN(3)], Name: testParts[r.IntN(len(testParts))],
		DistributorID: 1 + r.Int64N(3), Price: money.Amount(100 + r.IntN(1000)), Quantity: 1,
		StatusID: 1 + r.Int64N(4), ShippingID: r.Int64N(3), IsPayed: r.IntN(3) == 0, IsArchived: r.IntN(4) == 0,
		Created: created}
}

// testQueries are position filters alone and together, first and later
// pages, with and without the archived positions.
var testQueries = []string{
	"", "/page/3", "/per_page/7/page/5", "/unignore_archived/1", "/unignore_archived/1/page/4",
	"/order_status/2", "/order_status/2/page/3", "/order_status/9", "/order_status/2/unignore_archived/1/page/2",
	"/is_payed/1", "/is_payed/0/page/2", "/shipping_id/0", "/distributor_id/3", "/brand/Bosch", "/brand/nope",
	"/article/OC-47", "/invoice/nz-10", "/name/АМОРТ", "/name/АМОРТ/page/2/unignore_archived/1", "/name/x",
	"/client_name/иванов", "/client_name/иванов/unignore_archived/1", "/client_name/иванов/order_status/1",
	"/client_group/2", "/manager_id/0", "/point_id/2/page/2", "/date_from/2025-01-03/date_to/2025-01-05",
	"/date_from/2025-01-04", "/date_to/2025-01-25", "/date_from/2025-01-21/date_to/2025-01-25/unignore_archived/1", "/date_to/2025-01-02/unignore_archived/1", "/order_ids/1,5,9,200,17",
	"/order_ids/1,5,9,200,17/order_status/1", "/order_status/1/is_payed/0/brand/bosch/client_group/1",
	"/name/фильтр/date_from/2025-01-02/per_page/3/page/2", "/manager_id/1/point_id/1/unignore_archived/1",
	// client_name: through the trigrams (three letters or more), scanned
	// (fewer), a text whose trigrams all occur but not together, and
	// clients few enough that their lists are merged, alone and with
	// another filter, on later pages.
	"/client_name/ИВ", "/client_name/ов иван/page/2", "/client_name/нова", "/client_name/ивановиван", "/client_name/ов иванов",
	"/client_name/сидоров", "/client_name/сидоров/page/9/per_page/7", "/client_name/сидоров/order_status/1",
	"/client_name/ПЁТР/unignore_archived/1/page/3", "/is_payed/1/brand/bosch/page/2", "/is_payed/0/order_status/3/unignore_archived/1",
	"/shipping_id/1/distributor_id/2/per_page/7/page/4", "/client_group/1/manager_id/2/is_payed/0", "/is_payed/1/brand/ngk/page/99",
	"/order_status/2/page/30", "/is_payed/0/page/60/unignore_archived/1", "/is_payed/0/page/61/per_page/33", "/client_group/1/page/200", "/client_name/ивановa", "/client_name/сидоров/date_from/2025-01-20",
}

// checkOrderQueries compares findOrders with the plain scan on every
// test query.
func checkOrderQueries(t *testing.T, v *view, when string) {
	t.Helper()
	for _, path := range testQueries {
		q, err := filter.Parse(path, filter.Orders)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		got, want := v.findOrders(q), v.scanOrdersRef(q)
		if got.total != want.total || !slices.Equal(got.rows, want.rows) {
			t.Fatalf("%s, %s:\n got %d %v\nwant %d %v", when, path, got.total, got.rows, want.total, want.rows)
		}
	}
}

// The indexed position list answers exactly as a scan of every row, on a
// fresh view (built row by row, and in bulk as a start builds it) and
// after positions and clients change (statuses, payment, archive, texts, a
// client's group, manager and office) and new ones come.
func TestFindOrders_agreesWithAScan(t *testing.T) {
	t.Parallel()
	for _, bulk := range []bool{false, true} {
		t.Run(fmt.Sprint("bulk=", bulk), func(t *testing.T) { findOrdersAgrees(t, rand.New(rand.NewPCG(1, 2)), bulk) })
	}
}

// With bitmaps kept for postings of 16 rows and more, the lists of two
// large filters are answered from their bitmaps (bitmapPage), as a scan,
// on a view built row by row and on one built in bulk.
// Not parallel: bitsMin is shared, and parallel tests start after this.
func TestFindOrders_bitmapsAgreeWithAScan(t *testing.T) {
	defer func(n int) { bitsMin = n }(bitsMin)
	bitsMin = 16
	for _, bulk := range []bool{false, true} {
		findOrdersAgrees(t, rand.New(rand.NewPCG(5, 6)), bulk)
	}
}

// findOrdersAgrees compares findOrders with a scan on a random shop,
// fresh and after rounds of random changes.
func findOrdersAgrees(t *testing.T, r *rand.Rand, bulk bool) {
	v := randomShop(r, 40, 3*1024+100, bulk)
	checkOrderQueries(t, v, "fresh")
	for round := range 4 {
		for range 200 {
			id := 1 + r.Int64N(int64(len(v.orders.id)))
			o := randomOrder(r, id, v.clients.id[v.orders.client[id-1]])
			v.setOrder(o)
		}
		// Positions changed, no client: what is kept of the clients'
		// matches must not keep their positions' counts.
		checkOrderQueries(t, v, fmt.Sprintf("positions changed, round %d", round))
		for range 10 {
			v.setClient(randomClient(r, 1+r.Int64N(int64(len(v.clients.id)))))
		}
		v.setClient(randomClient(r, int64(len(v.clients.id))+1))
		next := int64(len(v.orders.id)) + 1
		for id := next; id < next+50; id++ {
			v.setOrder(randomOrder(r, id, 1+r.Int64N(int64(len(v.clients.id)))))
		}
		checkOrderQueries(t, v, fmt.Sprintf("after round %d", round))
	}
}

// scanClientsRef is GET /panel/client's filters as a plain scan.
func (v *view) scanClientsRef(q *filter.Query) page {
	cc := &v.clients
	var ps []pred
	if w, ok := q.Bools["is_wholesaler"]; ok {
		ps = append(ps, func(i int32) bool { return cc.wholesale[i] == w })
	}
	if ph, ok := q.Texts["phone"]; ok {
		ps = append(ps, func(i int32) bool { return cc.phone[i] == ph })
	}
	ps = append(ps, createdPreds(q, cc.created)...)
	ps = append(ps, clientPredsRef(v, q, false)...)
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

var testClientQueries = []string{
	"", "/page/2", "/per_page/7/page/7", "/page/9", "/client_id/3,1,77,5", "/client_id/3,1,5/client_group/2",
	"/client_name/иванов", "/client_name/иванов/page/2/per_page/3", "/phone/9000000007", "/phone/+7(900)000-00-12",
	"/phone/1", "/email/MAIL.ru", "/email/c1", "/is_wholesaler/1", "/is_wholesaler/0/page/2/per_page/5",
	"/client_group/2", "/client_group/3/manager_id/0", "/manager_id/2/per_page/4/page/2",
	"/date_from/2025-01-02", "/date_to/2025-01-02", "/date_from/2025-01-02/date_to/2025-01-02/is_wholesaler/0",
	"/date_from/2025-01-02/client_name/петров",
	"/client_name/ИВ", "/client_name/ов иван", "/client_name/ивановиван", "/client_name/ов иванов", "/client_name/сидоров/page/2/per_page/4",
	"/email/1@", "/email/C1/per_page/5/page/2", "/email/@MAIL", "/email/9@mail", "/email/x@mail",
	"/email/mail.ru/client_group/2", "/client_name/петр/email/2", "/client_group/1/is_wholesaler/0/page/2",
}

// The indexed client list answers exactly as a scan, fresh and after
// clients change.
func TestFindClients_agreesWithAScan(t *testing.T) {
	t.Parallel()
	for _, bulk := range []bool{false, true} {
		t.Run(fmt.Sprint("bulk=", bulk), func(t *testing.T) { clientsAgreeWithAScan(t, bulk) })
	}
}

func clientsAgreeWithAScan(t *testing.T, bulk bool) {
	r := rand.New(rand.NewPCG(3, 4))
	v := randomShop(r, 90, 10, bulk)
	check := func(when string) {
		t.Helper()
		for _, path := range testClientQueries {
			q, err := filter.Parse(path, filter.Clients)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			got, want := v.findClients(q), v.scanClientsRef(q)
			if got.total != want.total || !slices.Equal(got.rows, want.rows) {
				t.Fatalf("%s, %s: got %d %v, want %d %v", when, path, got.total, got.rows, want.total, want.rows)
			}
		}
	}
	check("fresh")
	for round := range 3 {
		for range 40 {
			v.setClient(randomClient(r, 1+r.Int64N(90)))
		}
		for range 5 {
			v.setClient(randomClient(r, int64(len(v.clients.id))+1))
		}
		check(fmt.Sprintf("round %d", round))
	}
}

// A bulk build of the indexes two at a time (a large view's) is the build
// one at a time, index for index.
// Not parallel: parallelIndexRows is shared, and parallel tests start after this.
func TestBuildIndexes_twoAtATimeIsTheSame(t *testing.T) {
	old := parallelIndexRows
	t.Cleanup(func() { parallelIndexRows = old })
	parallelIndexRows = 1 << 30
	one := randomShop(rand.New(rand.NewPCG(3, 4)), 60, 600, true)
	parallelIndexRows = 0
	two := randomShop(rand.New(rand.NewPCG(3, 4)), 60, 600, true)
	if !reflect.DeepEqual(one.orders.ix, two.orders.ix) || !reflect.DeepEqual(one.clients.ix, two.clients.ix) ||
		!reflect.DeepEqual(one.clients.orders, two.clients.orders) {
		t.Fatal("the indexes built two at a time differ from those built one at a time")
	}
	if n := len(two.orders.ix[ixStatus].keys()); n < 2 {
		t.Fatalf("the status index has %d values; the test needs several", n)
	}
}
