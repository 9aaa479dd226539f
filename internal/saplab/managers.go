package saplab

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// listManagers is GET /panel/manager: every employee, by id, with office,
// group and the number of clients assigned to them.
func (a *API) listManagers(c echo.Context, _ *employee) error {
	out, err := a.store.FindManagers()
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, struct {
		Managers []wireManager `json:"managers"`
	}{orEmpty(out)})
}
