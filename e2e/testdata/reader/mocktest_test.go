// Package shop_test is a user's test of their own code against mockserver,
// through the public mocktest package.
package shop_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/mockserver/mockserver/mocktest"
)

// profile is the code under test's stand-in: one carreta profile request,
// retried once on a 5xx.
func profile(base string) (int, error) {
	var status int
	for range 2 {
		resp, err := http.Get(base + "/profile/?api_key=" + mocktest.CarretaAPIKey)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		if status = resp.StatusCode; status < 500 {
			break
		}
	}
	return status, nil
}

// check runs the same test on any handle: a fault on the first request,
// a retry, and the journal showing both.
func check(t *testing.T, m *mocktest.Mock) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := m.Faults().Add(ctx, mocktest.Rule{ID: "outage", API: "carreta", Method: "GET", Path: "/v1/profile/",
		When: mocktest.When{Nth: 1}, Action: mocktest.Action{Status: http.StatusServiceUnavailable}})
	if err != nil {
		t.Fatal(err)
	}
	if status, err := profile(m.CarretaURL()); err != nil || status != http.StatusOK {
		t.Fatalf("profile: %d, %v", status, err)
	}
	if n, err := m.Requests().Wait(ctx, mocktest.Filter{API: "carreta", Path: "/v1/profile/"}, 2); err != nil || n != 2 {
		t.Fatalf("requests: %d, %v", n, err)
	}
	if n, _ := m.Requests().Count(ctx, mocktest.Filter{Fault: "outage"}); n != 1 {
		t.Fatalf("the fault hit %d requests, want 1", n)
	}
}

// TestNew runs against a mock started in-process.
func TestNew(t *testing.T) {
	check(t, mocktest.New(t))
}

// TestConnect runs in parallel worlds of one server, as tests sharing a
// container in CI would.
func TestConnect(t *testing.T) {
	server := mocktest.New(t).URL()
	for _, name := range []string{"a", "b", "c"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			check(t, mocktest.Connect(t, server))
		})
	}
}
