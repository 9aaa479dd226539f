package saplab

import (
	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/check"
	"github.com/mockserver/mockserver/internal/saplab/filter"
	"github.com/mockserver/mockserver/internal/saplab/phpform"
)

// listClients is GET /panel/client[/filter/...]: clients by id descending,
// one page, with the filters applied and the page count.
func (a *API) listClients(c echo.Context, _ *employee) error {
	prefix := a.Prefix() + "/client"
	body, err := a.store.ClientPageAnswer(listPath(c, prefix), func() (*filter.Query, error) {
		return filterQuery(c, prefix, filter.Clients)
	})
	return writeAnswer(c, body, err)
}

// getClient is GET /panel/client/form/$ID.
func (a *API) getClient(c echo.Context, _ *employee) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	body, err := a.store.ClientFormAnswer(id)
	return writeAnswer(c, body, err)
}

// clientInput is what a client form sent. Text fields remember whether they
// were sent, because an edit keeps what it does not send; the two
// checkboxes do not, because an unticked box is never sent (SPEC §6).
type clientInput struct {
	text                 map[string]string
	ids                  map[string]int64
	status, isWholesaler bool
	wholesale            map[string]string
	password             string
	limit                int64
	hasLimit             bool
}

// clientTextFields are the form's text fields.
var clientTextFields = []string{"name", "email", "phone", "address", "comment"}

// clientRefs are the id fields, with the labels of their messages.
var clientRefs = []struct{ key, label string }{
	{"point_id", labelPoint}, {"manager_id", labelManager}, {"group_id", labelGroup}, {"shipping_id", labelShipping},
}

// wholesaleFields are the fields of wholesalers[...], a legal entity's
// details.
var wholesaleFields = []string{"type", "org_name", "inn", "kpp", "orgn", "address", "bank", "bik", "account", "bank_account"}

// readClientForm reads the client form's fields.
func readClientForm(f *phpform.Value) (*clientInput, error) {
	in := &clientInput{text: map[string]string{}, ids: map[string]int64{}, wholesale: map[string]string{}}
	for _, k := range clientTextFields {
		read := text
		if k == "email" || k == "phone" {
			read = trimmed
		}
		s, ok, err := read(f, k)
		if err != nil {
			return nil, err
		}
		if ok {
			in.text[k] = s
		}
	}
	for _, r := range clientRefs {
		n, ok, err := integer(f, r.key, 0, maxID)
		if err != nil {
			return nil, err
		}
		if ok {
			in.ids[r.key] = n
		}
	}
	var err error
	if in.limit, in.hasLimit, err = integer(f, "limit", 0, maxID); err != nil {
		return nil, err
	}
	if in.status, err = checkbox(f, "status"); err != nil {
		return nil, err
	}
	if in.isWholesaler, err = checkbox(f, "is_wholesaler"); err != nil {
		return nil, err
	}
	pw, _, err := text(f, "password")
	if err != nil {
		return nil, err
	}
	in.password = pw
	if w := f.Get("wholesalers"); w != nil {
		if !w.IsArray() {
			return nil, badRequest(msgWholesalersForm)
		}
		for _, k := range wholesaleFields {
			read := trimmed // codes: type, inn, kpp, orgn, bik, accounts
			if k == "org_name" || k == "address" || k == "bank" {
				read = text
			}
			s, ok, err := read(w, k)
			if err != nil {
				return nil, err
			}
			if ok {
				in.wholesale[k] = s
			}
		}
	}
	return in, nil
}

// apply writes the input into cl. On create every field is set (absent
// ones empty); on edit absent text and id fields keep their values.
func (in *clientInput) apply(cl *client, create bool, defaultGroup int64) {
	set := func(dst *string, key string) {
		if s, ok := in.text[key]; ok || create {
			*dst = s
		}
	}
	set(&cl.Name, "name")
	set(&cl.Email, "email")
	set(&cl.Address, "address")
	set(&cl.Comment, "comment")
	if s, ok := in.text["phone"]; ok || create {
		cl.Phone = filter.Digits(s)
	}
	setID := func(dst *int64, key string) {
		if n, ok := in.ids[key]; ok || create {
			*dst = n
		}
	}
	setID(&cl.PointID, "point_id")
	setID(&cl.ManagerID, "manager_id")
	setID(&cl.ShippingID, "shipping_id")
	if n, ok := in.ids["group_id"]; ok && n != 0 {
		cl.GroupID = n
	} else if create || cl.GroupID == 0 {
		cl.GroupID = defaultGroup
	}
	if in.hasLimit || create {
		cl.Limit = in.limit
	}
	cl.Status = in.status
	cl.IsWholesaler = in.isWholesaler
	if !cl.IsWholesaler {
		cl.Wholesaler = nil
		return
	}
	w := wholesaler{}
	if cl.Wholesaler != nil && !create {
		w = *cl.Wholesaler
	}
	fields := map[string]*string{"type": &w.Type, "org_name": &w.OrgName, "inn": &w.INN, "kpp": &w.KPP, "orgn": &w.ORGN,
		"address": &w.Address, "bank": &w.Bank, "bik": &w.BIK, "account": &w.Account, "bank_account": &w.BankAccount}
	for k, dst := range fields {
		if s, ok := in.wholesale[k]; ok {
			*dst = s
		}
	}
	cl.Wholesaler = &w
}

// validateClient is the panel's form validation: a map of the failing
// fields only, in form order (saplab.txt: {"email": "...", "phone": "..."}).
func validateClient(v *view, cl *client) error {
	var errs fieldErrs
	if cl.Name == "" {
		errs.add("name", msgRequired, labelName)
	}
	if cl.Email != "" {
		if !check.IsEmail(cl.Email) {
			errs.add("email", msgEmail, labelEmail)
		} else if v.emailTaken(cl.Email, cl.ID) {
			errs.add("email", msgUnique, labelEmail)
		}
	}
	switch {
	case cl.Phone == "":
		errs.add("phone", msgRequired, labelPhone)
	case v.phoneTaken(cl.Phone, cl.ID):
		errs.add("phone", msgUnique, labelPhone)
	}
	exists := map[string]bool{
		"point_id":    cl.PointID == 0 || v.points[cl.PointID] != nil,
		"manager_id":  cl.ManagerID == 0 || v.employees[cl.ManagerID] != nil,
		"group_id":    v.groups[cl.GroupID] != nil,
		"shipping_id": cl.ShippingID == 0 || v.shipping[cl.ShippingID] != nil,
	}
	for _, r := range clientRefs {
		if !exists[r.key] {
			errs.add(r.key, msgNoSuchID, r.label)
		}
	}
	if cl.IsWholesaler && (cl.Wholesaler == nil || cl.Wholesaler.OrgName == "") {
		errs.add("wholesalers[org_name]", msgRequired, labelOrgName)
	}
	return errs.err()
}

// readClientRequest reads a client form.
func readClientRequest(c echo.Context) (*clientInput, error) {
	f, err := form(c)
	if err != nil {
		return nil, err
	}
	return readClientForm(f)
}

// createClient is POST /panel/client/form.
func (a *API) createClient(c echo.Context, _ *employee) error {
	in, err := readClientRequest(c)
	if err != nil {
		return err
	}
	return answered(c, a.store.InsertClient(in), msgClientAdded)
}

// editClient is POST /panel/client/form/$ID. An empty password keeps the old
// one (saplab.txt's edit examples send password=).
func (a *API) editClient(c echo.Context, _ *employee) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	in, err := readClientRequest(c)
	if err != nil {
		return err
	}
	return answered(c, a.store.UpdateClient(id, in), msgClientUpdated)
}
