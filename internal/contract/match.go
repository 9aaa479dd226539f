package contract

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// The routing rules of a document that OpenAPI itself cannot state. They are
// extensions of the document, so the document alone says how a request finds
// its operation, and the validator follows it rather than the other way round.
const (
	// extRoutePattern on a path parameter is the router's own pattern for
	// it: a path whose segment does not match is not this path at all
	// (Django's <int:id>: /v1/order/abc/ is the generic 404, not an order's).
	extRoutePattern = "x-route-pattern"
	// extPathRest on the last path parameter makes it take the rest of the
	// path, slashes included: saplab's filters, key/value/key/value...
	extPathRest = "x-path-rest"
)

// route is one path of a document, split for matching.
type route struct {
	template string // as the document writes it: /v1/order/{id}/
	segs     []segment
	item     *pathItem
	literals int // literal segments: the more, the more specific
}

// segment is one segment of a path template.
type segment struct {
	literal string         // the segment, for a literal one
	param   string         // the parameter's name, for a {param}
	pattern *regexp.Regexp // extRoutePattern, when the parameter has one
	rest    bool           // extPathRest: it takes the rest of the path
}

// match is a request path resolved to a route: the route and the path
// rewritten the way the validator reads it (one segment per parameter).
type match struct {
	route *route
	path  string
}

// routes splits every path of doc for matching, in document order.
func routes(doc *document) ([]*route, error) {
	var out []*route
	for _, item := range doc.paths {
		tmpl := item.template
		r := &route{template: tmpl, item: item}
		for _, s := range strings.Split(strings.TrimPrefix(tmpl, "/"), "/") {
			seg, err := parseSegment(s, item)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", tmpl, err)
			}
			if seg.param == "" {
				r.literals++
			}
			r.segs = append(r.segs, seg)
		}
		out = append(out, r)
	}
	return out, nil
}

// parseSegment reads one template segment; a parameter's routing
// extensions come from its declaration on the path or any operation.
func parseSegment(s string, item *pathItem) (segment, error) {
	if !strings.HasPrefix(s, "{") || !strings.HasSuffix(s, "}") {
		return segment{literal: s}, nil
	}
	seg := segment{param: s[1 : len(s)-1]}
	declared := false
	for _, p := range pathParams(item) {
		if p.name != seg.param {
			continue
		}
		declared = true
		if pat, ok := p.raw[extRoutePattern].(string); ok {
			re, err := regexp.Compile(pat)
			if err != nil {
				return seg, fmt.Errorf("%s of %s: %w", extRoutePattern, seg.param, err)
			}
			seg.pattern = re
		}
		if rest, ok := p.raw[extPathRest].(bool); ok {
			seg.rest = seg.rest || rest
		}
	}
	if !declared {
		// The OpenAPI meta-schema cannot see this; a client tool could not
		// fill the path in.
		return seg, fmt.Errorf("path parameter %s is not declared", seg.param)
	}
	return seg, nil
}

// pathParams lists the path parameters declared on item and its operations.
func pathParams(item *pathItem) []*parameter {
	var out []*parameter
	for _, op := range item.ops {
		for _, p := range op.params {
			if p.in == "path" {
				out = append(out, p)
			}
		}
	}
	return out
}

// find resolves an escaped request path to the most specific route it
// matches (the one with most literal segments; a rest parameter loses a
// tie), or nil.
func find(rs []*route, path string) *match {
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	var best *match
	var bestRest bool
	for _, r := range rs {
		rewritten, rest, ok := r.match(parts)
		if !ok {
			continue
		}
		better := best == nil || r.literals > best.route.literals ||
			r.literals == best.route.literals && bestRest && !rest
		if better {
			best, bestRest = &match{route: r, path: rewritten}, rest
		}
	}
	return best
}

// match reports whether parts (the escaped path's segments) fit r, and the
// path with a rest parameter's segments escaped into one.
func (r *route) match(parts []string) (string, bool, bool) {
	var b strings.Builder
	for i, seg := range r.segs {
		if seg.rest && i == len(r.segs)-1 {
			rest := strings.Join(parts[min(i, len(parts)):], "/")
			if i >= len(parts) || rest == "" {
				return "", false, false
			}
			b.WriteString("/" + url.PathEscape(rest))
			return b.String(), true, true
		}
		if i >= len(parts) {
			return "", false, false
		}
		p := parts[i]
		switch {
		case seg.param == "" && p != seg.literal:
			return "", false, false
		case seg.param != "" && p == "":
			return "", false, false // routers match a parameter to one or more characters
		case seg.pattern != nil && !seg.pattern.MatchString(unescape(p)):
			return "", false, false
		}
		b.WriteString("/" + p)
	}
	return b.String(), false, len(parts) == len(r.segs)
}

// unescape is a path segment decoded, or as sent when it cannot be.
func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}
