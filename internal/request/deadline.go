package request

import (
	"context"
	"net/http"
	"time"
)

// timeoutsKey holds the read and write timeouts of the server that accepted
// a request (WithTimeouts), for Unhurried.
type timeoutsKey struct{}

type timeouts struct{ read, write time.Duration }

// WithTimeouts records, in a listener's base context, the read and write
// timeouts its http.Server cuts connections with.
func WithTimeouts(ctx context.Context, read, write time.Duration) context.Context {
	return context.WithValue(ctx, timeoutsKey{}, timeouts{read, write})
}

// Unhurried is for a handler that is slow on purpose: a fault rule's
// delay, a wait on the journal (d, how long it may take), or a stream that
// lasts as long as its client listens (d < 0). It moves the connection's
// deadlines past d plus the server's read and write timeouts (or, d < 0,
// removes them), so that the server's WriteTimeout does not cut the answer
// and its ReadTimeout does not end the request's context (net/http cancels
// a request's context when its background read of the connection fails).
// Without timeouts recorded (httptest servers) it does nothing. Errors are
// ignored: a writer that cannot move deadlines has none to move.
func Unhurried(w http.ResponseWriter, r *http.Request, d time.Duration) {
	t, ok := r.Context().Value(timeoutsKey{}).(timeouts)
	if !ok {
		return
	}
	rc := http.NewResponseController(w)
	if d < 0 {
		_ = rc.SetReadDeadline(time.Time{})
		_ = rc.SetWriteDeadline(time.Time{})
		return
	}
	now := time.Now()
	if t.read > 0 {
		_ = rc.SetReadDeadline(now.Add(d + t.read))
	}
	if t.write > 0 {
		_ = rc.SetWriteDeadline(now.Add(d + t.write))
	}
}
