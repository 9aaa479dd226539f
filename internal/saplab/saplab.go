// Package saplab simulates the Saplab shop back office (PHP + PostgreSQL):
// employees, shipping types, statuses, client groups, clients, balances and
// order positions, under /panel (SPEC §6, api-docs/saplab.txt).
//
// Layout: routes.go is the route table and the permission of each route;
// one file per resource holds its handlers (managers.go, settings.go,
// clients.go, balance.go, orders.go); wire.go is what goes on the wire;
// model.go the rules as pure functions; store.go the stored records and
// tx-scoped writes; view.go the in-memory columns the list filters scan;
// seed.go and generate.go fill the state from a scenario. The form decoder
// and the path filter parser are packages of their own (phpform, filter).
package saplab

import (
	"crypto/sha256"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/phpjson"
	"github.com/mockserver/mockserver/internal/saplab/filter"
	"github.com/mockserver/mockserver/internal/saplab/phpform"
	"github.com/mockserver/mockserver/internal/scenario"
	"github.com/mockserver/mockserver/internal/state"
	"golang.org/x/crypto/bcrypt"
)

// API is the saplab simulation.
type API struct {
	deps api.Deps

	// mu orders every request against the view: readers hold it shared for
	// their whole read (view and file), writers hold it exclusively from
	// their transaction to the view update, so a reader never sees the file
	// and the view disagree.
	mu sync.RWMutex
	v  *view

	// authOK remembers SHA-256(login digits, password) of logins bcrypt has
	// already accepted, so that only the first request of an employee pays
	// for bcrypt. Load clears it (the passwords may have changed).
	authMu sync.Mutex
	authOK map[[32]byte]int64

	// rows caches rows decoded from the file for read requests: decoding a
	// position's JSON is most of what a list page costs. Every committed
	// write and every Load drops the whole cache, under mu held exclusively,
	// so a cached row is always the stored one. Cached rows are shared
	// between readers and must never be changed.
	rowsMu sync.Mutex
	rows   map[rowKey]any
}

// rowKey names a cached row: a decoded row by id, or (wire) the encoded
// list row at index id.
type rowKey struct {
	bucket string
	id     int64
	wire   bool
}

// maxCachedRows bounds the row cache (about a megabyte per thousand
// positions); past it the cache starts over rather than tracking use.
const maxCachedRows = 20_000

// remembered returns what the row cache holds under k, making it with build
// on a miss. Two readers missing at once both make it; either result is the
// same value. The caller holds mu shared (inside a.read).
func remembered[T any](a *API, k rowKey, build func() (T, error)) (T, error) {
	a.rowsMu.Lock()
	v, ok := a.rows[k]
	a.rowsMu.Unlock()
	if ok {
		return v.(T), nil
	}
	made, err := build()
	if err != nil {
		return made, err
	}
	a.rowsMu.Lock()
	if len(a.rows) >= maxCachedRows {
		a.rows = map[rowKey]any{}
	}
	a.rows[k] = made
	a.rowsMu.Unlock()
	return made, nil
}

// cached is get for read requests, through the row cache. The caller holds
// mu shared (inside a.read) and must not change the row it gets.
func cached[T any](a *API, tx *state.Tx, bucket string, id int64) (*T, error) {
	return remembered(a, rowKey{bucket: bucket, id: id}, func() (*T, error) { return get[T](tx, bucket, id) })
}

// wireKey names the cached wire form of list row i of bucket: a list row is a
// function of the row, its client and the reference tables, all of which
// change only through write and Load, which drop the cache.
func wireKey(bucket string, i int64) rowKey { return rowKey{bucket: bucket, id: i, wire: true} }

// cachedWire is a list row as PHP's json_encode writes it, rendered once
// per row between writes: encoding a position is most of what a list page
// costs once its row is decoded. The caller holds mu shared (in a.read).
func cachedWire(a *API, k rowKey, render func() (any, error)) ([]byte, error) {
	return remembered(a, k, func() ([]byte, error) {
		row, err := render()
		if err != nil {
			return nil, err
		}
		return phpjson.Marshal(row)
	})
}

// listPage answers a list endpoint: the rows find selects for q, each in
// its cached wire form (render makes it from row index i on a miss), as
// {"<key>":[...],"filters":...,"pages":N}. The cache is keyed by the row
// index, which only a write or a Load can change, and both drop the cache.
func (a *API) listPage(c echo.Context, key, bucket string, q *filter.Query, find func(*view, *filter.Query) page,
	render func(tx *state.Tx, v *view, i int32) (any, error)) error {
	var rows [][]byte
	var pages int64
	err := a.read(func(tx *state.Tx, v *view) error {
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
	if err != nil {
		return err
	}
	return respondList(c, key, rows, q.Echo, pages)
}

// respondList writes {"<key>":[rows...],"filters":{...},"pages":N} from
// rows already encoded: the bytes phpjson.Marshal gives for wireOrderList
// and wireClientList, without encoding the rows again.
func respondList(c echo.Context, key string, rows [][]byte, filters phpjson.Object, pages int64) error {
	f, err := phpjson.Marshal(filters)
	if err != nil {
		return err
	}
	n := len(key) + len(f) + 48
	for _, r := range rows {
		n += len(r) + 1
	}
	bp := listBufs.Get().(*[]byte)
	b := slices.Grow((*bp)[:0], n)
	b = append(append(append(b, `{"`...), key...), `":[`...)
	for i, r := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, r...)
	}
	b = append(append(append(b, `],"filters":`...), f...), `,"pages":`...)
	b = strconv.AppendInt(b, pages, 10)
	b = append(b, '}')
	err = c.JSONBlob(http.StatusOK, b)
	// Every writer under c copies what it is given (net/http's buffer, the
	// fault recorder), so the page's buffer serves the next page.
	*bp = b
	listBufs.Put(bp)
	return err
}

// listBufs recycles list pages' buffers (about 40 KB each on the default
// scenario): allocating and clearing a fresh one was most of a cached page.
var listBufs = sync.Pool{New: func() any { return new([]byte) }}

// dropCachedRows empties the row cache; the caller holds mu exclusively.
func (a *API) dropCachedRows() {
	a.rowsMu.Lock()
	a.rows = map[rowKey]any{}
	a.rowsMu.Unlock()
}

// New returns the saplab simulation.
func New(deps api.Deps) *API {
	return &API{deps: deps, v: newView(), authOK: map[[32]byte]int64{}, rows: map[rowKey]any{}}
}

// Name implements api.API.
func (a *API) Name() string { return "saplab" }

// Prefix implements api.API.
func (a *API) Prefix() string { return "/panel" }

// read runs fn with the view and a read transaction.
func (a *API) read(fn func(t *state.Tx, v *view) error) error {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.deps.Store.View(func(tx *state.Tx) error { return fn(tx, a.v) })
}

// write runs fn in one read-write transaction (one per request, SPEC §2) and,
// once it has committed, applies its view changes.
func (a *API) write(fn func(t *txn, v *view) error) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	var t *txn
	err := a.deps.Store.Update(func(tx *state.Tx) error {
		t = &txn{Tx: tx}
		return fn(t, a.v)
	})
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

// Load implements api.API: it rebuilds the view from the file and forgets
// cached logins.
func (a *API) Load(tx *state.Tx, sc *scenario.Scenario) error {
	v, err := loadView(tx)
	if err != nil {
		return err
	}
	a.mu.Lock()
	a.v = v
	a.dropCachedRows()
	a.mu.Unlock()
	a.authMu.Lock()
	a.authOK = map[[32]byte]int64{}
	a.authMu.Unlock()
	return nil
}

// authenticate checks HTTP Basic credentials (login = the employee's phone,
// compared by digits) and returns a copy of the employee.
func (a *API) authenticate(c echo.Context) (*employee, error) {
	login, password, ok := c.Request().BasicAuth()
	if !ok {
		return nil, errUnauthorized
	}
	digits := scenario.Digits(login)
	a.mu.RLock()
	var emp *employee
	for _, e := range a.v.employees {
		if e.Phone == digits && digits != "" {
			cp := *e
			emp = &cp
			break
		}
	}
	a.mu.RUnlock()
	if emp == nil || !emp.Status {
		return nil, errUnauthorized
	}
	key := sha256.Sum256([]byte(digits + "\x00" + password))
	a.authMu.Lock()
	id, cached := a.authOK[key]
	a.authMu.Unlock()
	if cached && id == emp.ID {
		return emp, nil
	}
	if bcrypt.CompareHashAndPassword([]byte(emp.PasswordHash), []byte(password)) != nil {
		return nil, errUnauthorized
	}
	a.authMu.Lock()
	a.authOK[key] = emp.ID
	a.authMu.Unlock()
	return emp, nil
}

// handler is a panel handler that knows who is calling.
type handler func(c echo.Context, who *employee) error

// guard authenticates the caller and checks that their manager group holds
// perm (SPEC §6: 401 for bad credentials, 403 for a missing permission).
func (a *API) guard(perm string, h handler) echo.HandlerFunc {
	return func(c echo.Context) error {
		emp, err := a.authenticate(c)
		if err != nil {
			return err
		}
		a.mu.RLock()
		g := a.v.mgroups[emp.GroupID]
		allowed := g != nil && contains(g.Permissions, perm)
		a.mu.RUnlock()
		if !allowed {
			return textErr(http.StatusForbidden, msgForbidden)
		}
		return h(c, emp)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// respond writes v as the panel's PHP json_encode would.
func respond(c echo.Context, v any) error {
	body, err := phpjson.Marshal(v)
	if err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, body)
}

// success is {"status":"success","text":text}.
func success(c echo.Context, text string) error {
	return respond(c, phpjson.Object{{Key: "status", Value: "success"}, {Key: "text", Value: text}})
}

// form decodes the request's fields as PHP's $_POST.
func form(c echo.Context) (*phpform.Value, error) {
	body, err := api.Body(c)
	if err != nil {
		return nil, badRequest("Не удалось прочитать тело запроса.")
	}
	v, err := phpform.ParseBody(c.Request().Header.Get(echo.HeaderContentType), body)
	if err != nil {
		return nil, formError(err)
	}
	return v, nil
}

// idAndForm reads what most panel writes take: the row id in the path and
// the form fields.
func idAndForm(c echo.Context) (int64, *phpform.Value, error) {
	id, err := parseID(c.Param("id"))
	if err != nil {
		return 0, nil, err
	}
	f, err := form(c)
	return id, f, err
}

// query decodes the query string as PHP's $_GET.
func query(c echo.Context) (*phpform.Value, error) {
	v, err := phpform.ParseQuery(c.Request().URL.RawQuery)
	if err != nil {
		return nil, formError(err)
	}
	return v, nil
}

func formError(err error) error {
	switch {
	case errors.Is(err, phpform.ErrInvalidUTF8):
		return badRequest("Данные формы не в кодировке UTF-8.")
	case errors.Is(err, phpform.ErrTooManyVars):
		return badRequest("В форме больше %d полей.", phpform.MaxVars)
	case errors.Is(err, phpform.ErrTooDeep):
		return badRequest("Поле формы вложено глубже %d уровней.", phpform.MaxNesting)
	case errors.Is(err, phpform.ErrUnsupported):
		return badRequest("Данные передаются формой (application/x-www-form-urlencoded или multipart/form-data), а не JSON.")
	}
	return badRequest("Не удалось прочитать данные формы.")
}

// maxID bounds ids read from paths and forms, so they fit PostgreSQL's
// bigint and every JSON client.
const maxID = 1<<53 - 1

// parseID reads a path id: a positive integer, else 400.
func parseID(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 || n > maxID || strings.TrimLeft(s, "0123456789") != "" {
		return 0, badRequest("Неверный идентификатор %q: нужно целое положительное число.", s)
	}
	return n, nil
}

// parseIDs reads "19" or "19,20,21" (SPEC §6: deny, pay, archive, unarchive
// and documents take one id or a comma list). Repeats count once.
func parseIDs(s string) ([]int64, error) {
	var ids []int64
	seen := map[int64]bool{}
	for part := range strings.SplitSeq(s, ",") {
		n, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
		if err != nil || n < 1 || n > maxID {
			return nil, badRequest("Неверный список идентификаторов %q: нужны целые положительные числа через запятую, например 19,20,21.", s)
		}
		if !seen[n] {
			seen[n] = true
			ids = append(ids, n)
		}
	}
	if len(ids) > 1000 {
		return nil, badRequest("Не больше 1000 позиций за один запрос.")
	}
	return ids, nil
}
