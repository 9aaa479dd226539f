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

// Valid reports whether pattern can be matched (bad brackets cannot).
func Valid(pattern string) bool {
	for _, seg := range strings.Split(pattern, "/") {
		if seg == "**" {
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
// /v1/order/ are different requests).
func Match(pattern, p string) bool {
	if !IsGlob(pattern) {
		return pattern == p
	}
	return match(strings.Split(pattern, "/"), strings.Split(p, "/"))
}

func match(pat, segs []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			rest := pat[1:]
			for i := 0; i <= len(segs); i++ {
				if match(rest, segs[i:]) {
					return true
				}
			}
			return false
		}
		if len(segs) == 0 {
			return false
		}
		if ok, err := path.Match(pat[0], segs[0]); err != nil || !ok {
			return false
		}
		pat, segs = pat[1:], segs[1:]
	}
	return len(segs) == 0
}
