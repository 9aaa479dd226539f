package carreta

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

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
