package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mockserver/mockserver/internal/server"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3" (the
// Dockerfile's VERSION build argument); a plain build reports the module
// version or the VCS revision and date instead.
var version = ""

// exitCode ends the program with a status and no further message (the
// command already said what was wrong).
type exitCode int

// Error says which status the program exits with.
func (e exitCode) Error() string { return "exit " + strconv.Itoa(int(e)) }

// failed marks the error of a command that ran and failed (exit code 1):
// every other error cobra returns is a usage error (exit code 2).
type failed struct{ err error }

func (f failed) Error() string { return f.err.Error() }
func (f failed) Unwrap() error { return f.err }

// ran marks err, when not nil, as the failure of a command that ran.
func ran(err error) error {
	var ec exitCode
	if err == nil || errors.As(err, &ec) {
		return err
	}
	return failed{err}
}

// usageErrorf is a usage error (exit code 2) found after the flags were
// parsed: a bad value, a missing or extra argument.
func usageErrorf(format string, a ...any) error { return fmt.Errorf(format, a...) }

// deps is what the commands take from the process, made explicit so that
// tests run them in-process.
type deps struct {
	getenv         func(string) string
	stdout, stderr io.Writer
	// ready, when not nil, is told the server once it listens: how a test
	// learns the address a port-0 listener got, without reading stdout.
	ready func(*server.Server)
}

// run is the whole program with its inputs made explicit, so tests can run
// it in-process. It returns nil, an exitCode, or an error that the
// program prints with exit code 1.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, ready func(*server.Server)) error {
	root := newRoot(&deps{getenv: getenv, stdout: stdout, stderr: stderr, ready: ready})
	root.SetArgs(normalizeArgs(args))
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return nil
	}
	var ec exitCode
	var f failed
	switch {
	case errors.As(err, &ec):
		return ec
	case errors.As(err, &f):
		return f.err
	}
	fmt.Fprintf(stderr, "mockserver: %v\nRun '%s --help' for usage.\n", err, cmd.CommandPath())
	return exitCode(2)
}

// oneDashLong is a long flag written with one dash, as Go's flag package,
// which mockserver used before cobra, accepted: -addr, -db=x.
var oneDashLong = regexp.MustCompile(`^-[a-z][a-z-]+(=.*)?$`)

// normalizeArgs makes serve the default command (no arguments, or flags
// first) and keeps the one-dash long flags that scripts written for the
// old parser use.
func normalizeArgs(args []string) []string {
	out := make([]string, 0, len(args)+1)
	for i, a := range args {
		if a == "--" {
			out = append(out, args[i:]...)
			break
		}
		if oneDashLong.MatchString(a) {
			a = "-" + a
		}
		out = append(out, a)
	}
	if len(out) == 0 || (strings.HasPrefix(out[0], "-") && !rootFlag[out[0]]) {
		out = append([]string{"serve"}, out...)
	}
	return out
}

// rootFlag are the flags the root command itself answers.
var rootFlag = map[string]bool{"-h": true, "--help": true, "-v": true, "--version": true}

// versionString is what --version prints: the -ldflags version, else the
// module version (go install ...@v1.2.3), else the VCS revision and its
// date, and the Go version that built it.
func versionString() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return orDev(version)
	}
	v := version
	if v == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	if v == "" {
		v = vcsVersion(bi.Settings)
	}
	return orDev(v) + " (" + bi.GoVersion + ")"
}

// orDev is v, or what a build without version information is called.
func orDev(v string) string {
	if v == "" {
		return "dev [no version stamped: build in a git checkout, or with -ldflags \"-X main.version=...\"]"
	}
	return v
}

// vcsVersion is "<revision> <date>[ modified]" from the VCS stamp go build
// leaves in a binary built in a git checkout, or "" without one.
func vcsVersion(settings []debug.BuildSetting) string {
	s := map[string]string{}
	for _, kv := range settings {
		s[kv.Key] = kv.Value
	}
	rev := s["vcs.revision"]
	if rev == "" {
		return ""
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	v := "dev-" + rev + " " + s["vcs.time"]
	if s["vcs.modified"] == "true" {
		v += " modified"
	}
	return v
}

// newRoot is the mockserver command with its subcommands.
func newRoot(d *deps) *cobra.Command {
	root := &cobra.Command{
		Use:   "mockserver",
		Short: "mockserver simulates the amapi, carreta and saplab APIs with real rules and real state",
		Long: `mockserver simulates the amapi, carreta and saplab APIs with real rules and real state.

serve is the default command: "mockserver --fresh" is "mockserver serve --fresh".
Every serve flag also reads a MOCKSERVER_* environment variable (shown in brackets).

Exit codes: 0 success; 1 failure (the server could not start or stopped on
an error, validate found a problem, healthcheck found no healthy server);
2 usage error (unknown command or flag, bad flag value, missing or extra argument).`,
		Example: `  mockserver --fresh                      # serve the embedded default scenario on 127.0.0.1:8080
  mockserver validate scenarios/*.yaml
  mockserver healthcheck --wait 10s
  mockserver help serve
  source <(mockserver completion bash)`,
		Version:       versionString(),
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetVersionTemplate("mockserver {{.Version}}\n")
	root.SetOut(d.stdout)
	root.SetErr(d.stderr)
	root.AddCommand(newServe(d), newValidate(d), newHealthcheck(d), newVersion(d))
	return root
}

// newVersion is "mockserver version", the same as --version, kept from the
// hand-written parser.
func newVersion(d *deps) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version (the same as --version)",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintln(d.stdout, "mockserver", versionString())
			return nil
		},
	}
}

// noArgs refuses arguments as a usage error that names the first one.
func noArgs(c *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf("%s: unexpected argument %q", c.Name(), args[0])
	}
	return nil
}
