package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mockserver/mockserver/internal/scenario"
)

// newValidate is the validate command.
func newValidate(d *deps) *cobra.Command {
	var print bool
	c := &cobra.Command{
		Use:   "validate [--print] FILE...",
		Short: "Check scenario files: file:line: message per problem",
		Long: `Check scenario files as the server would load them (extends: included).
Prints "FILE: ok" for a valid file, else one "FILE:LINE: message" line per
problem. Exit code 0 when every file is valid, 1 when any is not.

--print prints, instead of "FILE: ok", the effective scenario: the file with
its extends: merged in, as YAML that loads as the same scenario on its own
(one document per file, problems on stderr).`,
		Example: `  mockserver validate scenarios/*.yaml
  mockserver validate my.yaml && mockserver serve --scenario my.yaml --fresh
  mockserver validate --print my.yaml > effective.yaml`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErrorf("validate needs at least one FILE")
			}
			return nil
		},
		RunE: func(_ *cobra.Command, files []string) error { return validate(files, print, d) },
	}
	c.Flags().BoolVar(&print, "print", false, "print each valid file's effective scenario (extends: merged in) as YAML")
	return c
}

// validate checks each scenario file, printing "file: ok" (or, with
// print, its effective scenario) or its problems as file:line: message;
// any problem is exit code 1.
func validate(files []string, print bool, d *deps) error {
	bad := false
	problems := d.stdout
	if print {
		problems = d.stderr // stdout is YAML only
	}
	for i, file := range files {
		sc, err := scenario.LoadFile(file)
		if err != nil {
			bad = true
			fmt.Fprintln(problems, err.Error())
			continue
		}
		if !print {
			fmt.Fprintf(d.stdout, "%s: ok\n", file)
			continue
		}
		out, err := sc.Effective()
		if err != nil {
			return failed{err}
		}
		if i > 0 {
			fmt.Fprintln(d.stdout, "---")
		}
		fmt.Fprintf(d.stdout, "# %s, effective\n%s", file, out)
	}
	if bad {
		return exitCode(1)
	}
	return nil
}
