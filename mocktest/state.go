package mocktest

import (
	"context"
	"net/http"
	"net/url"
)

// State decodes every stored row of one collection into into, a pointer
// to a slice (GET /__admin/state/{api}/{collection}): for example
// State(ctx, "carreta", "orders", &orders). The rows are the server's
// stored records as JSON; a struct with the fields a test needs, or
// []map[string]any, takes them. An unknown collection is an *Error with
// Status 404 (GET /__admin/state lists them).
func (m *Mock) State(ctx context.Context, api, collection string, into any) error {
	return m.c.do(ctx, http.MethodGet, statePath(api, collection), nil, into)
}

// StateByID decodes one stored row, by its numeric id or its key, into
// into (GET /__admin/state/{api}/{collection}/{id}). A row that is not
// there is an *Error with Status 404.
func (m *Mock) StateByID(ctx context.Context, api, collection, id string, into any) error {
	return m.c.do(ctx, http.MethodGet, statePath(api, collection)+"/"+url.PathEscape(id), nil, into)
}

// statePath is the state route of one collection.
func statePath(api, collection string) string {
	return "/__admin/state/" + url.PathEscape(api) + "/" + url.PathEscape(collection)
}
