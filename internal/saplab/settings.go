package saplab

import (
	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/saplab/phpform"
)

// Shipping types, order statuses and client groups: the shop's small
// reference tables (saplab.txt, "Способы доставки", "Статусы заказов",
// "Группы клиентов").

// listShippingTypes is GET /panel/order/shipping_type.
func (a *API) listShippingTypes(c echo.Context, _ *employee) error {
	body, err := a.store.ShippingTypesAnswer()
	return writeAnswer(c, body, err)
}

// listStatuses is GET /panel/order/status.
func (a *API) listStatuses(c echo.Context, _ *employee) error {
	body, err := a.store.StatusesAnswer()
	return writeAnswer(c, body, err)
}

// listGroups is GET /panel/client/group.
func (a *API) listGroups(c echo.Context, _ *employee) error {
	body, err := a.store.GroupsAnswer()
	return writeAnswer(c, body, err)
}

// readName reads the name every reference row has: required on create; on
// edit an absent name keeps the old one, an empty one is refused.
func readName(f *phpform.Value, dst *string, create bool) error {
	name, sent, err := text(f, "name")
	if err != nil {
		return err
	}
	if sent || create {
		if name == "" {
			return businessErr(msgNotEnoughParam)
		}
		*dst = name
	}
	return nil
}

// readShippingType applies the form to s: name is required (on edit, an
// absent name keeps the old one), min_price is a non-negative integer.
func readShippingType(f *phpform.Value, s *shippingType, create bool) error {
	if err := readName(f, &s.Name, create); err != nil {
		return err
	}
	if p, ok, err := integer(f, "min_price", 0, maxID); err != nil {
		return err
	} else if ok {
		s.MinPrice = p
	}
	return nil
}

// readStatus applies the form to s. The colour follows statusColor; an
// empty or absent one keeps the old colour on edit. sms and email are
// checkboxes: absent is false on create and on edit, like every checkbox
// of the panel.
func readStatus(f *phpform.Value, s *status, create bool) error {
	if err := readName(f, &s.Name, create); err != nil {
		return err
	}
	color, _, err := trimmed(f, "color")
	if err != nil {
		return err
	}
	if color != "" || create {
		c, ok := statusColor(color)
		if !ok {
			return badRequest(msgBadColor, color)
		}
		s.Color = c
	}
	if s.SMS, err = checkbox(f, "sms"); err != nil {
		return err
	}
	if s.Email, err = checkbox(f, "email"); err != nil {
		return err
	}
	return nil
}

// readGroup applies the form to g: a name, a discount in percent (0..100)
// and a comment.
func readGroup(f *phpform.Value, g *group, create bool) error {
	if err := readName(f, &g.Name, create); err != nil {
		return err
	}
	if d, ok, err := integer(f, "discount", 0, maxDiscount); err != nil {
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

// table is one of the shop's small reference tables, for the add, edit and
// remove handlers they share (and their use cases in store.go: InsertRow,
// UpdateRow, DeleteRow).
type table[T any] struct {
	bucket string
	id     func(*T) *int64
	read   func(f *phpform.Value, row *T, create bool) error
	cache  func(v *view) map[int64]*T
	// missing is the answer for an id that does not exist.
	missing func() *Error
	// inUse, when set, refuses removing a row the shop still needs.
	inUse func(v *view, id int64) error
}

var (
	shippingTable = table[shippingType]{
		bucket: bShipping, id: func(s *shippingType) *int64 { return &s.ID }, read: readShippingType,
		cache: func(v *view) map[int64]*shippingType { return v.shipping },
		// saplab.txt: removing a shipping type that does not exist is
		// {"status":"error"}; editing one answers the same.
		missing: bareErr,
	}
	statusTable = table[status]{
		bucket: bStatuses, id: func(s *status) *int64 { return &s.ID }, read: readStatus,
		cache: func(v *view) map[int64]*status { return v.statuses }, missing: bareErr,
		inUse: func(v *view, id int64) error {
			if st := v.settings; id == st.NewStatusID || id == st.AcceptedStatusID || id == st.DeniedStatusID {
				return businessErr(msgStatusInUse)
			}
			return nil
		},
	}
	groupTable = table[group]{
		bucket: bGroups, id: func(g *group) *int64 { return &g.ID }, read: readGroup,
		cache:   func(v *view) map[int64]*group { return v.groups },
		missing: func() *Error { return businessErr(msgGroupNotFound) },
		// SPEC §6: the default group and a group with clients stay, with the
		// document's one message for both.
		inUse: func(v *view, id int64) error {
			if id == v.settings.DefaultGroupID || v.groupInUse(id) {
				return businessErr(msgGroupInUse)
			}
			return nil
		},
	}
)

// add creates a row from the form.
func (tb table[T]) add(a *API, c echo.Context) error {
	f, err := form(c)
	if err != nil {
		return err
	}
	row := new(T)
	if err := tb.read(f, row, true); err != nil {
		return err
	}
	return InsertRow(a.store, tb, row)
}

// edit applies the form to the row named in the path.
func (tb table[T]) edit(a *API, c echo.Context) error {
	id, f, err := idAndForm(c)
	if err != nil {
		return err
	}
	return UpdateRow(a.store, tb, id, f)
}

// remove deletes the row named by the form's id.
func (tb table[T]) remove(a *API, c echo.Context) error {
	f, err := form(c)
	if err != nil {
		return err
	}
	id, err := idField(f)
	if err != nil {
		return err
	}
	return DeleteRow(a.store, tb, id)
}

// addRow is the handler of a table's add, answering text on success (""
// is {"status":"success"}).
func addRow[T any](a *API, tb table[T], text string) handler {
	return func(c echo.Context, _ *employee) error { return answered(c, tb.add(a, c), text) }
}

// editRow is the handler of a table's edit, answering text on success.
func editRow[T any](a *API, tb table[T], text string) handler {
	return func(c echo.Context, _ *employee) error { return answered(c, tb.edit(a, c), text) }
}

// removeRow is the handler of a table's remove, answering text on success.
func removeRow[T any](a *API, tb table[T], text string) handler {
	return func(c echo.Context, _ *employee) error { return answered(c, tb.remove(a, c), text) }
}
