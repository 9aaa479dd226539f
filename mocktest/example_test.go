package mocktest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mockserver/mockserver/mocktest"
)

// exampleT stands in for the *testing.T a test has and an Example has
// not: its cleanups run at end, and a failure panics.
type exampleT struct {
	testing.TB
	cleanups []func()
}

// newT is an exampleT; the example defers its end.
func newT() *exampleT { return &exampleT{} }

func (t *exampleT) Helper()                           {}
func (t *exampleT) Cleanup(f func())                  { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) Errorf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }
func (t *exampleT) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }
func (t *exampleT) Fatal(args ...any)                 { panic(fmt.Sprint(args...)) }

// TempDir is a directory removed at end.
func (t *exampleT) TempDir() string {
	dir, err := os.MkdirTemp("", "mocktest-example-")
	if err != nil {
		panic(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// end runs the cleanups, last first, as a test's end does.
func (t *exampleT) end() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}

// get sends a GET and returns the status, for the examples' stand-in
// client.
func get(url string) int {
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// A test starts the whole mock in-process and points its client at it.
func ExampleNew() {
	t := newT()
	defer t.end()
	mock := mocktest.New(t)
	fmt.Println(get(mock.CarretaURL() + "/profile/?api_key=" + mocktest.CarretaAPIKey))
	// Output: 200
}

// Connect takes a world of its own on a running server: a container in CI,
// here a server the example starts itself.
func ExampleConnect() {
	t := newT()
	defer t.end()
	server := mocktest.New(t).URL() // in CI: the container's URL
	a := mocktest.Connect(t, server)
	b := mocktest.Connect(t, server)
	ctx := context.Background()
	get(a.CarretaURL() + "/profile/?api_key=" + mocktest.CarretaAPIKey)
	na, _ := a.Requests().Count(ctx, mocktest.Filter{API: "carreta"})
	nb, _ := b.Requests().Count(ctx, mocktest.Filter{API: "carreta"})
	fmt.Println(strings.HasPrefix(a.URL(), server+"/w/"), na, nb)
	// Output: true 1 0
}

// A fault rule makes the first profile request fail with a 503, as an
// outage would; the second gets through.
func ExampleFaults() {
	t := newT()
	defer t.end()
	mock := mocktest.New(t)
	ctx := context.Background()
	err := mock.Faults().Add(ctx, mocktest.Rule{
		ID: "outage", API: "carreta", Method: "GET", Path: "/v1/profile/",
		When:   mocktest.When{Nth: 1},
		Action: mocktest.Action{Status: http.StatusServiceUnavailable},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	profile := mock.CarretaURL() + "/profile/?api_key=" + mocktest.CarretaAPIKey
	fmt.Println(get(profile), get(profile))
	rules, _ := mock.Faults().List(ctx)
	fmt.Println(rules[0].ID, rules[0].Fired)
	// Output:
	// 503 200
	// outage 1
}

// A test of an asynchronous client waits for its requests instead of
// sleeping: Wait returns as soon as they have arrived.
func ExampleRequests_Wait() {
	t := newT()
	defer t.end()
	mock := mocktest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	go get(mock.CarretaURL() + "/profile/?api_key=" + mocktest.CarretaAPIKey) // the client, in the background
	n, err := mock.Requests().Wait(ctx, mocktest.Filter{API: "carreta", Path: "/v1/profile/"}, 1)
	fmt.Println(n, err)
	// Output: 1 <nil>
}

// The mock's clock moves when told, so a test of what happens a day later
// takes no day.
func ExampleClock() {
	t := newT()
	defer t.end()
	mock := mocktest.New(t)
	ctx := context.Background()
	start := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	_ = mock.Clock().Freeze(ctx, true)
	_ = mock.Clock().Set(ctx, start)
	_ = mock.Clock().Advance(ctx, 26*time.Hour)
	now, _ := mock.Clock().Now(ctx)
	fmt.Println(now.UTC().Format(time.RFC3339))
	// Output: 2026-01-16T14:00:00Z
}

// State decodes the stored rows into Go values: here the carreta accounts
// of the default scenario.
func ExampleMock_State() {
	t := newT()
	defer t.end()
	mock := mocktest.New(t)
	var accounts []struct {
		Name    string `json:"name"`
		City    string `json:"city"`
		Balance string `json:"balance"`
	}
	if err := mock.State(context.Background(), "carreta", "accounts", &accounts); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(accounts), accounts[0].Name, accounts[0].City, accounts[0].Balance)
	// Output: 2 Демо Автозапчасти Москва 7.14
}

// A scenario with problems comes back as an *Error listing them, and the
// state is left as it was.
func ExampleError() {
	t := newT()
	defer t.end()
	mock := mocktest.New(t)
	err := mock.LoadScenario(context.Background(), "name: broken\nseed: 1\nbogus: 1\n")
	var e *mocktest.Error
	if errors.As(err, &e) {
		fmt.Println(e.Status, e.Message)
		fmt.Println(len(e.Problems) > 0)
	}
	// Output:
	// 400 the scenario has problems; the state was not changed
	// true
}
