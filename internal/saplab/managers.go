package saplab

import (
	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/state"
)

// listManagers is GET /panel/manager: every employee, by id, with office,
// group and the number of clients assigned to them. backup is the panel's
// service json column; nothing here deactivates managers, so it is null.
func (a *API) listManagers(c echo.Context, _ *employee) error {
	var out []wireManager
	err := a.read(func(_ *state.Tx, v *view) error {
		for _, e := range sortedByID(v.employees, func(e *employee) int64 { return e.ID }) {
			m := wireManager{
				ID: itos(e.ID), Phone: e.Phone, Name: e.Name, Seat: e.Seat, Email: e.Email,
				PointID: itos(e.PointID), ManagerGroupID: itos(e.GroupID), ClientCount: itos(v.clientCount(e.ID)),
				Status: btos(e.Status), ClientUse: btos(e.ClientUse), ContactShow: btos(e.ContactShow),
			}
			if p := v.points[e.PointID]; p != nil {
				m.PointName, m.PointAddress = strp(p.Name), strp(p.Address)
			}
			if g := v.mgroups[e.GroupID]; g != nil {
				m.ManagerGroupName = strp(g.Name)
			}
			out = append(out, m)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return respond(c, struct {
		Managers []wireManager `json:"managers"`
	}{orEmpty(out)})
}
