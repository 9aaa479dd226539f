// Package seal is the form a scenario's secrets take in the state file
// (scenario.Stored): the state file keeps the scenario that seeded it, for
// a reset and a restart, but never its plaintext passwords, tokens and
// api_keys (issue 14). Each API lists its section's secrets with the value
// that stands for each (Secret), a value its seeder takes as it stands, so
// that the sealed scenario seeds what the plaintext one did, byte for byte:
// a password becomes the bcrypt hash its seeding makes
// (password.HashSeeded, password.IsHash), a token or an api_key the SHA-256
// the API keeps of it (SHA256).
package seal

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/mockserver/mockserver/internal/check"
)

// Secret is one secret of a scenario section, at Path, and the sealed
// value that replaces it in the stored scenario.
type Secret struct {
	Path  check.Path
	Value string
}

// prefix starts a sealed SHA-256.
const prefix = "sha256:"

// SHA256 is the sealed form of a secret the API keeps as its SHA-256
// (carreta's api_key, amapi's token secret): "sha256:" and 64 lowercase
// hex digits.
func SHA256(plain string) string {
	sum := sha256.Sum256([]byte(plain))
	return prefix + hex.EncodeToString(sum[:])
}

// ParseSHA256 reads a value in the form SHA256 writes: the digest, and
// true; false for anything else, which is a plaintext secret. An api_key
// written as "sha256:" and 64 lowercase hex digits is therefore read as
// sealed.
func ParseSHA256(s string) ([32]byte, bool) {
	var sum [32]byte
	digits, ok := strings.CutPrefix(s, prefix)
	if !ok || len(digits) != hex.EncodedLen(len(sum)) || strings.ToLower(digits) != digits {
		return sum, false
	}
	if _, err := hex.Decode(sum[:], []byte(digits)); err != nil {
		return sum, false
	}
	return sum, true
}

// Digest is the SHA-256 the API keeps of secret, sealed or not.
func Digest(secret string) [32]byte {
	if sum, ok := ParseSHA256(secret); ok {
		return sum
	}
	return Sum(secret)
}

// maxStackSum is the longest string Sum hashes from a copy on the stack.
const maxStackSum = 512

// Sum is the SHA-256 of s. A string of up to maxStackSum bytes (a key, a
// token, credentials, a request's URI) is hashed from a copy on the
// stack: the []byte(s) that sha256.Sum256 takes is made on the heap for
// any s over 32 bytes, and the small reads hash one of these on every
// request (issue 16).
func Sum(s string) [32]byte {
	if len(s) > maxStackSum {
		return sha256.Sum256([]byte(s))
	}
	var buf [maxStackSum]byte
	return sha256.Sum256(append(buf[:0], s...))
}
