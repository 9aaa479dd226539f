package mocktest

import (
	"context"
	"net/http"
	"time"
)

// Clock moves a mock's clock (/__admin/clock): the time its APIs stamp on
// orders and the time their automatic status moves follow. A move forward
// applies every move it passes before it returns.
type Clock struct{ c *client }

// Clock is the mock's clock.
func (m *Mock) Clock() Clock { return Clock{c: &m.c} }

// clockView is GET and POST /__admin/clock's answer.
type clockView struct {
	Now    time.Time `json:"now"`
	Frozen bool      `json:"frozen"`
}

// move posts one clock move.
func (k Clock) move(ctx context.Context, req map[string]any) error {
	return k.c.do(ctx, http.MethodPost, "/__admin/clock", req, nil)
}

// Set makes the clock read t now; it keeps running from there unless
// frozen.
func (k Clock) Set(ctx context.Context, t time.Time) error {
	return k.move(ctx, map[string]any{"set": t.Format(time.RFC3339Nano)})
}

// Advance moves the clock by d (negative: back).
func (k Clock) Advance(ctx context.Context, d time.Duration) error {
	return k.move(ctx, map[string]any{"advance": d.String()})
}

// Freeze stops the clock (true), so that it moves only when told, or lets
// it run again (false).
func (k Clock) Freeze(ctx context.Context, frozen bool) error {
	return k.move(ctx, map[string]any{"freeze": frozen})
}

// Reset puts the clock back on real time.
func (k Clock) Reset(ctx context.Context) error {
	return k.move(ctx, map[string]any{"reset": true})
}

// Now reads the clock, in Moscow time as the vendors print it.
func (k Clock) Now(ctx context.Context) (time.Time, error) {
	var v clockView
	err := k.c.do(ctx, http.MethodGet, "/__admin/clock", nil, &v)
	return v.Now, err
}

// Frozen tells whether the clock is frozen.
func (k Clock) Frozen(ctx context.Context) (bool, error) {
	var v clockView
	err := k.c.do(ctx, http.MethodGet, "/__admin/clock", nil, &v)
	return v.Frozen, err
}
