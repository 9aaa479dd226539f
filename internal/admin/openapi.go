package admin

import (
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/docs/openapi"
	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/contract"
	"github.com/mockserver/mockserver/internal/journal"
)

// openAPIPath is where the documents are served, under the control API.
const openAPIPath = "/openapi"

// registerOpenAPI mounts GET /__admin/openapi/{api} (SPEC §13).
func registerOpenAPI(g *echo.Group) {
	g.GET(openAPIPath+"/:api", openAPIDocument)
}

// openAPIDocument serves an API's OpenAPI document with servers set to this
// mock: YAML, or JSON for a .json suffix or Accept: application/json. The
// mock's URL is the request's Host over http, under the same prefix the
// request came through, so a document fetched through a prefix (a world's,
// say) points its clients back at that prefix.
func openAPIDocument(c echo.Context) error {
	name, asJSON := c.Param("api"), wantsJSON(c.Request().Header.Get(echo.HeaderAccept))
	switch {
	case strings.HasSuffix(name, ".json"):
		name, asJSON = strings.TrimSuffix(name, ".json"), true
	case strings.HasSuffix(name, ".yaml"):
		name, asJSON = strings.TrimSuffix(name, ".yaml"), false
	}
	if !slices.Contains(openapi.APIs, name) {
		return api.Controlf(http.StatusNotFound, "no OpenAPI document for %q; there are %s", name, strings.Join(openapi.APIs, ", "))
	}
	r := c.Request()
	prefix, _, _ := strings.Cut(r.RequestURI, "/__admin"+openAPIPath+"/")
	body, err := contract.Document(name, "http://"+r.Host+prefix, asJSON)
	if err != nil {
		return err
	}
	if asJSON {
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, body)
	}
	return c.Blob(http.StatusOK, "application/yaml", body)
}

// wantsJSON reads an Accept header: JSON when it names application/json (or
// a +json type) before any YAML type. Anything else, */* included, is YAML,
// the documents' own format.
func wantsJSON(accept string) bool {
	for part := range strings.SplitSeq(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		switch {
		case err != nil:
		case mt == echo.MIMEApplicationJSON || strings.HasSuffix(mt, "+json"):
			return true
		case strings.HasSuffix(mt, "yaml"):
			return false
		}
	}
	return false
}

// violationsFilter reads the journal filter violations=1: only the requests
// --contract-check found not to conform to their document (SPEC §13).
func violationsFilter(c echo.Context, f *journal.Filter) error {
	v := c.QueryParam("violations")
	if v == "" {
		return nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return api.Controlf(http.StatusBadRequest, "violations must be 1 (only requests that do not conform to their OpenAPI document) or 0, got %q", v)
	}
	f.Violations = b
	return nil
}
