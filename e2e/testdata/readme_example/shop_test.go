// This file is the Go example of README.md, word for word after the
// package clause: e2e's TestReadme_goExample checks that they match and
// runs it as a module of its own, once with MOCKSERVER_URL naming an
// in-process mock (set for that child alone) and once without. It lives in
// testdata so that go test ./... of this repository never runs it.

package shop_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/mockserver/mockserver/mocktest"
)

// serverURL is the mock server the tests share: MOCKSERVER_URL when set
// (a container in CI), else one started in-process for this test.
func serverURL(t *testing.T) string {
	if url := os.Getenv("MOCKSERVER_URL"); url != "" {
		return url
	}
	return mocktest.New(t).URL()
}

// fetchProfile stands in for the code under test: it asks carreta for the
// account's profile and retries once on a 5xx.
func fetchProfile(carreta string) (int, error) {
	status := 0
	for try := 0; try < 2 && (status == 0 || status >= 500); try++ {
		resp, err := http.Get(carreta + "/profile/?api_key=" + mocktest.CarretaAPIKey)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		status = resp.StatusCode
	}
	return status, nil
}

// TestProfileSurvivesAnOutage arms a fault, runs the code under test and
// checks what the mock received, in a world of its own.
func TestProfileSurvivesAnOutage(t *testing.T) {
	mock := mocktest.Connect(t, serverURL(t))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := mock.Faults().Add(ctx, mocktest.Rule{
		ID: "outage", API: "carreta", Method: "GET", Path: "/v1/profile/",
		When:   mocktest.When{Nth: 1},
		Action: mocktest.Action{Status: http.StatusServiceUnavailable},
	})
	if err != nil {
		t.Fatal(err)
	}

	if status, err := fetchProfile(mock.CarretaURL()); err != nil || status != http.StatusOK {
		t.Fatalf("the client gave up: %d, %v", status, err)
	}

	// Verify: the fault hit the first request and the client asked again.
	profile := mocktest.Filter{API: "carreta", Path: "/v1/profile/"}
	if n, err := mock.Requests().Wait(ctx, profile, 2); err != nil {
		t.Fatalf("requests to /v1/profile/: %d, %v", n, err)
	}
	if n, err := mock.Requests().Count(ctx, mocktest.Filter{Fault: "outage"}); err != nil || n != 1 {
		t.Fatalf("the fault did not hit, so this test proves nothing: %d, %v", n, err)
	}
}

// TestEightShops runs eight parallel tests on one server, each in a world
// of its own: none sees another's requests.
func TestEightShops(t *testing.T) {
	url := serverURL(t)
	for i := range 8 {
		t.Run(fmt.Sprint("shop", i), func(t *testing.T) {
			t.Parallel()
			mock := mocktest.Connect(t, url)
			for range i + 1 {
				if _, err := fetchProfile(mock.CarretaURL()); err != nil {
					t.Fatal(err)
				}
			}
			n, err := mock.Requests().Count(context.Background(), mocktest.Filter{API: "carreta"})
			if err != nil || n != i+1 {
				t.Fatalf("this world's requests: %d, %v; want %d", n, err, i+1)
			}
		})
	}
}
