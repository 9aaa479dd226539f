// Package scenarios embeds the shipped scenario files, so the binary serves
// the default scenario with nothing beside it.
package scenarios

import "embed"

// FS holds default.yaml, empty.yaml and flaky.yaml.
//
//go:embed *.yaml
var FS embed.FS
