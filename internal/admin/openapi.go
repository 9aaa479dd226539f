package admin

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/journal"
)

// violationsFilter reads the journal filter violations=1: only the requests
// --contract-check found not to conform to their document (SPEC §13).
func violationsFilter(c echo.Context, f *journal.Filter) error {
	v := c.QueryParam("violations")
	if v == "" {
		return nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return fail(http.StatusBadRequest, "violations must be 1 (only requests that do not conform to their OpenAPI document) or 0, got %q", v)
	}
	f.Violations = b
	return nil
}
