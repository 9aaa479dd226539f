// Package openapi embeds the OpenAPI 3.1 documents of the three vendor APIs
// (SPEC §13), so the binary serves them and checks traffic against them with
// nothing beside it. The documents are written here, beside their README,
// because they are documentation first; internal/contract reads them.
package openapi

import "embed"

// FS holds amapi.yaml, carreta.yaml and saplab.yaml.
//
//go:embed amapi.yaml carreta.yaml saplab.yaml
var FS embed.FS

// APIs names the documented APIs, in the order the server mounts them; each
// has its document at <name>.yaml in FS.
var APIs = []string{"amapi", "carreta", "saplab"}

// Source is the YAML of api's document, or false for an API without one.
func Source(api string) ([]byte, bool) {
	b, err := FS.ReadFile(api + ".yaml")
	return b, err == nil
}
