package carreta

import (
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/state"
)

// jsonType is the Content-Type of every body, shared so writing it allocates
// nothing.
var jsonType = []string{echo.MIMEApplicationJSON}

func writeJSON(c echo.Context, status int, body []byte) {
	w := c.Response()
	w.Header()[echo.HeaderContentType] = jsonType
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// queryValue returns the last value of name in a raw query string, as
// Django's request.GET.get does, without building a map: the search path
// reads two parameters and should not allocate for the rest. Malformed
// escapes are kept as they are, as Django keeps them.
func queryValue(raw, name string) string {
	val, found := "", false
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		k, v, _ := strings.Cut(pair, "=")
		if k != name {
			if !strings.ContainsAny(k, "%+") {
				continue
			}
			if uk, err := url.QueryUnescape(k); err != nil || uk != name {
				continue
			}
		}
		val, found = v, true
	}
	if !found || !strings.ContainsAny(val, "%+") {
		return val
	}
	if u, err := url.QueryUnescape(val); err == nil {
		return u
	}
	return val
}

// clientIP is the TCP peer, or with --trust-proxy the first address of
// X-Forwarded-For (the client as the first proxy saw it). ok is false when
// the address cannot be read, which no allowlist matches.
func clientIP(r *http.Request, trustProxy bool) (netip.Addr, bool) {
	if trustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			first, _, _ := strings.Cut(xff, ",")
			first = strings.TrimSpace(first)
			ip, err := netip.ParseAddr(first)
			if err != nil { // some proxies append the port: "10.0.0.1:5123"
				ap, perr := netip.ParseAddrPort(first)
				ip, err = ap.Addr(), perr
			}
			return ip.Unmap().WithZone(""), err == nil
		}
	}
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}, false
	}
	return ap.Addr().Unmap().WithZone(""), true
}

// authenticate finds the account of ?api_key= and checks its IP allowlist.
// Every failure is the same 401, as the document shows: a client learns
// nothing about which part was wrong.
func (a *API) authenticate(c echo.Context, v *view) (*account, error) {
	r := c.Request()
	key := queryValue(r.URL.RawQuery, "api_key")
	if key == "" {
		return nil, errUnauthorized
	}
	acc, ok := v.accounts[keyHash(key)]
	if !ok || !acc.allows(clientIP(r, a.deps.TrustProxy)) {
		return nil, errUnauthorized
	}
	return acc, nil
}

// profile is GET profile/.
func (a *API) profile(c echo.Context) error {
	acc, err := a.authenticate(c, a.view)
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, acc.profile)
	return nil
}

// search is GET search/?q=: the hot path. The answer for a catalog code was
// encoded at Load and a generated one is cached, so a search is a hash, two
// map lookups and a write.
func (a *API) search(c echo.Context) error {
	v := a.view
	if _, err := a.authenticate(c, v); err != nil {
		return err
	}
	var buf [64]byte
	norm := NormalizeCode(buf[:0], queryValue(c.Request().URL.RawQuery, "q"))
	writeJSON(c, http.StatusOK, v.searchBody(norm))
	return nil
}

// parseID reads an id path segment as Django's \d+ matches it: digits only.
// An id too large for uint64 is read as 0, which no order has.
// pathID reads the route's id as Django's <int:id> does: matched against the
// decoded path, so /v1/order/%31/ is order 1. Echo hands params over raw.
func pathID(c echo.Context) (uint64, bool) {
	raw := c.Param("id")
	s, err := url.PathUnescape(raw)
	if err != nil {
		return 0, false
	}
	return parseID(s)
}

func parseID(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > (1<<64-1-9)/10 {
			n = 0
			for j := i + 1; j < len(s); j++ {
				if s[j] < '0' || s[j] > '9' {
					return 0, false
				}
			}
			return 0, true
		}
		n = n*10 + uint64(c-'0')
	}
	return n, true
}

// ownOrder reads the order of the path's id if it belongs to acc; another
// account's order is as absent as one that does not exist.
func ownOrder(tx *state.Tx, c echo.Context, acc *account) (*orderRecord, error) {
	id, ok := pathID(c)
	if !ok {
		return nil, echo.ErrNotFound
	}
	o, err := getOrder(tx, id)
	if errors.Is(err, state.ErrNotFound) || (err == nil && o.AccountID != acc.id) {
		return nil, errOrderNotFound
	}
	return o, err
}

// order is GET order/<id>/.
func (a *API) order(c echo.Context) error {
	acc, err := a.authenticate(c, a.view)
	if err != nil {
		return err
	}
	var o *orderRecord
	if err := a.deps.Store.View(func(tx *state.Tx) (err error) {
		o, err = ownOrder(tx, c, acc)
		return err
	}); err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, mustMarshal(toOrderWire(o)))
	return nil
}

// history is GET order/<id>/history/.
func (a *API) history(c echo.Context) error {
	acc, err := a.authenticate(c, a.view)
	if err != nil {
		return err
	}
	var h []historyEntry
	if err := a.deps.Store.View(func(tx *state.Tx) error {
		o, err := ownOrder(tx, c, acc)
		if err != nil {
			return err
		}
		h, err = getHistory(tx, o.ID)
		if errors.Is(err, state.ErrNotFound) {
			h, err = nil, nil
		}
		return err
	}); err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, mustMarshal(toHistoryWire(h)))
	return nil
}

// listOrders is GET order/?page=&client_comment=: newest first, PageSize a
// page, filtered by a case-insensitive substring of client_comment.
func (a *API) listOrders(c echo.Context) error {
	v := a.view
	acc, err := a.authenticate(c, v)
	if err != nil {
		return err
	}
	raw := c.Request().URL.RawQuery
	page, ok := ParsePage(queryValue(raw, "page"))
	if !ok {
		return badRequest(msgBadPage)
	}
	ids := v.page(acc.id, strings.ToLower(queryValue(raw, "client_comment")), page)
	out := objectsWire[orderWire]{Objects: make([]orderWire, 0, len(ids))}
	if err := a.deps.Store.View(func(tx *state.Tx) error {
		for _, id := range ids {
			o, err := getOrder(tx, id)
			if err != nil {
				return err
			}
			out.Objects = append(out.Objects, toOrderWire(o))
		}
		return nil
	}); err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, mustMarshal(out))
	return nil
}

// errPreview rolls back the transaction of a test order.
var errPreview = errors.New("carreta: test order, rolled back")

// createOrder is POST order/[?test=on]. The order is checked in full before
// any write: the body, the offer's signature, the order_qty rules, the
// comment. A real order is committed with the group commit (Store.Batch), so
// concurrent orders share one fsync; the index is updated only once the
// commit succeeded. A test order runs the very same insert and rolls it
// back: the answer shows the id and number a real order would have had, and
// nothing is stored.
func (a *API) createOrder(c echo.Context) error {
	v := a.view
	acc, err := a.authenticate(c, v)
	if err != nil {
		return err
	}
	body, err := api.Body(c)
	if err != nil {
		return badRequest(msgBodyNotJSON)
	}
	req, e := DecodeOrder(body)
	if e != nil {
		return e
	}
	if e := CheckOrder(v.signer, &req); e != nil {
		return e
	}
	prepared, err := prepareOrder(&newOrder{
		AccountID: acc.id, Offer: req.Offer, OrderQty: req.OrderQty,
		ClientComment: req.ClientComment, Status: StatusHold, Created: a.deps.Clock.Now(),
	})
	if err != nil {
		return err
	}
	var o *orderRecord
	insert := func(tx *state.Tx) (err error) {
		o, err = prepared.insert(tx)
		return err
	}
	if queryValue(c.Request().URL.RawQuery, "test") == "on" {
		err := a.deps.Store.Update(func(tx *state.Tx) error {
			if err := insert(tx); err != nil {
				return err
			}
			return errPreview
		})
		if !errors.Is(err, errPreview) {
			return err
		}
	} else {
		if err := a.deps.Store.Batch(insert); err != nil {
			return err
		}
		v.addOrder(acc.id, o.ID, o.ClientComment)
	}
	writeJSON(c, http.StatusCreated, mustMarshal(toOrderWire(o)))
	return nil
}
