package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// envFlags binds flags whose default comes from an environment variable,
// named in brackets in the help, so that a container or a CI job can set
// every flag without a command line.
type envFlags struct {
	fs     *pflag.FlagSet
	getenv func(string) string
	// bad lists the environment values that are not of their flag's type;
	// the command refuses to run with any (checkEnv).
	bad []string
}

// str binds a string flag whose default is the env variable, when set.
func (e *envFlags) str(p *string, name, env, def, help string) {
	if v := e.getenv(env); v != "" {
		def = v
	}
	e.fs.StringVar(p, name, def, help+" ["+env+"]")
}

// boolean binds a bool flag whose default is the env variable, when set.
func (e *envFlags) boolean(p *bool, name, env string, help string) {
	def := false
	if v := e.getenv(env); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			e.bad = append(e.bad, fmt.Sprintf("%s=%q is not true or false", env, v))
		}
		def = b
	}
	e.fs.BoolVar(p, name, def, help+" ["+env+"]")
}

// integer binds an int flag whose default is the env variable, when set.
func (e *envFlags) integer(p *int, name, env string, def int, help string) {
	if v := e.getenv(env); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			e.bad = append(e.bad, fmt.Sprintf("%s=%q is not an integer", env, v))
		}
		def = n
	}
	e.fs.IntVar(p, name, def, help+" ["+env+"]")
}

// duration binds a duration flag whose default is the env variable, when
// set.
func (e *envFlags) duration(p *time.Duration, name, env string, def time.Duration, help string) {
	if v := e.getenv(env); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			e.bad = append(e.bad, fmt.Sprintf("%s=%q is not a duration like 30s", env, v))
		}
		def = d
	}
	e.fs.DurationVar(p, name, def, help+" ["+env+"]")
}

// checkEnv is the error of the environment values that were not of their
// flag's type: a failure (exit 1), as before cobra, since no command line
// was wrong.
func (e *envFlags) checkEnv() error {
	if len(e.bad) == 0 {
		return nil
	}
	return fmt.Errorf("%s", strings.Join(e.bad, "; "))
}

// nonNegative refuses a negative bound as a usage error, like a malformed
// number: a negative bound is a typo, not a wish for the default the server
// would silently use.
func nonNegative(name string, v, def int) error {
	if v >= 0 {
		return nil
	}
	return usageErrorf("--%s must be 0 (the default, %d) or more, got %d", name, def, v)
}
