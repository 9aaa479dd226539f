package mocktest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Filter selects journal entries; every field left zero matches all. The
// server refuses (an *Error with Status 400) an unknown API, a Method that
// is no HTTP method and a broken Path glob, so a typo cannot make a
// verification pass.
type Filter struct {
	// API is "amapi", "carreta" or "saplab".
	API string
	// Method is an HTTP method, in any case.
	Method string
	// Path is the unprefixed path, exact or a glob (* one segment, **
	// any), without the query string.
	Path string
	// Fault selects the requests the rule with this id hit.
	Fault string
	// Since selects the entries after the one with this id.
	Since uint64
	// SinceTime selects the entries at or after this time.
	SinceTime time.Time
}

// query is f as the journal routes' parameters.
func (f Filter) query() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"api": f.API, "method": f.Method, "path": f.Path, "fault": f.Fault} {
		if v != "" {
			q.Set(k, v)
		}
	}
	switch {
	case f.Since != 0:
		q.Set("since", strconv.FormatUint(f.Since, 10))
	case !f.SinceTime.IsZero():
		q.Set("since", f.SinceTime.Format(time.RFC3339Nano))
	}
	return q
}

// Request is one journal entry: a request the mock received and what it
// answered.
type Request struct {
	ID     uint64    `json:"id"`
	Time   time.Time `json:"time"`
	API    string    `json:"api"`
	Method string    `json:"method"`
	// Path is unprefixed; Query is the raw query string.
	Path   string `json:"path"`
	Query  string `json:"query"`
	Remote string `json:"remote"`
	// Headers are as received, with credentials redacted
	// ("Bearer [redacted]").
	Headers http.Header `json:"headers"`
	// Body is the request's body, up to 64 KiB (BodyTruncated past it).
	Body          string `json:"body"`
	BodyTruncated bool   `json:"body_truncated"`
	// Status is the status answered.
	Status int `json:"status"`
	// DurationMS is how long the answer took, in milliseconds.
	DurationMS float64 `json:"duration_ms"`
	// Fault is the id of the fault rule that hit the request, if any.
	Fault string `json:"fault"`
	// ResponseBody is the body the client got (a fault's included), up
	// to 64 KiB; past it, cut with "...[truncated: N bytes in all]".
	// amapi's token in it is "[redacted]".
	ResponseBody string `json:"response_body"`
}

// Requests verifies what a mock received (/__admin/requests).
type Requests struct{ c *client }

// Requests is the mock's request journal.
func (m *Mock) Requests() Requests { return Requests{c: &m.c} }

// List returns the entries f selects, oldest first.
func (r Requests) List(ctx context.Context, f Filter) ([]Request, error) {
	var body struct {
		Requests []Request `json:"requests"`
	}
	err := r.c.do(ctx, http.MethodGet, "/__admin/requests?"+f.query().Encode(), nil, &body)
	return body.Requests, err
}

// Count counts the entries f selects.
func (r Requests) Count(ctx context.Context, f Filter) (int, error) {
	var body struct {
		Count int `json:"count"`
	}
	err := r.c.do(ctx, http.MethodGet, "/__admin/requests/count?"+f.query().Encode(), nil, &body)
	return body.Count, err
}

// Clear empties the journal.
func (r Requests) Clear(ctx context.Context) error {
	return r.c.do(ctx, http.MethodDelete, "/__admin/requests", nil, nil)
}

// DefaultWait is how long Wait waits when ctx has no deadline.
const DefaultWait = 5 * time.Second

// maxWait is the longest wait the server takes in one request.
const maxWait = 60 * time.Second

// Wait returns as soon as at least n entries match f, with how many match
// then (n or more). It waits until ctx's deadline, or DefaultWait when ctx
// has none; when that passes first, it returns the count so far and an
// *Error with Status 408 saying how many arrived. The server does the
// waiting, so a test drives its client, then calls Wait instead of
// sleeping.
func (r Requests) Wait(ctx context.Context, f Filter, n int) (int, error) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(DefaultWait)
	}
	q := f.query()
	q.Set("count", strconv.Itoa(n))
	for {
		left := min(time.Until(deadline).Truncate(time.Millisecond), maxWait)
		got, err := r.waitOnce(ctx, q, max(left, time.Millisecond))
		var e *Error
		if errors.As(err, &e) && e.Status == http.StatusRequestTimeout && time.Until(deadline) > 0 {
			continue // a wait longer than the server's longest, in parts
		}
		return got, err
	}
}

// waitOnce is one GET /__admin/requests/wait of at most timeout. Its
// request ends early only when ctx is cancelled: at ctx's deadline the
// server answers 408 itself, with the count so far, which the deadline
// cutting the request would lose.
func (r Requests) waitOnce(ctx context.Context, q url.Values, timeout time.Duration) (int, error) {
	q.Set("timeout", timeout.String())
	reqCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout+waitGrace)
	defer cancel()
	stop := context.AfterFunc(ctx, func() {
		if errors.Is(ctx.Err(), context.Canceled) {
			cancel()
		}
	})
	defer stop()
	const path = "/__admin/requests/wait"
	resp, err := r.c.send(reqCtx, http.MethodGet, path+"?"+q.Encode(), nil)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, fmt.Errorf("mocktest: GET %s: reading the answer: %w", path, err)
	}
	var body struct {
		Count int `json:"count"`
	}
	_ = json.Unmarshal(data, &body)
	if resp.StatusCode != http.StatusOK {
		return body.Count, answerError(http.MethodGet, path, resp.StatusCode, data)
	}
	return body.Count, nil
}

// waitGrace is how long past its timeout a wait's request may take to
// bring the server's 408 back before the client gives up on it.
const waitGrace = 5 * time.Second
