package saplab

import (
	"fmt"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/lifecycle"
	"github.com/mockserver/mockserver/internal/saplab/filter"
)

// CatchUp is the server's hook for what the control API reads or moves
// (state inspection, the clock): every automatic move due by now is
// applied first, in a write of its own when there is one.
func (a *API) CatchUp() error { return a.store.CatchUp() }

// Preview is the automatic moves a clock move to until would apply
// (SPEC §12), without applying any: the control API's clock preview.
func (a *API) Preview(until time.Time) ([]lifecycle.Change, error) { return a.store.Preview(until) }

// listOrders is GET /panel/order[/filter/...]: positions by id descending,
// archived ones only with unignore_archived/1.
func (a *API) listOrders(c echo.Context, _ *employee) error {
	prefix := a.Prefix() + "/order"
	body, err := a.store.OrderPageAnswer(listPath(c, prefix), func() (*filter.Query, error) {
		return filterQuery(c, prefix, filter.Orders)
	})
	return writeAnswer(c, body, err)
}

// setStatus is POST /panel/order/set_status/$ID with status_id.
func (a *API) setStatus(c echo.Context, who *employee) error {
	id, f, err := idAndForm(c)
	if err != nil {
		return err
	}
	sid, ok, err := integer(f, "status_id", 1, maxID)
	if err != nil {
		return err
	}
	if !ok {
		return businessErr(msgNotEnoughParam)
	}
	return answered(c, a.store.SetOrderStatus(id, sid, who.Name), msgStatusSet)
}

// deny is GET /panel/order/deny/$IDs: each position goes to the denied
// status with is_denied 1, and a paid one is refunded (SPEC §6).
func (a *API) deny(c echo.Context, who *employee) error {
	ids, err := idsParam(c)
	if err != nil {
		return err
	}
	return answered(c, a.store.DenyOrders(ids, who.Name), msgDenied)
}

// pay is GET /panel/order/pay/$IDs: an unpaid position is paid from the
// client's balance, a paid one is refunded (saplab.txt), all or nothing.
func (a *API) pay(c echo.Context, _ *employee) error {
	ids, err := idsParam(c)
	if err != nil {
		return err
	}
	texts, err := a.store.PayOrders(ids)
	return answered(c, err, strings.Join(texts, " "))
}

// archive is GET /panel/order/archive/$IDs.
func (a *API) archive(c echo.Context, _ *employee) error {
	ids, err := idsParam(c)
	if err != nil {
		return err
	}
	n, err := a.store.SetOrdersArchived(ids, true)
	if err != nil {
		return err
	}
	if n == 0 {
		return businessErr(msgArchiveFailed)
	}
	return success(c, fmt.Sprintf(msgArchived, n))
}

// unarchive is GET /panel/order/unarchive/$IDs.
func (a *API) unarchive(c echo.Context, _ *employee) error {
	ids, err := idsParam(c)
	if err != nil {
		return err
	}
	n, err := a.store.SetOrdersArchived(ids, false)
	if err != nil {
		return err
	}
	if n == 0 {
		return businessErr(msgUnarchiveNone)
	}
	return success(c, msgUnarchived)
}

// documents is GET /panel/order/documents/$IDs (and the document's
// "documentds"): one document for the named positions, whose doc_id then
// points at it.
func (a *API) documents(c echo.Context, who *employee) error {
	ids, err := idsParam(c)
	if err != nil {
		return err
	}
	return answered(c, a.store.MakeDocument(ids, who), msgDocuments)
}
