// Command mockserver simulates the amapi, carreta and saplab APIs with real
// rules and real state. See README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var ec exitCode
		if errors.As(err, &ec) {
			os.Exit(int(ec)) // the command already said what was wrong
		}
		fmt.Fprintln(os.Stderr, "mockserver:", err)
		os.Exit(1)
	}
}
