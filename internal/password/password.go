// Package password hashes and checks the passwords of the vendors' users
// (amapi users, saplab employees and clients) with bcrypt, as Laravel and
// PHP's password_hash do.
package password

import (
	"strings"

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

// IsHash reports whether a scenario's password is written as its bcrypt
// hash rather than in plaintext: the form the state file keeps a
// scenario's passwords in (scenario.Stored), which the seeders take as the
// hash itself. A password that is a bcrypt hash, character for character,
// is therefore read as one: a bcrypt hash as Laravel and PHP store one,
// $2a$, $2b$ or $2y$, a two-digit cost bcrypt allows (04 to 31), and 53
// characters of salt and sum from bcrypt's alphabet. It is a loop, not a
// regexp: {53} unrolled into a program compiled at every start.
func IsHash(pw string) bool {
	if len(pw) != 60 || pw[0] != '$' || pw[1] != '2' || !strings.ContainsRune("aby", rune(pw[2])) || pw[3] != '$' || pw[6] != '$' {
		return false
	}
	if c, ok := cost(pw[4:6]); !ok || c < 4 || c > 31 {
		return false
	}
	for i := 7; i < len(pw); i++ {
		if !bcryptChar(pw[i]) {
			return false
		}
	}
	return true
}

// cost reads two decimal digits.
func cost(s string) (int, bool) {
	if s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
		return 0, false
	}
	return int(s[0]-'0')*10 + int(s[1]-'0'), true
}

// bcryptChar reports whether b is in bcrypt's base64 alphabet.
func bcryptChar(b byte) bool {
	return b == '.' || b == '/' || 'A' <= b && b <= 'Z' || 'a' <= b && b <= 'z' || '0' <= b && b <= '9'
}
