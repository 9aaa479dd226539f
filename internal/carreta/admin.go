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
// Errors are the control API's {"error": "..."} in English.
func (a *API) adminSetStatus(c echo.Context) error {
	id, ok := pathID(c)
	if !ok {
		return api.Controlf(http.StatusNotFound, ctlBadID)
	}
	body, err := api.Body(c)
	if err != nil {
		return api.Controlf(http.StatusBadRequest, ctlNoBody)
	}
	var req statusRequest
	if err := strictjson.Decode(body, &req); err != nil {
		return api.Controlf(http.StatusBadRequest, ctlBadBody, StatusHold, StatusRefused, err)
	}
	if req.Status == nil || !Status(*req.Status).Valid() {
		return api.Controlf(http.StatusBadRequest, ctlBadStatus, StatusHold, StatusRefused, statusList())
	}
	o, h, err := a.store.moveOrder(id, Status(*req.Status), req.Comment)
	if errors.Is(err, state.ErrNotFound) {
		return api.Controlf(http.StatusNotFound, ctlNoSuchOrder)
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, statusResponse{Order: toOrderWire(o), History: toHistoryWire(h).Objects})
}
