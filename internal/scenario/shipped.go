package scenario

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"sync"

	"github.com/mockserver/mockserver/internal/password"
	"github.com/mockserver/mockserver/scenarios"
)

// shippedSeals is what the build computed of each embedded scenario's seal
// (sealedSource): the sealed document and the seeded bcrypt hashes it and
// the seeding need. Sealing the default scenario was a fifth of the CPU of
// a fresh start (yaml.v3's encoder and a bcrypt run per password), and
// both are pure functions of the embedded files, so the start takes them
// from here instead (issue 16). TestShippedSeals recomputes them and fails
// when this file is stale; `UPDATE_SHIPPED_SEALS=1 go test
// ./internal/scenario -run ShippedSeals` writes it. A stale file is never
// used: each entry names the digest of every embedded scenario file
// (shippedDigest), so a change to any of them (a base included) makes
// sealedSource compute the seal as before.
//
//go:embed shipped_seals.json
var shippedSealsJSON []byte

// shippedSeal is one embedded scenario's entry in shipped_seals.json.
type shippedSeal struct {
	Digest string                 `json:"embedded_sha256"`
	Sealed string                 `json:"sealed"`
	Hashes []password.SeededEntry `json:"hashes"`
}

// shippedSeals is shipped_seals.json decoded, by file name
// ("scenarios/default.yaml"), read once.
var shippedSeals = sync.OnceValue(func() map[string]shippedSeal {
	var m map[string]shippedSeal
	if err := json.Unmarshal(shippedSealsJSON, &m); err != nil {
		return nil // computed as before; TestShippedSeals catches it
	}
	return m
})

// shippedDigest is the SHA-256 of every embedded scenario file, names and
// bytes, in name order.
var shippedDigest = sync.OnceValue(func() string {
	h := sha256.New()
	entries, _ := fs.ReadDir(scenarios.FS, ".")
	for _, e := range entries {
		src, _ := scenarios.FS.ReadFile(e.Name())
		h.Write([]byte(e.Name()))
		h.Write([]byte{0})
		h.Write(src)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
})

// useShippedSeal gives a shipped scenario, just parsed, the seal the build
// computed for it, when that is of the embedded files this binary holds.
func (sc *Scenario) useShippedSeal() {
	s, ok := shippedSeals()[sc.File]
	if !ok || s.Digest != shippedDigest() {
		return
	}
	password.RememberSeeded(s.Hashes)
	sc.sealed.once.Do(func() { sc.sealed.doc = []byte(s.Sealed) })
}
