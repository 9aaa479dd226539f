package server

import (
	"net/http"
	"sync"
	"unsafe"

	"github.com/mockserver/mockserver/internal/journal"
	"github.com/mockserver/mockserver/internal/request"
)

// observed is what observe allocates per request, in one allocation: the
// request's Info, the context that carries it to the handler (on the
// root, where observe runs after routing), and the tap that keeps its
// answer for the journal.
//
// They are taken from a pool and given back once observe is done with the
// request (its log line, its journal entry and fault.Finish): nothing
// keeps them past it, as nothing keeps echo's own context, which echo
// pools the same way. The entry copies what it keeps of them (the tap's
// string is immutable and moves into the entry). A request that panics
// past observe leaves its value to the collector. The allocation, a
// quarter of a kilobyte zeroed per request, was 8% of a small read's CPU
// in process (issue 16).
type observed struct {
	info request.Info
	ctx  request.Context
	tap  tap
}

// observedPool holds the observed values of finished requests.
var observedPool = sync.Pool{New: func() any { return new(observed) }}

// newObserved is an observed value with every field zero.
func newObserved() *observed { return observedPool.Get().(*observed) }

// done clears o and gives it back to the pool; o must not be used after.
func (o *observed) done() {
	*o = observed{}
	observedPool.Put(o)
}

// tap passes an answer through to the client and keeps the beginning of
// its body, at most journal.MaxBody bytes, for the journal entry: the body
// the client got, a fault's included, since it sits outside the fault
// middleware. Vendors write an answer in one Write, so the common case is
// one copy, straight into the string the entry keeps; a buffer is only
// made for an answer written in pieces. It cannot keep the caller's slice
// in general: callers reuse it (saplab's list pages do). A handler that
// writes bytes it never changes (carreta's cached search answers) says so
// with request.Info.Fix, and those bytes are kept with no copy at all.
type tap struct {
	http.ResponseWriter
	str   string // the kept bytes while the answer came in one Write
	buf   []byte // the kept bytes once a second Write came
	size  int    // bytes written in all
	head  bool   // a HEAD request: net/http eats what is written, the client gets no body
	fixed bool   // str is the handler's fixed bytes (request.Info.Fix), never changed
	info  *request.Info
}

// Write sends b and keeps what of it the client was sent (nothing for a
// HEAD request) and fits in journal.MaxBody.
func (t *tap) Write(b []byte) (int, error) {
	n, err := t.ResponseWriter.Write(b)
	if t.head {
		return n, err
	}
	if room := journal.MaxBody - t.size; room > 0 && n > 0 {
		take := b[:min(n, room)]
		switch {
		case t.size == 0 && t.info.Fixes(b):
			// Bytes the handler declared it never changes (request.Info.Fix):
			// kept as they are, with no copy.
			t.str, t.fixed = unsafe.String(&take[0], len(take)), true
		case t.size == 0:
			t.str = string(take)
		case t.buf == nil:
			t.buf = append(append(make([]byte, 0, len(t.str)+len(take)), t.str...), take...)
			t.str, t.fixed = "", false
		default:
			t.buf = append(t.buf, take...)
		}
	}
	t.size += n
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (flushes, and
// the fault rules that hijack it).
func (t *tap) Unwrap() http.ResponseWriter { return t.ResponseWriter }

// fixedAnswer reports whether what the tap kept is the handler's fixed
// bytes (request.Info.Fix) alone: bytes that never change.
func (t *tap) fixedAnswer() bool { return t.fixed && t.buf == nil }

// kept is the beginning of the answer the tap kept, and the answer's size.
func (t *tap) kept() (string, int) {
	if t.buf != nil {
		return string(t.buf), t.size
	}
	return t.str, t.size
}
