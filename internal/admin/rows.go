package admin

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/api"
	"github.com/mockserver/mockserver/internal/state"
)

// MaxRowsLimit bounds one page of GET /__admin/state/{api}/{collection}.
const MaxRowsLimit = 1000

// wherePrefix starts a field filter parameter: where.client_id=5.
const wherePrefix = "where."

// rowsQuery is a page of a collection: the rows whose top-level fields
// equal every where value and whose JSON text contains q (case folded),
// in key order (ids ascending) or, with desc, newest first; offset rows
// skipped, at most limit kept (0: all).
type rowsQuery struct {
	limit, offset int
	desc          bool
	q             string            // lower-cased
	where         map[string]string // field -> value as text
}

// rowsQueryOf reads limit, offset, order, q and where.<field>; any other
// parameter, one given twice or a bad value is a 400 naming it.
func rowsQueryOf(c echo.Context) (rowsQuery, error) {
	var rq rowsQuery
	params := c.QueryParams()
	for _, k := range slices.Sorted(maps.Keys(params)) {
		if len(params[k]) > 1 {
			return rq, api.Controlf(http.StatusBadRequest, "%s is given %d times; it takes one value", k, len(params[k]))
		}
		v := params[k][0]
		var err error
		switch {
		case k == "limit":
			rq.limit, err = intParam(k, v, 1, MaxRowsLimit)
		case k == "offset":
			rq.offset, err = intParam(k, v, 0, 1<<31-1)
		case k == "order":
			if v != "asc" && v != "desc" {
				err = api.Controlf(http.StatusBadRequest, "order must be asc or desc, got %q", v)
			}
			rq.desc = v == "desc"
		case k == "q":
			rq.q = strings.ToLower(v)
		case strings.HasPrefix(k, wherePrefix) && len(k) > len(wherePrefix):
			if rq.where == nil {
				rq.where = map[string]string{}
			}
			rq.where[k[len(wherePrefix):]] = v
		default:
			err = api.Controlf(http.StatusBadRequest, "unknown parameter %q; this route takes limit, offset, order, q and where.<field>", k)
		}
		if err != nil {
			return rq, err
		}
	}
	return rq, nil
}

// intParam parses an integer parameter within [lo, hi].
func intParam(name, v string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, api.Controlf(http.StatusBadRequest, "%s must be an integer from %d to %d, got %q", name, lo, hi, v)
	}
	return n, nil
}

// rowMatch reports whether a stored row passes rq's q and where, and which
// where fields the row has (a field no row has is a typo, refused).
func (rq *rowsQuery) rowMatch(v []byte, seen map[string]bool) bool {
	if len(rq.where) == 0 {
		return rq.q == "" || strings.Contains(strings.ToLower(string(v)), rq.q)
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(v, &fields) != nil {
		return false
	}
	ok := true
	for name, want := range rq.where {
		raw, has := fields[name]
		if !has {
			ok = false
			continue
		}
		seen[name] = true
		if fieldText(raw) != want {
			ok = false
		}
	}
	return ok && (rq.q == "" || strings.Contains(strings.ToLower(string(v)), rq.q))
}

// fieldText is a JSON value as a query parameter writes it: a string
// unquoted, anything else as its JSON text (5, true, null).
func fieldText(raw json.RawMessage) string {
	var s string
	if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(bytes.TrimSpace(raw))
}

// page scans the bucket in rq's order and returns the page and how many
// rows matched in all. Each row is matched and listed as show makes it (the
// credential hashes left out), so a filter cannot probe what the listing
// hides. A where field that no row has is a 400.
func (rq *rowsQuery) page(tx *state.Tx, bucket string, show func([]byte) json.RawMessage) ([]json.RawMessage, int, error) {
	out := []json.RawMessage{}
	seen := map[string]bool{}
	total, rows := 0, 0
	cur := tx.Bucket(bucket).Cursor()
	first, next := cur.First, cur.Next
	if rq.desc {
		first, next = cur.Last, cur.Prev
	}
	for k, v := first(); k != nil; k, v = next() {
		if v == nil { // a nested bucket
			continue
		}
		rows++
		shown := show(v)
		if !rq.rowMatch(shown, seen) {
			continue
		}
		if total >= rq.offset && (rq.limit == 0 || len(out) < rq.limit) {
			out = append(out, shown)
		}
		total++
	}
	if rows > 0 {
		for _, name := range slices.Sorted(maps.Keys(rq.where)) {
			if !seen[name] {
				return nil, 0, api.Controlf(http.StatusBadRequest, "where.%s: no row of %s has a field %q", name, strings.Replace(bucket, ".", "/", 1), name)
			}
		}
	}
	return out, total, nil
}
