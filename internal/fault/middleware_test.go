package fault_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/mockserver/mockserver/internal/fault"
	"github.com/mockserver/mockserver/internal/request"
	"github.com/mockserver/mockserver/internal/scenario"
)

// serve runs one GET path through in's middleware, as the server would
// with an Info naming api, and a handler answering 200 "real".
func serve(in *fault.Injector, api, path string) (*httptest.ResponseRecorder, *request.Info) {
	e := echo.New()
	rec := httptest.NewRecorder()
	c := e.NewContext(httptest.NewRequest(http.MethodGet, path, nil), rec)
	info := &request.Info{API: api}
	request.Attach(c, info)
	h := in.Middleware(func(c echo.Context) error { return c.String(http.StatusOK, "real") })
	if err := h(c); err != nil {
		e.HTTPErrorHandler(err, c)
	}
	return rec, info
}

// delayed is a rule hitting every amapi request with a pause of d.
func delayed(d time.Duration) *scenario.Scenario {
	return &scenario.Scenario{Faults: []scenario.Fault{{ID: "slow", API: "amapi", Path: "/api/**",
		Action: scenario.FaultAction{Delay: &scenario.Delay{Min: d, Max: d}}}}}
}

func TestMiddleware(t *testing.T) {
	t.Run("only_vendor_requests_are_touched", func(t *testing.T) {
		in := fault.New()
		in.Load(&scenario.Scenario{Faults: []scenario.Fault{{ID: "all", API: "any", Path: "/**", Action: scenario.FaultAction{Status: 503}}}})
		for _, api := range []string{request.Admin, ""} {
			if rec, info := serve(in, api, "/__admin/health"); rec.Code != http.StatusOK || info.Fault != "" {
				t.Errorf("owner %q: %d, fault %q; want the handler's 200 and no fault", api, rec.Code, info.Fault)
			}
		}
		if rec, info := serve(in, "amapi", "/api/test"); rec.Code != http.StatusServiceUnavailable || info.Fault != "all" {
			t.Errorf("amapi: %d, fault %q; want 503 and the rule's id", rec.Code, info.Fault)
		}
	})

	t.Run("a_delay_waits_through_the_timer", func(t *testing.T) {
		in := fault.New()
		in.Load(delayed(90 * time.Minute))
		var waited []time.Duration
		in.SetTimer(func(d time.Duration) <-chan time.Time {
			waited = append(waited, d)
			over := make(chan time.Time, 1)
			over <- time.Time{}
			return over
		})
		rec, info := serve(in, "amapi", "/api/test")
		if rec.Code != http.StatusOK || rec.Body.String() != "real" || info.Fault != "slow" {
			t.Fatalf("got %d %q, fault %q; want the real answer after the delay", rec.Code, rec.Body, info.Fault)
		}
		if len(waited) != 1 || waited[0] != 90*time.Minute {
			t.Fatalf("the timer was asked for %v, want one delay of 1h30m", waited)
		}
	})

	t.Run("interrupt_ends_a_delay_the_timer_would_hold", func(t *testing.T) {
		in := fault.New()
		in.Load(delayed(time.Hour))
		in.SetTimer(func(time.Duration) <-chan time.Time { return nil }) // never over
		in.Interrupt()
		if rec, _ := serve(in, "amapi", "/api/test"); rec.Code != http.StatusOK || rec.Body.String() != "real" {
			t.Fatalf("got %d %q, want the real answer at once", rec.Code, rec.Body)
		}
	})
}
