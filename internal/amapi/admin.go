package amapi

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/strictjson"
)

// Admin implements api.API: GET /__admin/amapi/service shows the service
// flags that GET /api/test reports, POST changes any of them at run time
// (they live in the state file, so a reset returns them to the scenario's).
func (a *API) Admin(g *echo.Group) {
	g.GET("/service", a.getService)
	g.POST("/service", a.setService)
}

// getService answers the service flags.
func (a *API) getService(c echo.Context) error {
	f, err := a.store.Flags()
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, serviceView(f))
}

// setService changes the flags a POST body names.
func (a *API) setService(c echo.Context) error {
	var ch serviceChange
	if err := strictjson.Decode(requestBody(c), &ch); err != nil {
		return &api.ControlError{Status: http.StatusBadRequest, Message: msgCtlServiceUsage + ": " + err.Error()}
	}
	if ch.Available == nil && ch.OnlineRegistration == nil {
		return &api.ControlError{Status: http.StatusBadRequest, Message: msgCtlServiceUsage}
	}
	f, err := a.store.ChangeFlags(ch.Available, ch.OnlineRegistration)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, serviceView(f))
}
