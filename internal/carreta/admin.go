package carreta

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/state"
)

// statusRequest is the body of POST /__admin/carreta/orders/{id}/status:
// {"status": 3}, optionally with the supplier's "comment" on the order.
type statusRequest struct {
	Status  *int    `json:"status"`
	Comment *string `json:"comment"`
}

// statusResponse shows the order as the client will see it, and its history.
type statusResponse struct {
	Order   orderWire     `json:"order"`
	History []historyWire `json:"history"`
}

// adminSetStatus moves an order to another status (and sets its comment),
// recording both in the order's history, as the supplier's back office does.
// Errors are the control API's {"error": "..."} in English.
func (a *API) adminSetStatus(c echo.Context) error {
	id, ok := pathID(c)
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound, "order id must be a number")
	}
	body, err := api.Body(c)
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "could not read the body")
	}
	var req statusRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, `send {"status": 1..8} and optionally "comment": `+err.Error())
	}
	if req.Status == nil || !Status(*req.Status).Valid() {
		return echo.NewHTTPError(http.StatusBadRequest, `"status" must be 1..8: 1 Холд, 2 В работе, 3 Заказано, 4 В пути, 5 На складе, 6 Готов к выдаче, 7 Выдан, 8 Отказ`)
	}
	var out statusResponse
	err = a.deps.Store.Update(func(tx *state.Tx) error {
		o, err := setStatus(tx, id, Status(*req.Status), req.Comment)
		if err != nil {
			return err
		}
		h, err := getHistory(tx, id)
		if err != nil {
			return err
		}
		out = statusResponse{Order: toOrderWire(o), History: toHistoryWire(h).Objects}
		return nil
	})
	if errors.Is(err, state.ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, "no carreta order with this id")
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
