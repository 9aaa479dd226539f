// Package worldload is the load of the worlds measurements (issue 10): many
// clients, each looping a carreta order, a saplab pay and an amapi
// create-order, either all on the root world or each in a world of its
// own. In worlds, every answer is checked against what that client alone
// has done (order ids one apart, pays alternating), so a request that saw
// another world's data fails the run. Both the Go benchmark
// (e2e/worlds_bench_test.go) and bench/run.sh worlds (bench/worlds) drive
// it, in-process and against the real binary.
package worldload

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The default scenario's identities and the requests of one round.
const (
	carretaOrder = `{"_": "DqYXihjdqSPM4OKLl9uE6J+Te0AMfMSYhkNNgDbhOTJDDGP+JdDi28ZxGbbDkXBvUw7Yu6q69MiKBaDSnYdY6imfljWcQFw=","code": "OC47","maker": "KNECHT/MAHLE","min_qty": 1,"name": "\u0424\u0438\u043b\u044c\u0442\u0440 \u043c\u0430\u0441\u043b\u044f\u043d\u044b\u0439","period_max": 7,"period_min": 7,"price": "175.11","qty": "300","order_qty": 10}`
	amapiOrder   = `{"name":"Load","email":"load@example.com","phone":"79990000000","deliveryType":"pickup","items":[{"productId":1,"itemId":1,"name":"x","price":10,"quantity":1}]}`
	amapiToken   = "Bearer 1|DemoTokenDemoTokenDemoTokenDemoTokenDemo"
	saplabOwner  = "Basic Nzk5OTAwMDAwMDA6ZGVtbw==" // 79990000000:demo
	// PaidPosition is a position the default scenario seeds as paid: each
	// pay refunds or pays it again, so every pay succeeds, alternating.
	paidPosition = "19"
	refunded     = "\\u041d\\u0430 \\u0441\\u0447\\u0451\\u0442" // "На счёт" (the refund's text), as the panel escapes it
)

// Client is an HTTP client fit for many parallel clients on one host: the
// default transport keeps two idle connections per host, and 64 clients
// would open and close connections until the ports ran out.
func Client() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = 512, 512
	return &http.Client{Transport: t, Timeout: 30 * time.Second}
}

// client is one looping client: its base URL (the root's or a world's) and,
// in a world, what it has seen so far.
type client struct {
	hc       *http.Client
	base     string
	isolated bool
	rounds   int
	order    int64 // the last carreta order id
}

// send makes one request and returns its body, or an error unless the
// status is want.
func (c *client) send(method, path, body string, want int, headers ...string) ([]byte, error) {
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != want {
		err = fmt.Errorf("%s %s%s: %d %s", method, c.base, path, resp.StatusCode, b)
	}
	return b, err
}

// round is one carreta order, one saplab pay and one amapi create-order.
// In a world, the order id must follow the client's last one and the pays
// must alternate refund, pay, refund...: anything else means a request saw
// another client's writes.
func (c *client) round() error {
	b, err := c.send(http.MethodPost, "/v1/order/?api_key=demo-key", carretaOrder, http.StatusCreated, "Content-Type", "application/json")
	if err != nil {
		return err
	}
	var o struct{ ID int64 }
	if err := json.Unmarshal(b, &o); err != nil {
		return fmt.Errorf("carreta order: %v: %s", err, b)
	}
	if c.isolated && c.rounds > 0 && o.ID != c.order+1 {
		return fmt.Errorf("%s: carreta order %d after %d: another world's order came between", c.base, o.ID, c.order)
	}
	c.order = o.ID
	b, err = c.send(http.MethodGet, "/panel/order/pay/"+paidPosition, "", http.StatusOK, "Authorization", saplabOwner)
	if err != nil {
		return err
	}
	if c.isolated && bytes.Contains(b, []byte(refunded)) != (c.rounds%2 == 0) {
		return fmt.Errorf("%s: pay %d answered %s: another world's pay came between", c.base, c.rounds+1, b)
	}
	if _, err := c.send(http.MethodPost, "/api/create-order", amapiOrder, http.StatusCreated, "Authorization", amapiToken, "Content-Type", "application/json"); err != nil {
		return err
	}
	c.rounds++
	return nil
}

// Once runs one round on base, unchecked: a world that has served one.
func Once(hc *http.Client, base string) error {
	return (&client{hc: hc, base: base}).round()
}

// Drive runs one client per base URL until ctx ends and returns how many
// rounds each completed. isolated says every base is a world of its own,
// whose answers are then checked round by round. The first failure stops
// every client.
func Drive(ctx context.Context, hc *http.Client, bases []string, isolated bool) ([]int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rounds := make([]int, len(bases))
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for i, base := range bases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &client{hc: hc, base: base, isolated: isolated}
			for ctx.Err() == nil {
				if err := c.round(); err != nil {
					if ctx.Err() == nil {
						once.Do(func() { first = err; cancel() })
					}
					break
				}
			}
			rounds[i] = c.rounds
		}()
	}
	wg.Wait()
	return rounds, first
}

// Verify checks a world after Drive, through its control API: its journal
// holds exactly the client's requests and its carreta orders are the
// seeded ones plus the client's, so no request of another client landed in
// it. A round cut off by the end of Drive may have sent one or two of its
// requests, which the journal counts.
func Verify(hc *http.Client, base string, rounds int) error {
	c := &client{hc: hc, base: base}
	b, err := c.send(http.MethodGet, "/__admin/requests/count", "", http.StatusOK)
	if err != nil {
		return err
	}
	var n struct{ Count int }
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	if n.Count < 3*rounds || n.Count > 3*rounds+2 {
		return fmt.Errorf("%s: the journal holds %d requests; the client sent %d to %d", base, n.Count, 3*rounds, 3*rounds+2)
	}
	if b, err = c.send(http.MethodGet, "/__admin/state/carreta/orders", "", http.StatusOK); err != nil {
		return err
	}
	var orders []json.RawMessage
	if err := json.Unmarshal(b, &orders); err != nil {
		return err
	}
	if seeded := 4; len(orders) < seeded+rounds || len(orders) > seeded+rounds+1 {
		return fmt.Errorf("%s: %d carreta orders after the client's %d", base, len(orders), rounds)
	}
	return nil
}

// World is a world as POST /__admin/worlds answers it.
type World struct {
	ID  string `json:"id"`
	URL string `json:"url"`
}

// CreateWorld creates a world of the default scenario on the server at root.
func CreateWorld(hc *http.Client, root string) (World, error) {
	c := &client{hc: hc, base: root}
	b, err := c.send(http.MethodPost, "/__admin/worlds", "", http.StatusCreated)
	if err != nil {
		return World{}, err
	}
	var w World
	err = json.Unmarshal(b, &w)
	return w, err
}

// DeleteWorld deletes a world of the server at root.
func DeleteWorld(hc *http.Client, root, id string) error {
	_, err := (&client{hc: hc, base: root}).send(http.MethodDelete, "/__admin/worlds/"+id, "", http.StatusNoContent)
	return err
}

// Percentile is the p-th percentile (0 < p <= 100) of ds, nearest rank.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s))*p/100+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// Sum adds rounds up.
func Sum(rounds []int) int {
	n := 0
	for _, r := range rounds {
		n += r
	}
	return n
}

// RSS reads the resident set of a process ("self", or a process id) from
// /proc (Linux), in bytes.
func RSS(pid string) (int64, error) {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS for process %s", pid)
}
