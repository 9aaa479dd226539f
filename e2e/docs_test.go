package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/servertest"
)

// carretaClient is the kind of client docs/faults.md tests: it tags each
// order with a reference in client_comment and, when an answer is lost,
// looks the reference up before ordering again.
type carretaClient struct {
	base, key string
	http      *http.Client
}

func (c *carretaClient) get(ctx context.Context, path string, query url.Values, out any) error {
	query.Set("api_key", c.key)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path+"?"+query.Encode(), nil)
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// Order places one order for the first offer of code, once, whatever
// happens to the answer.
func (c *carretaClient) Order(ctx context.Context, code, ref string) error {
	var found struct{ Objects []map[string]any }
	if err := c.get(ctx, "/v1/search/", url.Values{"q": {code}}, &found); err != nil {
		return err
	}
	if len(found.Objects) == 0 {
		return errors.New("no offers")
	}
	offer := found.Objects[0]
	offer["order_qty"], offer["client_comment"] = offer["min_qty"], ref
	body, _ := json.Marshal(offer)
	for attempt := 0; attempt < 3; attempt++ {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/v1/order/?api_key="+c.key, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.http.Do(req)
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
			if err == nil && resp.StatusCode == http.StatusCreated {
				return nil
			}
		}
		// The answer is lost or broken: the order may exist all the same.
		var mine struct{ Objects []json.RawMessage }
		if err := c.get(ctx, "/v1/order/", url.Values{"client_comment": {ref}}, &mine); err == nil && len(mine.Objects) > 0 {
			return nil
		}
	}
	return errors.New("could not place the order")
}

// TestDocs_clientDoesNotOrderTwice is the test of docs/faults.md, run
// against servertest instead of a separately started mock.
func TestDocs_clientDoesNotOrderTwice(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{})
	call := func(method, path, body string) (int, string) {
		r := m.Do(t, method, path, strings.NewReader(body))
		return r.Status, string(r.Body)
	}
	call("POST", "/__admin/reset", "")
	call("DELETE", "/__admin/requests", "")
	if code, b := call("POST", "/__admin/faults", `{"id": "order-lost", "api": "carreta",
		"method": "POST", "path": "/v1/order/", "when": {"nth": 1}, "phase": "after",
		"action": {"drop": true}}`); code != http.StatusCreated {
		t.Fatalf("arming the fault: %d %s", code, b)
	}

	client := &carretaClient{base: m.URL, key: carretaKey, http: &http.Client{}}
	done := make(chan error, 1)
	go func() { done <- client.Order(context.Background(), "OC47", "test-1") }()

	waited := sendAsync(m, "GET", "/__admin/requests/wait?api=carreta&method=GET&path=/v1/order/&count=1&timeout=10s", nil)
	checkWait := func(s sent) {
		if r := s.response(t); r.Status != http.StatusOK {
			t.Fatalf("the client never checked whether its order exists: %s", r.Body)
		}
	}
	select {
	case err := <-done: // a client that fails at once need not wait out the timeout
		if err != nil {
			t.Fatal(err)
		}
		checkWait(<-waited)
	case r := <-waited:
		checkWait(r)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if _, b := call("GET", "/__admin/requests/count?fault=order-lost", ""); b != `{"count":1}`+"\n" {
		t.Fatalf("the fault did not hit, so this test proves nothing: %s", b)
	}
	if _, b := call("GET", "/__admin/requests/count?method=POST&path=/v1/order/", ""); b != `{"count":1}`+"\n" {
		t.Fatalf("the client placed the order again: %s", b)
	}
	var mine struct{ Objects []json.RawMessage }
	if _, b := call("GET", "/v1/order/?api_key="+carretaKey+"&client_comment=test-1", ""); json.Unmarshal([]byte(b), &mine) != nil || len(mine.Objects) != 1 {
		t.Fatalf("orders tagged test-1: %s", b)
	}
}
