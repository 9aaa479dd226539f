package saplab

import (
	"cmp"
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
	if err := readName(f, &s.Name, create); err != nil {
		return err
	}
	color, sent, err := trimmed(f, "color")
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
	if err := readName(f, &g.Name, create); err != nil {
		return err
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

// table is one of the shop's small reference tables, for the add, edit and
// remove handlers they share.
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
	return a.write(func(t *txn, _ *view) error {
		id, err := nextID(t.Tx, tb.bucket)
		if err != nil {
			return err
		}
		*tb.id(row) = id
		t.onCommit(func(v *view) { tb.cache(v)[id] = row })
		return put(t.Tx, tb.bucket, id, row)
	})
}

// edit applies the form to the row named in the path.
func (tb table[T]) edit(a *API, c echo.Context) error {
	id, f, err := idAndForm(c)
	if err != nil {
		return err
	}
	return a.write(func(t *txn, _ *view) error {
		row, err := find[T](t.Tx, tb.bucket, id, tb.missing())
		if err != nil {
			return err
		}
		if err := tb.read(f, row, false); err != nil {
			return err
		}
		t.onCommit(func(v *view) { tb.cache(v)[id] = row })
		return put(t.Tx, tb.bucket, id, row)
	})
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
	return a.write(func(t *txn, v *view) error {
		if _, err := find[T](t.Tx, tb.bucket, id, tb.missing()); err != nil {
			return err
		}
		if tb.inUse != nil {
			if err := tb.inUse(v, id); err != nil {
				return err
			}
		}
		t.onCommit(func(v *view) { delete(tb.cache(v), id) })
		return t.Delete(tb.bucket, state.Key(uint64(id)))
	})
}

// answered writes text (or {"status":"success"} without one) once err is nil.
func answered(c echo.Context, err error, text string) error {
	if err != nil {
		return err
	}
	if text == "" {
		return statusSuccess(c)
	}
	return success(c, text)
}

// Handlers of the reference tables, for the route table: add, edit and
// remove with the success text of each table ("" is {"status":"success"}).
func addRow[T any](a *API, tb table[T], text string) handler {
	return func(c echo.Context, _ *employee) error { return answered(c, tb.add(a, c), text) }
}

func editRow[T any](a *API, tb table[T], text string) handler {
	return func(c echo.Context, _ *employee) error { return answered(c, tb.edit(a, c), text) }
}

func removeRow[T any](a *API, tb table[T], text string) handler {
	return func(c echo.Context, _ *employee) error { return answered(c, tb.remove(a, c), text) }
}
