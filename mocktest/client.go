package mocktest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Error is a request the mock's control API refused, or could not answer:
// the status and the server's own message, with the problems of a bad
// scenario or fault rule (one "file:line: message" or "field: message"
// each).
type Error struct {
	// Method and Path are the control request that failed.
	Method, Path string
	// Status is the HTTP status the server answered.
	Status int
	// Message is the server's "error".
	Message string
	// Problems are the server's "problems", when it listed any.
	Problems []string
}

// Error reads "mocktest: POST /__admin/scenario: 400 <message>", then the
// problems one per line.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "mocktest: %s %s: %d %s", e.Method, e.Path, e.Status, e.Message)
	for _, p := range e.Problems {
		b.WriteString("\n\t")
		b.WriteString(p)
	}
	return b.String()
}

// client speaks to one world's control API: base is the server's URL with
// the world's prefix.
type client struct {
	http  *http.Client
	base  string
	token string
}

// do sends a control request with in (nil: no body; []byte: sent as is;
// anything else: as JSON) and decodes a 2xx answer into out (nil: the
// answer is read and dropped). Any other status is an *Error.
func (c *client) do(ctx context.Context, method, path string, in, out any) error {
	resp, err := c.send(ctx, method, path, in)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("mocktest: %s %s: reading the answer: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return answerError(method, path, resp.StatusCode, data)
	}
	if out == nil || len(data) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("mocktest: %s %s: decoding the answer: %w", method, path, err)
	}
	return nil
}

// send builds and sends one control request.
func (c *client) send(ctx context.Context, method, path string, in any) (*http.Response, error) {
	var body io.Reader
	contentType := ""
	switch v := in.(type) {
	case nil:
	case []byte:
		body = bytes.NewReader(v)
	default:
		data, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("mocktest: %s %s: %w", method, path, err)
		}
		body, contentType = bytes.NewReader(data), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, fmt.Errorf("mocktest: %s %s: %w", method, path, err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("mocktest: %s %s: %w", method, path, err)
	}
	return resp, nil
}

// answerError is the *Error of a non-2xx answer: the server's
// {"error", "problems"}, or the body itself when it is not that shape.
func answerError(method, path string, status int, data []byte) *Error {
	e := &Error{Method: method, Path: path, Status: status}
	var body struct {
		Error    string   `json:"error"`
		Problems []string `json:"problems"`
	}
	if json.Unmarshal(data, &body) == nil && body.Error != "" {
		e.Message, e.Problems = body.Error, body.Problems
	} else {
		e.Message = strings.TrimSpace(string(data))
	}
	return e
}
