package saplab

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/route"
)

// Routes implements api.API: it mounts the route table. Errors under
// /panel are rendered by RenderError (errors.go).
func (a *API) Routes(g *echo.Group) { a.routes().Mount(g) }

// Route is one panel endpoint and the permission its caller's manager group
// needs. The table is exported (RouteTable) so the permission mapping is
// documented and tested in one place.
type Route struct {
	Method, Path, Permission string
}

// panelRoute is a Route with its handler.
type panelRoute struct {
	Route
	h handler
}

// panelRoutes is the panel's route table (saplab.txt), including the
// readings of its typos SPEC §6 asks for: group edit under /panel/order
// too, documentds next to documents, add_transaction by GET or POST.
func (a *API) panelRoutes() []panelRoute {
	const (
		cr, cw, bw = PermClientsRead, PermClientsWrite, PermBalanceWrite
		or, ow, op = PermOrdersRead, PermOrdersWrite, PermOrdersPay
		sw, mr     = PermSettingsWrite, PermManagersRead
	)
	get, post := http.MethodGet, http.MethodPost
	return []panelRoute{
		{Route{get, "/manager", mr}, a.listManagers},

		{Route{get, "/order/shipping_type", or}, a.listShippingTypes},
		{Route{post, "/order/shipping_type", sw}, addRow(a, shippingTable, "")},
		{Route{post, "/order/shipping_type/:id", sw}, editRow(a, shippingTable, "")},
		{Route{post, "/order/remove_shipping_type", sw}, removeRow(a, shippingTable, "")},

		{Route{get, "/order/status", or}, a.listStatuses},
		{Route{post, "/order/status", sw}, addRow(a, statusTable, "")},
		{Route{post, "/order/status/:id", sw}, editRow(a, statusTable, "")},
		{Route{post, "/order/remove_status", sw}, removeRow(a, statusTable, "")},

		{Route{get, "/client/group", cr}, a.listGroups},
		{Route{post, "/client/group_form", sw}, addRow(a, groupTable, msgGroupAdded)},
		{Route{post, "/client/group_form/:id", sw}, editRow(a, groupTable, msgGroupUpdated)},
		{Route{post, "/order/group_form/:id", sw}, editRow(a, groupTable, msgGroupUpdated)},
		{Route{post, "/client/remove_group", sw}, removeRow(a, groupTable, msgGroupRemoved)},

		{Route{get, "/client", cr}, a.listClients},
		{Route{get, "/client/filter", cr}, a.listClients},
		{Route{get, "/client/filter/*", cr}, a.listClients},
		{Route{get, "/client/form/:id", cr}, a.getClient},
		{Route{post, "/client/form", cw}, a.createClient},
		{Route{post, "/client/form/:id", cw}, a.editClient},

		{Route{get, "/client/balance/:id", cr}, a.listTransactions},
		{Route{get, "/client/add_transaction/:id", bw}, acts(a.addTransaction)},
		{Route{post, "/client/add_transaction/:id", bw}, a.addTransaction},

		{Route{get, "/order", or}, a.listOrders},
		{Route{get, "/order/filter", or}, a.listOrders},
		{Route{get, "/order/filter/*", or}, a.listOrders},
		{Route{post, "/order/set_status/:id", ow}, a.setStatus},
		{Route{get, "/order/deny/:ids", ow}, acts(a.deny)},
		{Route{get, "/order/pay/:ids", op}, acts(a.pay)},
		{Route{get, "/order/archive/:ids", ow}, acts(a.archive)},
		{Route{get, "/order/unarchive/:ids", ow}, acts(a.unarchive)},
		{Route{get, "/order/documents/:ids", ow}, acts(a.documents)},
		{Route{get, "/order/documentds/:ids", ow}, acts(a.documents)},
	}
}

// acts marks a GET route that changes state (the panel's document makes
// deny, pay, archive, unarchive, documents and add_transaction GETs): a
// HEAD of it is checked as the GET would be (credentials, permission: the
// same 401 and 403) and then answered 200 with the GET's Content-Type and
// no body, performing nothing. Apache runs the PHP script for a HEAD too,
// so the real panel would act; a mock must not let a link checker or a
// probe move money (issue 14, docs/decisions/saplab.md).
func acts(h handler) handler {
	return func(c echo.Context, who *employee) error {
		if c.Request().Method == http.MethodHead {
			c.Response().Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
			return c.NoContent(http.StatusOK)
		}
		return h(c, who)
	}
}

// routes is the route table as the shared helper mounts it: each handler
// behind guard (its permission); the trailing slash optional, as the
// panel's PHP front controller routes /client/ as /client (the wildcard
// filter paths, which take any rest, are mounted once); GET answering HEAD,
// as Apache runs the PHP script for HEAD too and drops the body; and a
// known path asked with another method 405 with Allow (SPEC §9), not the
// 404 of an unknown path, rendered by RenderError. The 405 needs no
// credentials, as an unknown path needs none.
func (a *API) routes() route.Table {
	prs := a.panelRoutes()
	rs := make([]route.Route, len(prs))
	for i, r := range prs {
		rs[i] = route.Route{Method: r.Method, Path: r.Path, Handler: a.guard(r.Permission, r.h)}
	}
	return route.Table{Routes: rs, Slash: route.SlashOptional}
}

// RouteTable lists every panel route with its permission, for docs and tests.
func (a *API) RouteTable() []Route {
	prs := a.panelRoutes()
	out := make([]Route, len(prs))
	for i, r := range prs {
		out[i] = r.Route
		out[i].Path = a.Prefix() + r.Path
	}
	return out
}
