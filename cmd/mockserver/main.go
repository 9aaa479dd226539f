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

	"github.com/mockserver/mockserver/internal/server"
)

func main() {
	os.Exit(program(nil))
}

// program is the whole process: SIGINT or SIGTERM stop it gracefully, and
// it returns the exit status. ready, when not nil, is told the server once
// it listens; main passes nil, and the test binary, run as the program,
// uses it to report the address it bound.
func program(ready func(*server.Server)) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr, ready)
	stop()
	if err == nil {
		return 0
	}
	var ec exitCode
	if errors.As(err, &ec) {
		return int(ec) // the command already said what was wrong
	}
	fmt.Fprintln(os.Stderr, "mockserver:", err)
	return 1
}
