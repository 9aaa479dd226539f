package saplab

import (
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/scenario"
)

// Route is one panel endpoint and the permission its caller's manager group
// needs. The table is exported so the permission mapping is documented and
// tested in one place.
type Route struct {
	Method, Path, Permission string
}

// routes is the panel's route table (saplab.txt), including the readings
// of its typos SPEC §6 asks for: group edit under /panel/order too,
// documentds next to documents, add_transaction by GET or POST.
func (a *API) routes() []struct {
	Route
	h handler
} {
	type r = struct {
		Route
		h handler
	}
	const (
		cr, cw, bw = scenario.PermClientsRead, scenario.PermClientsWrite, scenario.PermBalanceWrite
		or, ow, op = scenario.PermOrdersRead, scenario.PermOrdersWrite, scenario.PermOrdersPay
		sw, mr     = scenario.PermSettingsWrite, scenario.PermManagersRead
	)
	return []r{
		{Route{"GET", "/manager", mr}, a.listManagers},

		{Route{"GET", "/order/shipping_type", or}, a.listShippingTypes},
		{Route{"POST", "/order/shipping_type", sw}, addRow(a, shippingTable, "")},
		{Route{"POST", "/order/shipping_type/:id", sw}, editRow(a, shippingTable, "")},
		{Route{"POST", "/order/remove_shipping_type", sw}, removeRow(a, shippingTable, "")},

		{Route{"GET", "/order/status", or}, a.listStatuses},
		{Route{"POST", "/order/status", sw}, addRow(a, statusTable, "")},
		{Route{"POST", "/order/status/:id", sw}, editRow(a, statusTable, "")},
		{Route{"POST", "/order/remove_status", sw}, removeRow(a, statusTable, "")},

		{Route{"GET", "/client/group", cr}, a.listGroups},
		{Route{"POST", "/client/group_form", sw}, addRow(a, groupTable, msgGroupAdded)},
		{Route{"POST", "/client/group_form/:id", sw}, editRow(a, groupTable, msgGroupUpdated)},
		{Route{"POST", "/order/group_form/:id", sw}, editRow(a, groupTable, msgGroupUpdated)},
		{Route{"POST", "/client/remove_group", sw}, removeRow(a, groupTable, msgGroupRemoved)},

		{Route{"GET", "/client", cr}, a.listClients},
		{Route{"GET", "/client/filter", cr}, a.listClients},
		{Route{"GET", "/client/filter/*", cr}, a.listClients},
		{Route{"GET", "/client/form/:id", cr}, a.getClient},
		{Route{"POST", "/client/form", cw}, a.createClient},
		{Route{"POST", "/client/form/:id", cw}, a.editClient},

		{Route{"GET", "/client/balance/:id", cr}, a.listTransactions},
		{Route{"GET", "/client/add_transaction/:id", bw}, a.addTransaction},
		{Route{"POST", "/client/add_transaction/:id", bw}, a.addTransaction},

		{Route{"GET", "/order", or}, a.listOrders},
		{Route{"GET", "/order/filter", or}, a.listOrders},
		{Route{"GET", "/order/filter/*", or}, a.listOrders},
		{Route{"POST", "/order/set_status/:id", ow}, a.setStatus},
		{Route{"GET", "/order/deny/:ids", ow}, a.deny},
		{Route{"GET", "/order/pay/:ids", op}, a.pay},
		{Route{"GET", "/order/archive/:ids", ow}, a.archive},
		{Route{"GET", "/order/unarchive/:ids", ow}, a.unarchive},
		{Route{"GET", "/order/documents/:ids", ow}, a.documents},
		{Route{"GET", "/order/documentds/:ids", ow}, a.documents},
	}
}

// Routes implements api.API. GET routes answer HEAD too; a known path
// asked with another method gets 405 with Allow (SPEC §9), not the 404 of
// an unknown path.
func (a *API) Routes(g *echo.Group) {
	allowed := map[string][]string{}
	var paths []string
	for _, r := range a.routes() {
		h := a.guard(r.Permission, r.h)
		// The panel's router treats /client/ as /client and /order/pay/20/
		// as /order/pay/20, as the filter paths already do.
		variants := []string{r.Path, r.Path + "/"}
		if strings.HasSuffix(r.Path, "*") {
			variants = variants[:1]
		}
		for _, path := range variants {
			g.Add(r.Method, path, h)
			if allowed[path] == nil {
				paths = append(paths, path)
			}
			allowed[path] = append(allowed[path], r.Method)
			if r.Method == http.MethodGet {
				// Apache runs a PHP script for HEAD too and drops the body.
				g.Add(http.MethodHead, path, h)
				allowed[path] = append(allowed[path], http.MethodHead)
			}
		}
	}
	for _, p := range paths {
		allow := strings.Join(allowed[p], ", ")
		var others []string
		for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions} {
			if !slices.Contains(allowed[p], m) {
				others = append(others, m)
			}
		}
		g.Match(others, p, func(c echo.Context) error {
			c.Response().Header().Set(echo.HeaderAllow, allow)
			return echo.ErrMethodNotAllowed
		})
	}
}

// RouteTable lists every panel route with its permission, for docs and tests.
func (a *API) RouteTable() []Route {
	rs := a.routes()
	out := make([]Route, len(rs))
	for i, r := range rs {
		out[i] = r.Route
		out[i].Path = a.Prefix() + r.Path
	}
	return out
}

// Admin implements api.API: POST /__admin/saplab/orders adds positions as
// the storefront would.
func (a *API) Admin(g *echo.Group) {
	g.POST("/orders", a.adminCreateOrders)
}
