// Package pathglob matches URL paths against the patterns faults and journal
// filters use: an exact path, or a glob where "*" stands for one path segment
// (or part of one, as in path.Match) and "**" for any number of segments.
package pathglob

import (
	"path"
	"strings"
)

// IsGlob reports whether pattern has wildcards.
func IsGlob(pattern string) bool { return strings.ContainsAny(pattern, "*?[") }

// MaxDoubleStars bounds the ** segments of a pattern: each one may try every
// remaining segment of the path, so the work grows as len(path)^n, and a
// pattern someone posts to the control API must not be able to stall a
// request.
const MaxDoubleStars = 3

// Valid reports whether pattern can be matched: no bad brackets, at most
// MaxDoubleStars ** segments.
func Valid(pattern string) bool {
	stars := 0
	for _, seg := range strings.Split(pattern, "/") {
		if seg == "**" {
			if stars++; stars > MaxDoubleStars {
				return false
			}
			continue
		}
		if _, err := path.Match(seg, ""); err != nil {
			return false
		}
	}
	return true
}

// Match reports whether p matches pattern. A pattern without wildcards must
// equal p exactly (trailing slash included: carreta's /v1/order and
// /v1/order/ are different requests). It allocates nothing: it runs for every
// armed fault rule on every request.
func Match(pattern, p string) bool {
	if !IsGlob(pattern) {
		return pattern == p
	}
	return match(pattern, p)
}

// match walks pattern and p one "/"-separated segment at a time.
func match(pat, p string) bool {
	for {
		seg, rest, more := strings.Cut(pat, "/")
		if seg == "**" {
			if !more {
				return true // a trailing ** takes whatever is left
			}
			// ** takes zero or more whole segments of p.
			for {
				if match(rest, p) {
					return true
				}
				_, next, ok := strings.Cut(p, "/")
				if !ok {
					return false
				}
				p = next
			}
		}
		pseg, prest, pmore := strings.Cut(p, "/")
		if ok, err := path.Match(seg, pseg); err != nil || !ok {
			return false
		}
		if !pmore {
			// p is used up: what is left of the pattern must be able to
			// take nothing, which only ** segments can.
			return !more || onlyDoubleStars(rest)
		}
		if !more {
			return false
		}
		pat, p = rest, prest
	}
}

func onlyDoubleStars(pat string) bool {
	for {
		seg, rest, more := strings.Cut(pat, "/")
		if seg != "**" {
			return false
		}
		if !more {
			return true
		}
		pat = rest
	}
}
