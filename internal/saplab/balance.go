package saplab

import (
	"cmp"
	"slices"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/saplab/phpform"
	"github.com/mockserver/mockserver/internal/state"
)

// TransactionsPerPage is the balance list's page size: saplab.txt's example
// shows ten operations on page 1 of 26.
const TransactionsPerPage = 10

// listTransactions is GET /panel/client/balance/$ID[?page=N]: the client's
// ledger, newest first.
func (a *API) listTransactions(c echo.Context, _ *employee) error {
	id, err := parseID(c.Param("id"))
	if err != nil {
		return err
	}
	q, err := query(c)
	if err != nil {
		return err
	}
	page, ok, err := integer(q, "page", 1, maxID)
	if err != nil {
		return err
	}
	if !ok {
		page = 1
	}
	out := wireBalance{Transactions: []wireTransaction{}, Page: page}
	err = a.read(func(tx *state.Tx, v *view) error {
		idx, ok := v.clientIndex(id)
		if !ok {
			return businessErr(msgClientNotFound)
		}
		ids := v.clients.txs[idx]
		list := make([]*transaction, 0, len(ids))
		for _, tid := range ids {
			tr, err := get[transaction](tx, bTransactions, tid)
			if err != nil {
				return err
			}
			list = append(list, tr)
		}
		slices.SortFunc(list, func(a, b *transaction) int {
			if c := b.Created.Compare(a.Created); c != 0 {
				return c
			}
			return cmp.Compare(b.ID, a.ID)
		})
		out.Pages = Pages(int64(len(list)), TransactionsPerPage)
		if off := (page - 1) * TransactionsPerPage; off < int64(len(list)) {
			for _, tr := range list[off:min(off+TransactionsPerPage, int64(len(list)))] {
				out.Transactions = append(out.Transactions, wireTransaction{Date: PGTime(tr.Created), Amount: tr.Amount.Trim(), Comment: tr.Comment})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return respond(c, out)
}

// addTransaction is GET or POST /panel/client/add_transaction/$ID with amount
// (negative debits) and description, from the form or, as saplab.txt
// documents it as GET, from the query string; the form wins, like PHP's
// $_REQUEST with the default request_order "GP".
func (a *API) addTransaction(c echo.Context, _ *employee) error {
	id, f, err := idAndForm(c)
	if err != nil {
		return err
	}
	q, err := query(c)
	if err != nil {
		return err
	}
	src := func(key string) *phpform.Value {
		if f.Get(key) != nil {
			return f
		}
		return q
	}
	amt, ok, err := amount(src("amount"), "amount")
	if err != nil {
		return err
	}
	if !ok {
		return businessErr(msgNotEnoughParam)
	}
	if amt == 0 {
		return businessErr(msgZeroAmount)
	}
	desc, _, err := text(src("description"), "description")
	if err != nil {
		return err
	}
	err = a.write(func(t *txn, _ *view) error {
		cl, err := find[client](t.Tx, bClients, id, businessErr(msgClientNotFound))
		if err != nil {
			return err
		}
		return t.book(cl, amt, desc, 0)
	})
	return answered(c, err, msgTransaction)
}
