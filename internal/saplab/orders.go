package saplab

import (
	"errors"
	"fmt"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/saplab/filter"
	"github.com/mockserver/mockserver/internal/state"
)

// systemManager names the author of automatic status changes in a
// position's history (saplab.txt, the order list example).
const systemManager = "Автоматически"

// listOrders is GET /panel/order[/filter/...]: positions by id descending,
// archived ones only with unignore_archived/1.
func (a *API) listOrders(c echo.Context, _ *employee) error {
	q, err := filterQuery(c, a.Prefix()+"/order", filter.Orders)
	if err != nil {
		return err
	}
	return a.listPage(c, "orders", bOrders, q, (*view).findOrders, func(tx *state.Tx, v *view, i int32) (any, error) {
		o, err := cached[order](a, tx, bOrders, v.orders.id[i])
		if err != nil {
			return nil, err
		}
		cl, err := cached[client](a, tx, bClients, o.ClientID)
		if err != nil && !errors.Is(err, state.ErrNotFound) {
			return nil, err
		}
		return v.wireOrder(o, cl), nil
	})
}

// loadOrders reads the positions named by ids inside t; a missing one is
// the panel's "Нет подходящих заказов." and the request changes nothing.
func loadOrders(t *txn, ids []int64) ([]*order, error) {
	out := make([]*order, 0, len(ids))
	for _, id := range ids {
		o, err := find[order](t.Tx, bOrders, id, businessErr(msgNoOrders))
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// history appends a status change to a position's history.
func history(t *txn, o *order, st *status, who string) {
	e := historyEntry{Date: t.Now(), Manager: who}
	if st != nil {
		e.StatusID = st.ID
		e.Status, e.Color = st.Name, st.Color
	}
	o.History = append(o.History, e)
}

// refund returns a paid position's total to its client's balance.
func refund(t *txn, o *order) error {
	cl, err := get[client](t.Tx, bClients, o.ClientID)
	if err != nil {
		return err
	}
	o.IsPayed = false
	return t.book(cl, o.Total(), refundComment(o), o.ID)
}

// moveStatus sets a position's status and records it. The denied status
// means denied (is_denied 1, a paid position refunded), so that set_status
// and deny cannot disagree; leaving it clears is_denied.
func moveStatus(t *txn, v *view, o *order, statusID int64, who string) error {
	if o.StatusID == statusID {
		return nil
	}
	o.StatusID = statusID
	denied := statusID == v.settings.DeniedStatusID && statusID != 0
	if denied && o.IsPayed {
		if err := refund(t, o); err != nil {
			return err
		}
	}
	o.IsDenied = denied
	history(t, o, v.statuses[statusID], who)
	return t.putOrder(o)
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
	err = a.write(func(t *txn, v *view) error {
		if v.statuses[sid] == nil {
			return businessErr(msgStatusNotFound)
		}
		os, err := loadOrders(t, []int64{id})
		if err != nil {
			return err
		}
		return moveStatus(t, v, os[0], sid, who.Name)
	})
	return answered(c, err, msgStatusSet)
}

// deny is GET /panel/order/deny/$IDs: each position goes to the denied
// status with is_denied 1, and a paid one is refunded (SPEC §6). Positions
// already denied are left as they are.
func (a *API) deny(c echo.Context, who *employee) error {
	ids, err := parseIDs(c.Param("ids"))
	if err != nil {
		return err
	}
	err = a.write(func(t *txn, v *view) error {
		os, err := loadOrders(t, ids)
		if err != nil {
			return err
		}
		for _, o := range os {
			if o.IsDenied {
				continue
			}
			if v.settings.DeniedStatusID != 0 && o.StatusID != v.settings.DeniedStatusID {
				if err := moveStatus(t, v, o, v.settings.DeniedStatusID, who.Name); err != nil {
					return err
				}
				continue
			}
			// No denied status configured, or already in it: mark only.
			if o.IsPayed {
				if err := refund(t, o); err != nil {
					return err
				}
			}
			o.IsDenied = true
			if err := t.putOrder(o); err != nil {
				return err
			}
		}
		return nil
	})
	return answered(c, err, msgDenied)
}

// pay is GET /panel/order/pay/$IDs: an unpaid position is paid from the
// client's balance, a paid one is refunded (saplab.txt). The whole request
// succeeds or changes nothing; a client who cannot afford their positions
// gets the document's error with the missing amount.
func (a *API) pay(c echo.Context, _ *employee) error {
	ids, err := parseIDs(c.Param("ids"))
	if err != nil {
		return err
	}
	var texts []string
	err = a.write(func(t *txn, _ *view) error {
		os, err := loadOrders(t, ids)
		if err != nil {
			return err
		}
		byID := map[int64]*order{}
		items := make([]PayItem, 0, len(os))
		for _, o := range os {
			if o.IsDenied {
				return businessErr(msgNoOrders)
			}
			byID[o.ID] = o
			items = append(items, PayItem{ID: o.ID, ClientID: o.ClientID, Payed: o.IsPayed, Total: o.Total()})
		}
		for _, pc := range PlanPay(items) {
			cl, err := get[client](t.Tx, bClients, pc.ClientID)
			if err != nil {
				return err
			}
			if miss := Shortfall(cl.Balance, pc); miss > 0 {
				return businessErr(msgShort, displayName(cl), miss.Trim())
			}
			for _, id := range pc.Refund {
				o := byID[id]
				o.IsPayed = false
				if err := t.book(cl, o.Total(), refundComment(o), o.ID); err != nil {
					return err
				}
				if err := t.putOrder(o); err != nil {
					return err
				}
			}
			for _, id := range pc.Pay {
				o := byID[id]
				o.IsPayed = true
				if err := t.book(cl, -o.Total(), payComment(o), o.ID); err != nil {
					return err
				}
				if err := t.putOrder(o); err != nil {
					return err
				}
			}
			if len(pc.Pay) > 0 {
				texts = append(texts, fmt.Sprintf(msgPaid, displayName(cl)))
			}
			if len(pc.Refund) > 0 {
				texts = append(texts, fmt.Sprintf(msgRefunded, displayName(cl), pc.Refunded.Trim()))
			}
		}
		return nil
	})
	return answered(c, err, strings.Join(texts, " "))
}

// setArchived is archive and unarchive: it flips is_archived on the named
// positions that are not already so and counts them; unknown ids are
// skipped, as an UPDATE ... WHERE id IN (...) would.
func (a *API) setArchived(c echo.Context, archived bool) (int, error) {
	ids, err := parseIDs(c.Param("ids"))
	if err != nil {
		return 0, err
	}
	n := 0
	err = a.write(func(t *txn, _ *view) error {
		for _, id := range ids {
			o, err := get[order](t.Tx, bOrders, id)
			if errors.Is(err, state.ErrNotFound) {
				continue
			} else if err != nil {
				return err
			}
			if o.IsArchived == archived {
				continue
			}
			o.IsArchived = archived
			if err := t.putOrder(o); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// archive is GET /panel/order/archive/$IDs.
func (a *API) archive(c echo.Context, _ *employee) error {
	n, err := a.setArchived(c, true)
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
	n, err := a.setArchived(c, false)
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
	ids, err := parseIDs(c.Param("ids"))
	if err != nil {
		return err
	}
	err = a.write(func(t *txn, _ *view) error {
		os, err := loadOrders(t, ids)
		if err != nil {
			return err
		}
		docID, err := nextID(t.Tx, bDocuments)
		if err != nil {
			return err
		}
		doc := &document{ID: docID, OrderIDs: ids, EmployeeID: who.ID, Created: t.Now()}
		if err := put(t.Tx, bDocuments, docID, doc); err != nil {
			return err
		}
		for _, o := range os {
			o.DocID = &docID
			if err := t.putOrder(o); err != nil {
				return err
			}
		}
		return nil
	})
	return answered(c, err, msgDocuments)
}
