// Package password hashes and checks the passwords of the vendors' users
// (amapi users, saplab employees and clients) with bcrypt, as Laravel and
// PHP's password_hash do.
package password

import (
	"regexp"

	"golang.org/x/crypto/bcrypt"
)

// MaxBytes is bcrypt's input limit: it reads at most 72 bytes of a
// password. PHP's password_hash silently ignores the rest (amapi truncates,
// as Laravel would); saplab's panel refuses longer passwords; Go's bcrypt
// returns an error for them, so every caller decides before hashing.
const MaxBytes = 72

// SeedCost is the cost of passwords seeded from a scenario: the lowest
// bcrypt allows, so a reset of a large scenario stays fast. A client cannot
// tell the cost from the API's answers.
const SeedCost = bcrypt.MinCost

// Hash hashes pw at cost; 0 means bcrypt.DefaultCost, the vendors' own.
func Hash(pw []byte, cost int) ([]byte, error) {
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	return bcrypt.GenerateFromPassword(pw, cost)
}

// Matches reports whether pw is the password hash was made from.
func Matches(hash, pw []byte) bool {
	compared.Add(1)
	return bcrypt.CompareHashAndPassword(hash, pw) == nil
}

// hashForm is a bcrypt hash as Laravel and PHP store one: $2a$, $2b$ or
// $2y$, a two-digit cost bcrypt allows, 53 characters of salt and sum.
var hashForm = regexp.MustCompile(`^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$`)

// IsHash reports whether a scenario's password is written as its bcrypt
// hash rather than in plaintext: the form the state file keeps a
// scenario's passwords in (scenario.Stored), which the seeders take as the
// hash itself. A password that is a bcrypt hash, character for character,
// is therefore read as one.
func IsHash(pw string) bool { return hashForm.MatchString(pw) }
