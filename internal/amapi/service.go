package amapi

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/state"
)

// Admin implements api.API: GET /__admin/amapi/service shows the service
// flags that GET /api/test reports, POST changes any of them at run time
// (they live in the state file, so a reset returns them to the scenario's).
func (a *API) Admin(g *echo.Group) {
	g.GET("/service", a.getService)
	g.POST("/service", a.setService)
}

func (a *API) getService(c echo.Context) error {
	var f serviceFlags
	err := a.deps.Store.View(func(tx *state.Tx) error {
		var err error
		f, err = getFlags(tx)
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, f)
}

// serviceChange is a POST body: the flags to set, others left as they are.
type serviceChange struct {
	Available          *bool `json:"available"`
	OnlineRegistration *bool `json:"online_registration"`
}

const serviceUsage = `send {"available": false} and/or {"online_registration": false} (true to restore)`

func (a *API) setService(c echo.Context) error {
	var ch serviceChange
	dec := json.NewDecoder(bytes.NewReader(requestBody(c)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ch); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, serviceUsage+": "+err.Error())
	}
	if ch.Available == nil && ch.OnlineRegistration == nil {
		return echo.NewHTTPError(http.StatusBadRequest, serviceUsage)
	}
	var f serviceFlags
	err := a.deps.Store.Update(func(tx *state.Tx) error {
		var err error
		if f, err = getFlags(tx); err != nil {
			return err
		}
		if ch.Available != nil {
			f.Available = *ch.Available
		}
		if ch.OnlineRegistration != nil {
			f.OnlineRegistration = *ch.OnlineRegistration
		}
		return putFlags(tx, f)
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, f)
}
