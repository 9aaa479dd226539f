package carreta

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/request"
)

// appendSlash is the route table's Redirect: it answers a slashless path
// with 301 to the slashed one, query kept, as Django's CommonMiddleware does
// with APPEND_SLASH in production: for every method (a POST loses its body,
// as it would against the real server), before authentication, with an
// empty text/html body. Like Django it only redirects when the slashed path
// exists, so /order/abc is a 404. In a world reached through /w/<id>, the
// Location keeps that prefix.
func appendSlash(c echo.Context) error {
	if c.Param("id") != "" {
		if _, ok := pathID(c); !ok {
			return echo.ErrNotFound
		}
	}
	r := c.Request()
	loc := r.URL.EscapedPath() + "/"
	if info := request.From(c); info != nil {
		loc = info.Prefix + loc // a world's client stays in its world (SPEC §10)
	}
	if r.URL.RawQuery != "" {
		loc += "?" + r.URL.RawQuery
	}
	loc = iriToURI(loc)
	h := c.Response().Header()
	h.Set(echo.HeaderLocation, loc)
	h.Set(echo.HeaderContentType, "text/html; charset=utf-8")
	c.Response().WriteHeader(http.StatusMovedPermanently)
	return nil
}

// iriToURI is Django's iri_to_uri, which the redirect's Location passes
// through: Python's quote with safe="/#%[]=:;$&()+,!?*@'~", so a query a
// client sent unencoded (raw UTF-8, spaces) comes back percent-encoded and
// the header stays ASCII; what was already encoded is kept as sent.
func iriToURI(s string) string {
	const hex = "0123456789ABCDEF"
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_.-~/#%[]=:;$&()+,!?*@'", c) >= 0) {
			if b != nil {
				b = append(b, c)
			}
			continue
		}
		if b == nil {
			b = append(make([]byte, 0, len(s)+16), s[:i]...)
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	if b == nil {
		return s
	}
	return string(b)
}
