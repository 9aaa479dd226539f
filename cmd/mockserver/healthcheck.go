package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/mockserver/mockserver/internal/server"
)

// newHealthcheck is the healthcheck command: the container's HEALTHCHECK
// (the image has no curl) and a script's way to wait for a server.
func newHealthcheck(d *deps) *cobra.Command {
	var addr, token string
	var wait time.Duration
	c := &cobra.Command{
		Use:   "healthcheck",
		Short: "Exit 0 if the server at --addr answers /__admin/health (--wait: once it does)",
		Long: `Ask the server at --addr for GET /__admin/health. Exit code 0 when it answers
200, 1 otherwise. With --wait, ask again every 100ms until it answers or the
wait is over: a script that starts a server in the background waits for it
with this. A wildcard host (0.0.0.0, ::, empty) means this machine.
/__admin/health needs no admin token: it reveals nothing but "ok".`,
		Example: `  mockserver healthcheck
  mockserver serve --fresh &
  mockserver healthcheck --wait 10s && curl -s localhost:8080/__admin/scenario
  MOCKSERVER_ADDR=127.0.0.1:9090 mockserver healthcheck`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return healthcheck(c.Context(), addr, token, wait, d)
		},
	}
	e := &envFlags{fs: c.Flags(), getenv: d.getenv}
	e.str(&addr, "addr", "MOCKSERVER_ADDR", server.DefaultAddr, "address of the server to check")
	e.str(&token, "admin-token", "MOCKSERVER_ADMIN_TOKEN", "", "admin token (not needed: /__admin/health answers without it)")
	c.Flags().DurationVar(&wait, "wait", 0, "keep asking until the server is healthy or this long has passed (e.g. 10s)")
	return c
}

// healthcheck asks the server at addr for /__admin/health, until it is
// healthy or wait has passed; it says so on stdout, or why not on stderr
// with exit code 1.
func healthcheck(ctx context.Context, addr, token string, wait time.Duration, d *deps) error {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return usageErrorf("--addr %q: %v", addr, err)
	}
	url := localURL(addr) + server.AdminPrefix + "/health"
	if err := waitHealthy(ctx, url, token, wait); err != nil {
		fmt.Fprintf(d.stderr, "healthcheck: %v\n", err)
		return exitCode(1)
	}
	fmt.Fprintf(d.stdout, "healthy: %s\n", url)
	return nil
}

// pollEvery is how often healthcheck --wait asks again.
const pollEvery = 100 * time.Millisecond

// waitHealthy asks url once, then again every pollEvery until it answers
// 200 or wait has passed; the error says what the last try got.
func waitHealthy(ctx context.Context, url, token string, wait time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, wait+2*time.Second)
	defer cancel()
	deadline := time.Now().Add(wait)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		err := checkOnce(ctx, client, url, token)
		if err == nil {
			return nil
		}
		if !time.Now().Add(pollEvery).Before(deadline) {
			if wait > 0 {
				return fmt.Errorf("not healthy after %s: %v", wait, err)
			}
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pollEvery):
		}
	}
}

// checkOnce asks url for the health answer once.
func checkOnce(ctx context.Context, client *http.Client, url, token string) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %d", url, resp.StatusCode)
	}
	return nil
}
