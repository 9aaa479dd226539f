package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mockserver/mockserver/internal/scenario"
)

// newValidate is the validate command.
func newValidate(d *deps) *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check scenario files: file:line: message per problem",
		Long: `Check scenario files as the server would load them (extends: included).
Prints "FILE: ok" for a valid file, else one "FILE:LINE: message" line per
problem. Exit code 0 when every file is valid, 1 when any is not.`,
		Example: `  mockserver validate scenarios/*.yaml
  mockserver validate my.yaml && mockserver serve --scenario my.yaml --fresh`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErrorf("validate needs at least one FILE")
			}
			return nil
		},
		RunE: func(_ *cobra.Command, files []string) error { return validate(files, d) },
	}
}

// validate checks each scenario file, printing "file: ok" or its problems as
// file:line: message; any problem is exit code 1.
func validate(files []string, d *deps) error {
	bad := false
	for _, file := range files {
		if _, err := scenario.LoadFile(file); err != nil {
			bad = true
			fmt.Fprintln(d.stdout, err.Error())
			continue
		}
		fmt.Fprintf(d.stdout, "%s: ok\n", file)
	}
	if bad {
		return exitCode(1)
	}
	return nil
}
