package journal

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The journal's bounds. net/http lets a client send a request line and
// headers of up to 1 MiB, and 401s and unknown paths are journaled like any
// request, so without bounds of its own a journal of DefaultSize entries
// could hold gigabytes. Each part is cut to its bound, and the entries held
// are bounded by count (the size) and by bytes (the budget).
const (
	// DefaultBytes is the byte budget of a journal unless configured
	// (--journal-bytes): the oldest entries go once the held entries count
	// more. 32 MiB holds some 10,000 ordinary requests (about 3 KiB each
	// with their answers) and still some 150 of the largest (a body and
	// an answer at MaxBody, headers at MaxHeaderBytes, path and query at
	// MaxPart: about 215 KiB).
	DefaultBytes = 32 << 20
	// MaxPart bounds each string of an entry but the body: the method, the
	// path, the query, the remote address, each header name and each
	// header value, each contract violation's path and message.
	MaxPart = 8 << 10
	// MaxHeaderBytes bounds an entry's headers, names and values together:
	// headers past it (in name order) are left out.
	MaxHeaderBytes = 64 << 10
	// MaxViolations bounds an entry's contract violations.
	MaxViolations = 64
)

// TruncatedMark ends a string the journal cut, with the length it had:
// "/v1/aaaa...[truncated: 1048576 bytes in all]". The cut falls on a UTF-8
// character boundary.
const TruncatedMark = "...[truncated: %d bytes in all]"

// entryOverhead is what an entry costs beyond its strings: the Entry
// value, its pointer in the queue, the header map's buckets.
const entryOverhead = 512

// bound cuts every part of e, an entry the journal owns (AddOwned), to
// its bound, names the parts cut in Truncated and counts its size in
// e.bytes, so that the journal holds none of the request's larger
// buffers alive.
func bound(e *Entry) {
	var cut []string
	part := func(name string, s *string) {
		if c, ok := cutString(*s, MaxPart); ok {
			*s = c
			if !slices.Contains(cut, name) {
				cut = append(cut, name)
			}
		}
	}
	part("method", &e.Method)
	part("path", &e.Path)
	part("query", &e.Query)
	part("remote", &e.Remote)
	h, hbytes, ok := boundHeaders(e.Headers)
	if ok {
		e.Headers = h
		cut = append(cut, "headers")
	}
	if len(e.Body) > MaxBody {
		e.Body, e.BodyTruncated = strings.Clone(e.Body[:MaxBody]), true
	}
	if total := max(e.ResponseSize, len(e.ResponseBody)); total > MaxBody {
		e.ResponseBody = cutTo(e.ResponseBody, total, MaxBody)
		cut = append(cut, "response_body")
	}
	e.ResponseSize = 0
	if len(e.ContractViolations) > 0 {
		vs := slices.Clone(e.ContractViolations)
		if len(vs) > MaxViolations {
			vs = vs[:MaxViolations]
			cut = append(cut, "contract_violations")
		}
		for i := range vs {
			part("contract_violations", &vs[i].Path)
			part("contract_violations", &vs[i].Message)
		}
		e.ContractViolations = vs
	}
	if len(cut) > 0 {
		e.Truncated = append(slices.Clip(e.Truncated), cut...)
	}
	e.bytes = e.size(hbytes)
}

// cutString is s cut to at most max bytes on a character boundary, with
// TruncatedMark appended, and true; or s itself and false when it fits. The
// result is a new string: it keeps none of s's memory.
func cutString(s string, max int) (string, bool) {
	if len(s) <= max {
		return s, false
	}
	return cutTo(s, len(s), max), true
}

// cutTo is s, the beginning of something total bytes long, cut to at
// most max bytes on a character boundary with TruncatedMark appended.
func cutTo(s string, total, max int) string {
	n := min(max, len(s))
	for n > 0 && n < len(s) && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "...[truncated: " + strconv.Itoa(total) + " bytes in all]"
}

// boundHeaders returns h bounded (each name and value cut to MaxPart, the
// headers after MaxHeaderBytes left out, in name order) and true, or h and
// false when it is within bounds already; and what the headers returned
// count against the budget (headerBytes). h is never changed: it may be the
// request's own header map. Within bounds (every ordinary request) the map
// is walked once for both, not twice (issue 16).
func boundHeaders(h map[string][]string) (map[string][]string, int, bool) {
	total, fits, names, values := 0, true, 0, 0
	for k, vs := range h {
		total += len(k)
		fits = fits && len(k) <= MaxPart
		names++
		for _, v := range vs {
			total += len(v)
			fits = fits && len(v) <= MaxPart
		}
		values += len(vs)
	}
	if fits && total <= MaxHeaderBytes {
		return h, total + names*headerOverhead + values*valueOverhead, false
	}
	out := make(map[string][]string)
	total = 0
	for _, k := range slices.Sorted(maps.Keys(h)) {
		name, _ := cutString(k, MaxPart)
		total += len(name)
		var kept []string
		for _, v := range h[k] {
			v, _ = cutString(v, MaxPart)
			if total += len(v); total > MaxHeaderBytes {
				break
			}
			kept = append(kept, v)
		}
		if total > MaxHeaderBytes {
			if len(kept) > 0 {
				out[name] = kept
			}
			break
		}
		out[name] = kept
	}
	return out, headerBytes(out), true
}

// The overhead counted per header name and per value (Go's string and
// slice headers, the map's buckets).
const headerOverhead, valueOverhead = 48, 16

// headerBytes is what h counts against the budget.
func headerBytes(h map[string][]string) int {
	n := 0
	for k, vs := range h {
		n += len(k) + headerOverhead
		for _, v := range vs {
			n += len(v) + valueOverhead
		}
	}
	return n
}

// size is what e counts against the budget: its strings and a fixed
// overhead per entry, header and violation (Go's string and slice headers,
// the map's buckets). headers is what its headers count (headerBytes),
// which boundHeaders has just summed.
func (e *Entry) size(headers int) int64 {
	n := entryOverhead + len(e.API) + len(e.Method) + len(e.Path) + len(e.Query) + len(e.Remote) +
		len(e.Body) + len(e.Fault) + len(e.ResponseBody) + headers
	for _, v := range e.ContractViolations {
		n += len(v.Path) + len(v.Message) + 32
	}
	for _, t := range e.Truncated {
		n += len(t) + 16
	}
	return int64(n)
}
