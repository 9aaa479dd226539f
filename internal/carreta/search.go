package carreta

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/request"
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
	body := v.searchBody(norm)
	// The answers are built once and shared, never changed: the journal
	// may keep them as they are.
	request.From(c).Fix(body)
	writeJSON(c, http.StatusOK, body)
	return nil
}
