package carreta

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/lifecycle"
	"github.com/mockserver/mockserver/internal/request"
	"github.com/mockserver/mockserver/internal/state"
)

// orderError is what the client reads when the store did not find an order
// of its account: another account's order is as absent as one that does not
// exist.
func orderError(err error) error {
	if errors.Is(err, state.ErrNotFound) {
		return errOrderNotFound
	}
	return err
}

// catchUp applies every automatic move that has fallen due before a read
// answers, so that an order, the order list and the history always agree
// with each other and with the clock (SPEC §12). When nothing is due (the
// common case) it costs one atomic load; otherwise one write transaction
// (store.advance) comes before the read's own.
func (a *API) catchUp(v *view) error {
	if !v.queue.DueOn(a.deps.Clock) {
		return nil
	}
	defer v.pages.Changed()
	return a.store.Advance(v.life, v.queue)
}

// CatchUp is the server's hook for what the control API reads or moves
// (state inspection, the clock): every automatic move due by now is
// applied first. The server calls it holding the state gate for reading,
// as for a vendor request.
func (a *API) CatchUp() error { return a.catchUp(a.view) }

// Preview is the automatic moves a clock move to until would apply
// (SPEC §12), without applying any: the control API's clock preview.
func (a *API) Preview(until time.Time) ([]lifecycle.Change, error) {
	v := a.view
	return a.store.Preview(v.life, v.queue, until)
}

// orderOfPath authenticates the request, reads the path's order id and
// catches up with the clock: what GET order/<id>/ and its history/ need
// before they look the order up.
func (a *API) orderOfPath(c echo.Context) (v *view, acc *account, id uint64, err error) {
	// Django's resolver matches the id against \d+ before any view (and so
	// before authentication) runs: /order/abc/ is a 404 whatever the key.
	id, ok := pathID(c)
	if !ok {
		return nil, nil, 0, echo.ErrNotFound
	}
	v = a.view
	acc, err = a.authenticate(c, v)
	if err != nil {
		return nil, nil, 0, err
	}
	return v, acc, id, a.catchUp(v)
}

// order is GET order/<id>/.
func (a *API) order(c echo.Context) error {
	if a.answerHeld(c) {
		return nil
	}
	v, acc, id, err := a.orderOfPath(c)
	if err != nil {
		return err
	}
	return a.keptAnswer(c, v, acc, pageKey{account: acc.id, order: id}, func() ([]byte, error) {
		o, err := a.store.OwnOrder(acc.id, id)
		if err != nil {
			return nil, orderError(err)
		}
		return appendOrder(make([]byte, 0, 512), o, v.life.Statuses), nil
	})
}

// history is GET order/<id>/history/.
func (a *API) history(c echo.Context) error {
	if a.answerHeld(c) {
		return nil
	}
	v, acc, id, err := a.orderOfPath(c)
	if err != nil {
		return err
	}
	return a.keptAnswer(c, v, acc, pageKey{account: acc.id, order: id, history: true}, func() ([]byte, error) {
		h, err := a.store.OwnHistory(acc.id, id)
		if err != nil {
			return nil, orderError(err)
		}
		return mustMarshal(toHistoryWire(h)), nil
	})
}

// keptAnswer writes the answer kept under key (view.pages) while no order
// was written since, else the one read makes, then kept; the version is
// read after the catch-up and before read's transaction, as listOrders
// does. An error is answered, not kept. Kept answers never change, so the
// journal keeps them with no copy (request.Info.Fix). A kept answer is
// also held for acc's next GET of the same URI (held.go), while answers
// are kept at all (keepAnswers).
func (a *API) keptAnswer(c echo.Context, v *view, acc *account, key pageKey, read func() ([]byte, error)) error {
	keep := keepAnswers.Load()
	version := v.pages.Version()
	body, ok := v.pages.Get(key, version)
	if !ok || !keep {
		var err error
		if body, err = read(); err != nil {
			return err
		}
		if keep {
			v.pages.Put(key, version, body)
		}
	}
	if keep {
		a.held.put(c.Request(), acc, body, v, version)
	}
	writeKept(c, body)
	return nil
}

// writeKept writes an answer that never changes, declared fixed.
func writeKept(c echo.Context, body []byte) {
	request.From(c).Fix(body)
	writeJSON(c, http.StatusOK, body)
}

// keepAnswers turns the kept answers (view.pages) on; BenchmarkScalePages
// turns them off (export_test.go), and so does a binary built with the tag
// nokeep (bench/run.sh scale's KEPT=0), to measure what a page costs to
// make, as after a write, which is what a client polling a list it writes
// to gets.
var keepAnswers atomic.Bool

func init() { keepAnswers.Store(!answersOff) }

// listOrders is GET order/?page=&client_comment=: newest first, PageSize a
// page, filtered by a case-insensitive substring of client_comment. An
// answer is kept (view.pages) until the next write to any order.
func (a *API) listOrders(c echo.Context) error {
	if a.answerHeld(c) {
		return nil
	}
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
	if err := a.catchUp(v); err != nil {
		return err
	}
	key := pageKey{account: acc.id, page: page, filter: strings.ToLower(queryValue(raw, "client_comment"))}
	return a.keptAnswer(c, v, acc, key, func() ([]byte, error) {
		return a.makeOrderPage(acc.id, page, key.filter, v)
	})
}

// pageScratch pools the room a made page is encoded in: a made page
// allocated a buffer for its ~50 KB of JSON, cleared and then grown, each
// time (the allocations and their page faults were a third of its CPU over
// HTTP). The answer is an exact copy, since the journal and the kept
// answers hold it, never the scratch.
var pageScratch = sync.Pool{New: func() any { return new([]byte) }}

// maxScratch is the largest encoding the pool keeps for the next page.
const maxScratch = 1 << 20

// makeOrderPage reads and encodes a page of the account's orders.
func (a *API) makeOrderPage(accountID uint64, page int, filter string, v *view) ([]byte, error) {
	s := pageScratch.Get().(*[]byte)
	defer pageScratch.Put(s)
	out, err := a.store.AppendOrderPage((*s)[:0], accountID, page, filter, &v.cols, v.life.Statuses, v.orders)
	if err != nil {
		return nil, err
	}
	if cap(out) <= maxScratch {
		*s = out
	}
	return bytes.Clone(out), nil
}

// createOrder is POST order/[?test=on]. The order is checked in full before
// any write: the body, the offer's signature, the order_qty rules, the
// comment. A real order is stored with the group commit, starting in the
// table's new status on its automatic path (the list index in the same
// transaction), and the view's queue learns of it only once the commit
// succeeded. A test order is stored and
// rolled back: the answer shows the id and number a real order would have
// had, and nothing is kept.
func (a *API) createOrder(c echo.Context) error {
	v := a.view
	acc, err := a.authenticate(c, v)
	if err != nil {
		return err
	}
	if e := readableMedia(c.Request().Header.Get(echo.HeaderContentType)); e != nil {
		return e
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
		ClientComment: req.ClientComment, Status: v.life.NewStatus, Created: a.deps.Clock.Now(), Follow: true,
	}, v.life)
	if err != nil {
		return err
	}
	var o *orderRecord
	if queryValue(c.Request().URL.RawQuery, "test") == "on" {
		o, err = a.store.PreviewOrder(prepared)
	} else if o, err = a.store.CreateOrder(prepared); err == nil {
		v.pages.Changed()
		if o.Auto != nil {
			v.queue.Set(o.ID, o.Auto.Next)
		}
	}
	if err != nil {
		return err
	}
	// appendOrder writes pyjson.Marshal(toOrderWire(o)) without reflection
	// (TestAppendOrderPage holds the two to the same bytes): every
	// durable write answers with its order (issue 16).
	writeJSON(c, http.StatusCreated, appendOrder(make([]byte, 0, 512), o, v.life.Statuses))
	return nil
}
