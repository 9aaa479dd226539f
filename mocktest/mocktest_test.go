package mocktest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mockserver/mockserver/mocktest"
)

// send makes one request to the mock as a client would and returns the
// status. headers are name, value pairs.
func send(t *testing.T, method, url, body string, headers ...string) int {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// order places a carreta order (bench/carreta-order.json) in m.
func order(t *testing.T, m *mocktest.Mock) {
	t.Helper()
	body, err := os.ReadFile("../bench/carreta-order.json")
	if err != nil {
		t.Fatal(err)
	}
	if got := send(t, "POST", m.CarretaURL()+"/order/?api_key="+mocktest.CarretaAPIKey, string(body), "Content-Type", "application/json"); got != http.StatusCreated {
		t.Fatalf("carreta order: %d", got)
	}
}

// orders counts m's carreta orders through State.
func orders(t *testing.T, m *mocktest.Mock) int {
	t.Helper()
	var rows []map[string]any
	if err := m.State(context.Background(), "carreta", "orders", &rows); err != nil {
		t.Fatal(err)
	}
	return len(rows)
}

// Two tests Connected to one server each see their own world: an order, a
// fault, a clock move and a reset in one leave the other as it was.
func TestConnect_isolation(t *testing.T) {
	server := mocktest.New(t).URL()
	a, b := mocktest.Connect(t, server), mocktest.Connect(t, server)
	ctx := context.Background()
	if a.URL() == b.URL() || a.World() == "" || !strings.HasPrefix(a.URL(), server+"/w/"+a.World()) {
		t.Fatalf("world URLs: %q %q on %q", a.URL(), b.URL(), server)
	}
	seeded := orders(t, b)
	order(t, a)
	if got := orders(t, a); got != seeded+1 {
		t.Fatalf("a's orders: %d, want %d", got, seeded+1)
	}
	if got := orders(t, b); got != seeded {
		t.Fatalf("a's order is in b: %d orders, want %d", got, seeded)
	}
	if err := a.Faults().Add(ctx, mocktest.Rule{ID: "down", API: "carreta", Path: "/v1/profile/", Action: mocktest.Action{Status: 503}}); err != nil {
		t.Fatal(err)
	}
	if got := send(t, "GET", b.CarretaURL()+"/profile/?api_key="+mocktest.CarretaAPIKey, ""); got != http.StatusOK {
		t.Fatalf("a's fault hit b: %d", got)
	}
	before, _ := b.Clock().Now(ctx)
	if err := a.Clock().Advance(ctx, 48*time.Hour); err != nil {
		t.Fatal(err)
	}
	if after, _ := b.Clock().Now(ctx); after.Sub(before) > time.Hour {
		t.Fatalf("a's clock move moved b's clock from %s to %s", before, after)
	}
	order(t, b)
	if err := a.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if got := orders(t, b); got != seeded+1 {
		t.Fatalf("a's reset changed b: %d orders, want %d", got, seeded+1)
	}
}

// Eight parallel subtests share one server through worlds: each sees its
// own requests, fault and orders alone. In CI the server is a container
// and server its URL.
func TestConnect_parallel(t *testing.T) {
	server := mocktest.New(t).URL()
	for i := range 8 {
		t.Run(fmt.Sprint("client", i), func(t *testing.T) {
			t.Parallel()
			m := mocktest.Connect(t, server)
			ctx := context.Background()
			id := fmt.Sprint("outage", i)
			err := m.Faults().Add(ctx, mocktest.Rule{ID: id, API: "carreta", Method: "GET", Path: "/v1/profile/",
				When: mocktest.When{Nth: 1}, Action: mocktest.Action{Status: 503}})
			if err != nil {
				t.Fatal(err)
			}
			for range i + 1 {
				send(t, "GET", m.CarretaURL()+"/profile/?api_key="+mocktest.CarretaAPIKey, "")
			}
			all, err := m.Requests().Count(ctx, mocktest.Filter{})
			if err != nil || all != i+1 {
				t.Fatalf("requests in this world: %d, %v; want %d", all, err, i+1)
			}
			if hit, _ := m.Requests().Count(ctx, mocktest.Filter{Fault: id}); hit != 1 {
				t.Fatalf("requests hit by %s: %d, want 1", id, hit)
			}
			if rules, _ := m.Faults().List(ctx); len(rules) != 1 || rules[0].ID != id {
				t.Fatalf("fault rules in this world: %+v", rules)
			}
		})
	}
}

// A typed rule armed with Add fails the next request; after Remove the
// same request succeeds, and List round-trips every field.
func TestFaults_addListRemove(t *testing.T) {
	m := mocktest.New(t)
	ctx := context.Background()
	profile := m.CarretaURL() + "/profile/?api_key=" + mocktest.CarretaAPIKey
	rule := mocktest.Rule{ID: "slow-outage", API: "carreta", Method: "GET", Path: "/v1/profile/",
		When: mocktest.When{Every: 1, Times: 5}, Phase: mocktest.PhaseBefore,
		Action: mocktest.Action{Status: 502, Body: "upstream", Headers: map[string]string{"Retry-After": "1"},
			Delay: time.Millisecond, DelayMax: 2 * time.Millisecond}}
	if err := m.Faults().Add(ctx, rule); err != nil {
		t.Fatal(err)
	}
	if got := send(t, "GET", profile, ""); got != 502 {
		t.Fatalf("with the rule armed: %d, want 502", got)
	}
	rules, err := m.Faults().List(ctx)
	if err != nil || len(rules) != 1 || rules[0].Fired != 1 || rules[0].Source == "" {
		t.Fatalf("List: %+v, %v", rules, err)
	}
	if got := rules[0].Rule; fmt.Sprint(got) != fmt.Sprint(rule) {
		t.Fatalf("the rule listed:\n%+v\nwant\n%+v", got, rule)
	}
	if err := m.Faults().Remove(ctx, "slow-outage"); err != nil {
		t.Fatal(err)
	}
	if got := send(t, "GET", profile, ""); got != 200 {
		t.Fatalf("after Remove: %d, want 200", got)
	}
	var e *mocktest.Error
	if err := m.Faults().Remove(ctx, "slow-outage"); !errors.As(err, &e) || e.Status != 404 {
		t.Fatalf("removing it twice: %v", err)
	}
	if err := m.Faults().Add(ctx, mocktest.Rule{ID: "x", API: "nope", Path: "/v1/"}); !errors.As(err, &e) || e.Status != 400 || len(e.Problems) == 0 {
		t.Fatalf("a bad rule: %v", err)
	}
	if err := m.Faults().Add(ctx, mocktest.Rule{ID: "y", API: "carreta", Path: "/v1/profile/", Action: mocktest.Action{Status: 503}}); err != nil {
		t.Fatal(err)
	}
	if err := m.Faults().Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if rules, _ := m.Faults().List(ctx); len(rules) != 0 {
		t.Fatalf("after Clear: %+v", rules)
	}
}

// Wait returns once the request it waits for arrives: the test sends it
// from another goroutine after Wait's request is in. A wait that runs out
// returns the count so far with a 408 *Error; a cancelled one returns at
// once.
func TestRequests_wait(t *testing.T) {
	m := mocktest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	f := mocktest.Filter{API: "amapi", Method: "post", Path: "/api/login"}
	done := make(chan error, 1)
	go func() {
		_, err := m.Requests().Wait(ctx, f, 1)
		done <- err
	}()
	// Whether Wait's request reaches the server before the login or
	// after, it cannot return before the login is in the journal.
	req, _ := http.NewRequest("POST", m.AmapiURL()+"/login", strings.NewReader(`{"email":"`+mocktest.AmapiEmail+`","password":"`+mocktest.AmapiPassword+`"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("login with the demo identity: %d", resp.StatusCode)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	list, err := m.Requests().List(ctx, f)
	if err != nil || len(list) != 1 || list[0].Status != 201 || list[0].Method != "POST" || !strings.Contains(list[0].Body, mocktest.AmapiEmail) {
		t.Fatalf("List: %+v, %v", list, err)
	}
	short, stop := context.WithTimeout(ctx, 50*time.Millisecond)
	defer stop()
	n, err := m.Requests().Wait(short, f, 2)
	var e *mocktest.Error
	if n != 1 || !errors.As(err, &e) || e.Status != http.StatusRequestTimeout || !strings.Contains(e.Message, "1 of 2") {
		t.Fatalf("a wait that runs out: %d, %v", n, err)
	}
	cancelled, cancelNow := context.WithCancel(ctx)
	cancelNow()
	if _, err := m.Requests().Wait(cancelled, f, 2); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled wait: %v", err)
	}
	if _, err := m.Requests().Count(ctx, mocktest.Filter{API: "amapy"}); !errors.As(err, &e) || e.Status != 400 || !strings.Contains(e.Message, "amapy") {
		t.Fatalf("a misspelt api: %v", err)
	}
}

// Clock moves are what Now reads back; State and StateByID decode rows.
func TestClock_andState(t *testing.T) {
	m := mocktest.New(t)
	ctx := context.Background()
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	if err := m.Clock().Freeze(ctx, true); err != nil {
		t.Fatal(err)
	}
	if err := m.Clock().Set(ctx, start); err != nil {
		t.Fatal(err)
	}
	if err := m.Clock().Advance(ctx, 90*time.Minute); err != nil {
		t.Fatal(err)
	}
	now, err := m.Clock().Now(ctx)
	if frozen, _ := m.Clock().Frozen(ctx); err != nil || !now.Equal(start.Add(90*time.Minute)) || !frozen {
		t.Fatalf("clock: %s frozen=%v, %v", now, frozen, err)
	}
	if err := m.Clock().Reset(ctx); err != nil {
		t.Fatal(err)
	}
	var owner struct {
		Name string `json:"name"`
		Seat string `json:"seat"`
	}
	if err := m.StateByID(ctx, "saplab", "employees", "1", &owner); err != nil || owner.Name != "Демо Владелец" || owner.Seat != "Директор" {
		t.Fatalf("saplab employee 1: %+v, %v", owner, err)
	}
	var e *mocktest.Error
	if err := m.StateByID(ctx, "saplab", "employees", "999", &owner); !errors.As(err, &e) || e.Status != 404 {
		t.Fatalf("a missing row: %v", err)
	}
}

// A bad scenario, loaded or given to Connect, comes back with the
// server's message and its problems; a good one by name loads.
func TestLoadScenario_errors(t *testing.T) {
	m := mocktest.New(t)
	ctx := context.Background()
	const bad = "name: x\nseed: 1\namapi:\n  users: [{name: a}]\nbogus: 1\n"
	err := m.LoadScenario(ctx, bad)
	var e *mocktest.Error
	if !errors.As(err, &e) || e.Status != 400 || len(e.Problems) < 2 || !strings.Contains(err.Error(), e.Problems[0]) {
		t.Fatalf("a bad scenario: %v", err)
	}
	if err := m.LoadScenario(ctx, "empty"); err != nil {
		t.Fatal(err)
	}
	if got := send(t, "GET", m.CarretaURL()+"/profile/?api_key="+mocktest.CarretaAPIKey, ""); got == http.StatusOK {
		t.Fatal("the empty scenario still knows the demo key")
	}
	if err := m.Reset(ctx); err != nil {
		t.Fatal(err)
	}
}

// The demo identities are the default scenario's: each one is let in
// where a stranger is turned away.
func TestIdentities(t *testing.T) {
	m := mocktest.New(t)
	json := []string{"Accept", "application/json", "Content-Type", "application/json"}
	for _, c := range []struct {
		name     string
		got, not int
	}{
		{"amapi token", send(t, "POST", m.AmapiURL()+"/create-order", "{}", append(json, "Authorization", "Bearer "+mocktest.AmapiToken)...),
			send(t, "POST", m.AmapiURL()+"/create-order", "{}", append(json, "Authorization", "Bearer 1|nobody")...)},
		{"carreta key", send(t, "GET", m.CarretaURL()+"/profile/?api_key="+mocktest.CarretaAPIKey, ""),
			send(t, "GET", m.CarretaURL()+"/profile/?api_key=nobody", "")},
		{"saplab owner", sendBasic(t, m.SaplabURL()+"/client", mocktest.SaplabOwnerLogin, mocktest.SaplabOwnerPassword),
			sendBasic(t, m.SaplabURL()+"/client", mocktest.SaplabOwnerLogin, "wrong")},
		{"saplab operator", sendBasic(t, m.SaplabURL()+"/client", mocktest.SaplabOperatorLogin, mocktest.SaplabOperatorPassword),
			sendBasic(t, m.SaplabURL()+"/client", mocktest.SaplabOperatorLogin, "wrong")},
	} {
		if c.got == c.not || c.got == http.StatusUnauthorized || c.got == http.StatusForbidden {
			t.Errorf("%s: %d, a stranger %d", c.name, c.got, c.not)
		}
	}
}

// sendBasic is a GET with HTTP Basic credentials.
func sendBasic(t *testing.T, url, user, password string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.SetBasicAuth(user, password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// The admin token: New's server requires it, and a Mock made with it
// sends it.
func TestWithAdminToken(t *testing.T) {
	m := mocktest.New(t, mocktest.WithAdminToken("s3cret"))
	w := mocktest.Connect(t, m.URL(), mocktest.WithAdminToken("s3cret"), mocktest.WithTTL(time.Minute))
	if err := w.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := send(t, "POST", m.URL()+"/__admin/reset", ""); got != http.StatusUnauthorized {
		t.Fatalf("reset without the token: %d", got)
	}
}
