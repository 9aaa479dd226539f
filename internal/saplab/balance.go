package saplab

import (
	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/saplab/phpform"
)

// TransactionsPerPage is the balance list's page size: saplab.txt's example
// shows ten operations on page 1 of 26.
const TransactionsPerPage = 10

// listTransactions is GET /panel/client/balance/$ID[?page=N]: the client's
// ledger, newest first.
func (a *API) listTransactions(c echo.Context, _ *employee) error {
	id, err := idParam(c)
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
	body, err := a.store.LedgerAnswer(id, page)
	return writeAnswer(c, body, err)
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
	return answered(c, a.store.BookTransaction(id, amt, desc), msgTransaction)
}
