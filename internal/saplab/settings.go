package saplab

import (
	"cmp"
	"errors"
	"regexp"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/phpjson"
	"github.com/mockserver/mockserver/internal/saplab/phpform"
	"github.com/mockserver/mockserver/internal/state"
)

// Shipping types, order statuses and client groups: the shop's small
// reference tables (saplab.txt, "Способы доставки", "Статусы заказов",
// "Группы клиентов").

func sortedByID[T any](m map[int64]*T, id func(*T) int64) []*T {
	out := make([]*T, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b *T) int { return cmp.Compare(id(a), id(b)) })
	return out
}

func statusSuccess(c echo.Context) error {
	return respond(c, phpjson.Object{{Key: "status", Value: "success"}})
}

// --- shipping types ---

func (a *API) listShippingTypes(c echo.Context, _ *employee) error {
	var out []wireShippingType
	err := a.read(func(_ *state.Tx, v *view) error {
		for _, s := range sortedByID(v.shipping, func(s *shippingType) int64 { return s.ID }) {
			out = append(out, wireShippingType{ID: itos(s.ID), Name: s.Name, MinPrice: itos(s.MinPrice)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	return respond(c, struct {
		ShippingTypes []wireShippingType `json:"shipping_types"`
	}{orEmpty(out)})
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// readShippingType applies the form to s: name is required (on edit, an
// absent name keeps the old one), min_price is a non-negative integer.
func readShippingType(f *phpform.Value, s *shippingType, create bool) error {
	name, sent, err := text(f, "name")
	if err != nil {
		return err
	}
	if sent || create {
		if name == "" {
			return businessErr(msgNotEnoughParam)
		}
		s.Name = name
	}
	if p, ok, err := integer(f, "min_price", 0, maxID); err != nil {
		return err
	} else if ok {
		s.MinPrice = p
	}
	return nil
}

func (a *API) addShippingType(c echo.Context, _ *employee) error {
	f, err := form(c)
	if err != nil {
		return err
	}
	s := &shippingType{}
	if err := readShippingType(f, s, true); err != nil {
		return err
	}
	err = a.write(func(t *txn, _ *view) error {
		id, err := nextID(t.Tx, bShipping)
		if err != nil {
			return err
		}
		s.ID = id
		cp := *s
		t.onCommit(func(v *view) { v.shipping[cp.ID] = &cp })
		return put(t.Tx, bShipping, s.ID, s)
	})
	if err != nil {
		return err
	}
	return statusSuccess(c)
}

func (a *API) editShippingType(c echo.Context, _ *employee) error {
	id, err := parseID(c.Param("id"))
	if err != nil {
		return err
	}
	f, err := form(c)
	if err != nil {
		return err
	}
	err = a.write(func(t *txn, _ *view) error {
		s, err := get[shippingType](t.Tx, bShipping, id)
		if errors.Is(err, state.ErrNotFound) {
			return bareErr()
		} else if err != nil {
			return err
		}
		if err := readShippingType(f, s, false); err != nil {
			return err
		}
		t.onCommit(func(v *view) { v.shipping[s.ID] = s })
		return put(t.Tx, bShipping, s.ID, s)
	})
	if err != nil {
		return err
	}
	return statusSuccess(c)
}

func (a *API) removeShippingType(c echo.Context, _ *employee) error {
	f, err := form(c)
	if err != nil {
		return err
	}
	id, err := idField(f)
	if err != nil {
		return err
	}
	err = a.write(func(t *txn, _ *view) error {
		if _, err := get[shippingType](t.Tx, bShipping, id); errors.Is(err, state.ErrNotFound) {
			return bareErr() // saplab.txt: "Способа не существует" is {"status":"error"}
		} else if err != nil {
			return err
		}
		t.onCommit(func(v *view) { delete(v.shipping, id) })
		return t.Delete(bShipping, state.Key(uint64(id)))
	})
	if err != nil {
		return err
	}
	return statusSuccess(c)
}

// --- statuses ---

func (a *API) listStatuses(c echo.Context, _ *employee) error {
	var out []wireStatus
	err := a.read(func(_ *state.Tx, v *view) error {
		list := sortedByID(v.statuses, func(s *status) int64 { return s.ID })
		// saplab.txt's example lists statuses by name, not id.
		slices.SortStableFunc(list, func(a, b *status) int { return CompareNames(a.Name, b.Name) })
		for _, s := range list {
			out = append(out, wireStatus{ID: itos(s.ID), Name: s.Name, Color: s.Color, SMS: btos(s.SMS), Email: btos(s.Email)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	return respond(c, struct {
		Statuses []wireStatus `json:"statuses"`
	}{orEmpty(out)})
}

var colorRe = regexp.MustCompile(`^#?[0-9A-Fa-f]{6}$`)

// readStatus applies the form to s. sms and email are checkboxes: absent is
// false on create and on edit, like every checkbox of the panel.
func readStatus(f *phpform.Value, s *status, create bool) error {
	name, sent, err := text(f, "name")
	if err != nil {
		return err
	}
	if sent || create {
		if name == "" {
			return businessErr(msgNotEnoughParam)
		}
		s.Name = name
	}
	color, sent, err := text(f, "color")
	if err != nil {
		return err
	}
	switch {
	case sent && color != "":
		if !colorRe.MatchString(color) {
			return badRequest("Поле color — цвет из шести шестнадцатеричных цифр, например ABABAB; получено %q.", color)
		}
		s.Color = strings.ToUpper(strings.TrimPrefix(color, "#"))
	case create:
		s.Color = "FFFFFF"
	}
	if s.SMS, err = checkbox(f, "sms"); err != nil {
		return err
	}
	if s.Email, err = checkbox(f, "email"); err != nil {
		return err
	}
	return nil
}

func (a *API) addStatus(c echo.Context, _ *employee) error {
	f, err := form(c)
	if err != nil {
		return err
	}
	s := &status{}
	if err := readStatus(f, s, true); err != nil {
		return err
	}
	err = a.write(func(t *txn, _ *view) error {
		id, err := nextID(t.Tx, bStatuses)
		if err != nil {
			return err
		}
		s.ID = id
		cp := *s
		t.onCommit(func(v *view) { v.statuses[cp.ID] = &cp })
		return put(t.Tx, bStatuses, s.ID, s)
	})
	if err != nil {
		return err
	}
	return statusSuccess(c)
}

func (a *API) editStatus(c echo.Context, _ *employee) error {
	id, err := parseID(c.Param("id"))
	if err != nil {
		return err
	}
	f, err := form(c)
	if err != nil {
		return err
	}
	err = a.write(func(t *txn, _ *view) error {
		s, err := get[status](t.Tx, bStatuses, id)
		if errors.Is(err, state.ErrNotFound) {
			return bareErr()
		} else if err != nil {
			return err
		}
		if err := readStatus(f, s, false); err != nil {
			return err
		}
		t.onCommit(func(v *view) { v.statuses[s.ID] = s })
		return put(t.Tx, bStatuses, s.ID, s)
	})
	if err != nil {
		return err
	}
	return statusSuccess(c)
}

func (a *API) removeStatus(c echo.Context, _ *employee) error {
	f, err := form(c)
	if err != nil {
		return err
	}
	id, err := idField(f)
	if err != nil {
		return err
	}
	err = a.write(func(t *txn, v *view) error {
		if _, err := get[status](t.Tx, bStatuses, id); errors.Is(err, state.ErrNotFound) {
			return bareErr()
		} else if err != nil {
			return err
		}
		st := v.settings
		if id == st.NewStatusID || id == st.AcceptedStatusID || id == st.DeniedStatusID {
			return businessErr(msgStatusInUse)
		}
		t.onCommit(func(v *view) { delete(v.statuses, id) })
		return t.Delete(bStatuses, state.Key(uint64(id)))
	})
	if err != nil {
		return err
	}
	return statusSuccess(c)
}

// --- client groups ---

func (a *API) listGroups(c echo.Context, _ *employee) error {
	var out []wireGroup
	err := a.read(func(_ *state.Tx, v *view) error {
		for _, g := range sortedByID(v.groups, func(g *group) int64 { return g.ID }) {
			out = append(out, wireGroup{GroupID: itos(g.ID), Name: g.Name, Discount: itos(g.Discount), Comment: g.Comment})
		}
		return nil
	})
	if err != nil {
		return err
	}
	return respond(c, struct {
		Groups []wireGroup `json:"groups"`
	}{orEmpty(out)})
}

// readGroup applies the form to g: a name, a discount in percent (0..100)
// and a comment.
func readGroup(f *phpform.Value, g *group, create bool) error {
	name, sent, err := text(f, "name")
	if err != nil {
		return err
	}
	if sent || create {
		if name == "" {
			return businessErr(msgNotEnoughParam)
		}
		g.Name = name
	}
	if d, ok, err := integer(f, "discount", 0, 100); err != nil {
		return err
	} else if ok {
		g.Discount = d
	}
	if s, ok, err := text(f, "comment"); err != nil {
		return err
	} else if ok {
		g.Comment = s
	}
	return nil
}

func (a *API) addGroup(c echo.Context, _ *employee) error {
	f, err := form(c)
	if err != nil {
		return err
	}
	g := &group{}
	if err := readGroup(f, g, true); err != nil {
		return err
	}
	err = a.write(func(t *txn, _ *view) error {
		id, err := nextID(t.Tx, bGroups)
		if err != nil {
			return err
		}
		g.ID = id
		cp := *g
		t.onCommit(func(v *view) { v.groups[cp.ID] = &cp })
		return put(t.Tx, bGroups, g.ID, g)
	})
	if err != nil {
		return err
	}
	return success(c, msgGroupAdded)
}

func (a *API) editGroup(c echo.Context, _ *employee) error {
	id, err := parseID(c.Param("id"))
	if err != nil {
		return err
	}
	f, err := form(c)
	if err != nil {
		return err
	}
	err = a.write(func(t *txn, _ *view) error {
		g, err := get[group](t.Tx, bGroups, id)
		if errors.Is(err, state.ErrNotFound) {
			return businessErr(msgGroupNotFound)
		} else if err != nil {
			return err
		}
		if err := readGroup(f, g, false); err != nil {
			return err
		}
		t.onCommit(func(v *view) { v.groups[g.ID] = g })
		return put(t.Tx, bGroups, g.ID, g)
	})
	if err != nil {
		return err
	}
	return success(c, msgGroupUpdated)
}

func (a *API) removeGroup(c echo.Context, _ *employee) error {
	f, err := form(c)
	if err != nil {
		return err
	}
	id, err := idField(f)
	if err != nil {
		return err
	}
	err = a.write(func(t *txn, v *view) error {
		if _, err := get[group](t.Tx, bGroups, id); errors.Is(err, state.ErrNotFound) {
			return businessErr(msgGroupNotFound)
		} else if err != nil {
			return err
		}
		// SPEC §6: the default group and a group with clients stay, with the
		// document's one message for both.
		if id == v.settings.DefaultGroupID || v.groupInUse(id) {
			return businessErr(msgGroupInUse)
		}
		t.onCommit(func(v *view) { delete(v.groups, id) })
		return t.Delete(bGroups, state.Key(uint64(id)))
	})
	if err != nil {
		return err
	}
	return success(c, msgGroupRemoved)
}
