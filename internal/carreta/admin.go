package carreta

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/state"
	"github.com/mockserver/mockserver/internal/strictjson"
)

// Admin implements api.API: POST /__admin/carreta/orders/{id}/status moves
// an order along its statuses, as the supplier would.
func (a *API) Admin(g *echo.Group) {
	g.POST("/orders/:id/status", a.adminSetStatus)
}

// adminSetStatus moves an order to another status (and sets its comment),
// recording both in the order's history, as the supplier's back office does.
// The moves of the order's automatic path that fell due are applied first;
// then the manual move takes it off that path (docs/decisions/carreta.md).
// Errors are the control API's {"error": "..."} in English. The server
// holds its state gate for reading around this route, as around a vendor
// request, so the view cannot change under it.
func (a *API) adminSetStatus(c echo.Context) error {
	v := a.view
	id, ok := pathID(c)
	if !ok {
		return api.Controlf(http.StatusNotFound, msgCtlBadID)
	}
	body, err := api.Body(c)
	if err != nil {
		return api.Controlf(http.StatusBadRequest, msgCtlNoBody)
	}
	var req statusRequest
	if err := strictjson.Decode(body, &req); err != nil {
		return api.Controlf(http.StatusBadRequest, msgCtlBadBody, err)
	}
	if req.Status == nil || !v.life.Statuses.Has(Status(*req.Status)) {
		return api.Controlf(http.StatusBadRequest, msgCtlBadStatus, v.life.Statuses.List())
	}
	o, h, err := a.store.MoveOrder(id, Status(*req.Status), req.Comment, v.life)
	v.pages.Changed()
	if errors.Is(err, state.ErrNotFound) {
		return api.Controlf(http.StatusNotFound, msgCtlNoSuchOrder)
	}
	if err != nil {
		return err
	}
	v.queue.Drop(id)
	return c.JSON(http.StatusOK, statusResponse{Order: toOrderWire(o, v.life.Statuses), History: toHistoryWire(h).Objects})
}
