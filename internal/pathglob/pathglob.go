// Package pathglob matches URL paths against the patterns faults and journal
// filters use: an exact path, or a glob where "*" stands for one path segment
// (or part of one, as in path.Match) and "**" for any number of segments.
//
// Matching is linear in the path: a request's path is the client's to make
// as long as net/http allows (1 MiB), and a rule is matched against every
// vendor request, so no path may cost more than a constant per byte for a
// given pattern (see match).
package pathglob

import (
	"path"
	"strings"
)

// IsGlob reports whether pattern has wildcards.
func IsGlob(pattern string) bool { return strings.ContainsAny(pattern, "*?[") }

// MaxDoubleStars bounds the ** segments of a pattern. Matching no longer
// needs the bound (it is linear in the path whatever the count), but
// patterns valid before stay the patterns valid now: a scenario or a test
// that relied on the limit's 400 keeps it.
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
// /v1/order/ are different requests). It allocates nothing and holds no
// lock: it runs for every armed fault rule on every request.
func Match(pattern, p string) bool {
	if !IsGlob(pattern) {
		return pattern == p
	}
	return match(pattern, p, nil)
}

// match is the classic backtracking-free wildcard match, over "/"-separated
// segments instead of bytes: "**" is the star (any number of whole
// segments), every other pattern segment takes exactly one path segment
// (path.Match within it). On a mismatch only the last ** seen takes one
// more segment and the pattern after it starts again; earlier ** never
// need to move, because the leftmost place for each run of fixed segments
// between two ** is always as good as any later one.
//
// Cost: each path segment is tried against each pattern segment of one run
// at most once per start position of that run, and path.Match is itself
// backtracking-free (O(len(segment) x len(pattern segment))), so the whole
// match is O(len(pattern) x len(p)): linear in the path, whatever the
// number of ** (the recursive match it replaced was O(len(p)^stars)).
//
// Positions are byte offsets of a segment's start; len(s)+1 means s is used
// up (a path ending in "/" has a last, empty, segment).
//
// steps, when not nil, counts the segment comparisons (the tests' proof of
// linearity, by count rather than by stopwatch).
func match(pat, p string, steps *int) bool {
	pi, si := 0, 0
	starPi, starSi := -1, -1 // after the last ** seen, and where its take ends
	pEnd, sEnd := len(pat)+1, len(p)+1
	for si < sEnd {
		if pi < pEnd {
			seg, pNext := segment(pat, pi)
			if seg == "**" {
				starPi, starSi, pi = pNext, si, pNext
				continue
			}
			pseg, sNext := segment(p, si)
			if steps != nil {
				*steps++
			}
			if ok, err := path.Match(seg, pseg); err == nil && ok {
				pi, si = pNext, sNext
				continue
			}
		}
		if starPi < 0 {
			return false
		}
		// The last ** takes one more segment; retry the pattern after it.
		_, starSi = segment(p, starSi)
		pi, si = starPi, starSi
	}
	// p is used up: what is left of the pattern must be able to take
	// nothing, which only ** segments can.
	for pi < pEnd {
		seg, next := segment(pat, pi)
		if seg != "**" {
			return false
		}
		pi = next
	}
	return true
}

// segment is the segment of s starting at byte offset at, and the offset of
// the next one (len(s)+1 after the last).
func segment(s string, at int) (seg string, next int) {
	if i := strings.IndexByte(s[at:], '/'); i >= 0 {
		return s[at : at+i], at + i + 1
	}
	return s[at:], len(s) + 1
}
