package saplab

import (
	"github.com/labstack/echo/v4"
)

// listManagers is GET /panel/manager: every employee, by id, with office,
// group and the number of clients assigned to them.
func (a *API) listManagers(c echo.Context, _ *employee) error {
	body, err := a.store.ManagersAnswer()
	return writeAnswer(c, body, err)
}
