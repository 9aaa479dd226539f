package admin

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/fault"
)

// registerFaults mounts the fault rules' routes (SPEC §8): list, arm at
// runtime, disarm one, disarm all.
func registerFaults(g *echo.Group, h handlers) {
	g.GET("/faults", h.faults)
	g.POST("/faults", h.addFaults)
	g.DELETE("/faults", h.clearFaults)
	g.GET("/faults/:id", h.fault)
	g.DELETE("/faults/:id", h.deleteFault)
}

// faultList is how the control API lists fault rules.
type faultList struct {
	Faults []fault.View `json:"faults"`
}

// faults lists the armed rules with their counters.
func (h handlers) faults(c echo.Context) error {
	return c.JSON(http.StatusOK, faultList{Faults: h.Faults.List()})
}

// fault shows one armed rule, or a 404.
func (h handlers) fault(c echo.Context) error {
	v, ok := h.Faults.Get(c.Param("id"))
	if !ok {
		return api.Controlf(http.StatusNotFound, "no fault rule with id %q (GET /__admin/faults lists them)", c.Param("id"))
	}
	return c.JSON(http.StatusOK, v)
}

// addFaults arms one rule or a list; any problem rejects them all (400).
func (h handlers) addFaults(c echo.Context) error {
	body, err := api.Body(c)
	if err != nil {
		return api.Controlf(http.StatusBadRequest, "could not read the body: %v", err)
	}
	rules, err := fault.ParseRules(body)
	if err == nil {
		err = h.Faults.Add(rules)
	}
	var re *fault.RuleError
	if errors.As(err, &re) {
		return &api.ControlError{Status: http.StatusBadRequest, Message: "the fault rules have problems; none was armed", Problems: re.Problems}
	}
	if err != nil {
		return err
	}
	out := faultList{Faults: make([]fault.View, 0, len(rules))}
	for _, r := range rules {
		v, _ := h.Faults.Get(r.ID)
		out.Faults = append(out.Faults, v)
	}
	return c.JSON(http.StatusCreated, out)
}

// deleteFault disarms one rule, or answers 404.
func (h handlers) deleteFault(c echo.Context) error {
	if !h.Faults.Delete(c.Param("id")) {
		return api.Controlf(http.StatusNotFound, "no fault rule with id %q (GET /__admin/faults lists them)", c.Param("id"))
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// clearFaults disarms every rule and says how many there were.
func (h handlers) clearFaults(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]int{"deleted": h.Faults.Clear()})
}
