package amapi

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mockserver/mockserver/internal/check"
	"github.com/mockserver/mockserver/internal/password"
	"github.com/mockserver/mockserver/internal/seal"
	"github.com/mockserver/mockserver/internal/state"
)

// Section is a scenario's amapi: section (SPEC §3, §4).
type Section struct {
	Service Service `yaml:"service"`
	Users   []User  `yaml:"users"`
}

// Service holds the flags GET /api/test reports. Pointers tell "absent"
// (true by default) from an explicit false.
type Service struct {
	Available          *bool `yaml:"available"`
	OnlineRegistration *bool `yaml:"online_registration"`
}

// User is a registered amapi user; tokens are Sanctum plain-text tokens
// ("<id>|<40 alphanumerics>") that the user can use at once.
type User struct {
	Name     string   `yaml:"name"`
	Email    string   `yaml:"email"`
	Password string   `yaml:"password"`
	Tokens   []string `yaml:"tokens"`
}

// ApplyDefaults fills what the section may leave out: both service flags
// are on unless the scenario turns them off.
func (s *Section) ApplyDefaults() {
	yes := func() *bool { b := true; return &b }
	if s.Service.Available == nil {
		s.Service.Available = yes()
	}
	if s.Service.OnlineRegistration == nil {
		s.Service.OnlineRegistration = yes()
	}
}

// The problems Check reports (scenario problems, not vendor messages).
const (
	problemEmailTooLong  = "email must be at most 255 characters"
	problemShortPassword = "password must be at least 8 characters"
	problemTokenIDBigint = "token id %s is above %d, the largest id of Laravel's bigint id column"
	problemTokenForm     = `token must look like "2|<40 letters and digits>" (or, as Sanctum also accepts, 16 to 255 letters and digits without "|")`
)

// Check reports the section's problems: every user named, with an address
// of at most 255 characters used once (in any case) and a password of at
// least 8 characters; every token in a form Sanctum issues or accepts, its
// id and secret each used once.
func (s *Section) Check(c *check.Checker) {
	emails := check.NewUnique("amapi email")
	secrets := check.NewUnique("amapi token")
	ids := check.NewUnique("amapi token id")
	for i, u := range s.Users {
		p := check.At("amapi", "users", i)
		c.Required(p.Join("name"), u.Name)
		// No address check: a scenario seeds accounts as the vendor's
		// database may hold them, the document's placeholder account
		// ("Ваша электронная почта") among them (docs/decisions/amapi.md).
		if c.Required(p.Join("email"), u.Email) {
			if utf8.RuneCountInString(u.Email) > MaxStringLen {
				c.Fail(p.Join("email"), problemEmailTooLong)
			}
			emails.Check(c, p.Join("email"), string(emailKey(u.Email)))
		}
		if utf8.RuneCountInString(u.Password) < MinPasswordLen {
			c.Fail(p.Join("password"), problemShortPassword)
		}
		for j, t := range u.Tokens {
			checkToken(c, p.Join("tokens", j), t, ids, secrets)
		}
	}
}

// checkToken checks one scenario token: "<id>|<secret>" with an id that
// fits Laravel's bigint column, or a bare token Sanctum looks up by hash;
// either may be sealed (its secret as "sha256:<hex>", sealedToken).
func checkToken(c *check.Checker, p check.Path, t string, ids, secrets *check.Unique) {
	id, secret, piped := strings.Cut(t, "|")
	sealed := sealedToken(t)
	switch {
	case (sealed || SanctumToken.MatchString(t)) && piped && !fitsBigint(id):
		c.Fail(p, problemTokenIDBigint, id, int64(math.MaxInt64))
		return
	case sealed && !piped:
		secret = t
	case sealed || piped && SanctumToken.MatchString(t):
		ids.Check(c, p, id)
	case !piped && IsBareToken(t):
		secret = t
	default:
		c.Fail(p, problemTokenForm)
		return
	}
	secrets.Check(c, p, secret)
}

// sealedToken reports whether a scenario token is in the form the state
// file keeps it (Seal): "<id>|sha256:<hex>" or "sha256:<hex>". Neither is a
// token Sanctum issues or accepts (":" is in neither form), so the forms
// cannot be taken for one another.
func sealedToken(t string) bool {
	id, secret, piped := strings.Cut(t, "|")
	if !piped {
		_, ok := seal.ParseSHA256(t)
		return ok
	}
	_, ok := seal.ParseSHA256(secret)
	return ok && id != "" && id[0] != '0' && strings.Trim(id, "0123456789") == ""
}

// seedRef is how Seed stores a scenario token: as ParseToken reads a
// plaintext one, or with the hash a sealed one carries.
func seedRef(t string) (TokenRef, bool) {
	if !sealedToken(t) {
		return ParseToken(t)
	}
	idText, secret, piped := strings.Cut(t, "|")
	if !piped {
		secret, idText = t, ""
	}
	sum, _ := seal.ParseSHA256(secret)
	ref := TokenRef{Hash: hex.EncodeToString(sum[:])}
	if idText != "" {
		id, err := strconv.ParseUint(idText, 10, 64)
		if err != nil {
			return TokenRef{}, false
		}
		ref.ID = id
	}
	return ref, true
}

// Seal lists the section's secrets as the state file keeps them
// (scenario.Stored): each password as the bcrypt hash Seed makes of it
// (the same salt, from the seed and the address), each token with its
// secret as the SHA-256 Sanctum keeps ("2|sha256:<hex>", "sha256:<hex>"
// for a token without "|"). Seed takes both forms as they stand, so the
// sealed scenario seeds the same rows, byte for byte. What is already
// sealed is left out.
func (s *Section) Seal(seed int64) ([]seal.Secret, error) {
	var out []seal.Secret
	for i, u := range s.Users {
		p := check.At("amapi", "users", i)
		if !password.IsHash(u.Password) {
			hash, err := seedHash(u, seed)
			if err != nil {
				return nil, err
			}
			out = append(out, seal.Secret{Path: p.Join("password"), Value: hash})
		}
		for j, t := range u.Tokens {
			if sealedToken(t) {
				continue
			}
			v := seal.SHA256(t)
			if id, secret, piped := strings.Cut(t, "|"); piped {
				v = id + "|" + seal.SHA256(secret)
			}
			out = append(out, seal.Secret{Path: p.Join("tokens", j), Value: v})
		}
	}
	return out, nil
}

// Seed writes the section's service flags, users and tokens. Passwords are
// hashed at password.SeedCost so that a reset stays fast; tokens of the
// "<id>|<secret>" form keep their id, the others (Sanctum also accepts a
// token without "|") take the ids after them.
//
// A seeded password's bcrypt salt comes from the scenario's seed and the
// user's email (password.HashSeeded), so that two seedings with the clock
// frozen are byte-identical; passwords set at run time get random salts.
func (a *API) Seed(tx *state.Tx, sec *Section, seed int64) error {
	s := sec.Service
	flags := serviceFlags{Available: s.Available == nil || *s.Available,
		OnlineRegistration: s.OnlineRegistration == nil || *s.OnlineRegistration}
	if err := putFlags(tx, flags); err != nil {
		return err
	}
	type pending struct {
		user  uint64
		token string
	}
	var withID, withoutID []pending
	for _, u := range sec.Users {
		hash, err := seedHash(u, seed)
		if err != nil {
			return err
		}
		rec, err := insertUser(tx, u.Name, u.Email, hash)
		if err != nil {
			return err
		}
		for _, t := range u.Tokens {
			if ref, _ := seedRef(t); ref.ID != 0 {
				withID = append(withID, pending{rec.ID, t})
			} else {
				withoutID = append(withoutID, pending{rec.ID, t})
			}
		}
	}
	for _, p := range append(withID, withoutID...) {
		if err := seedToken(tx, p.user, p.token); err != nil {
			return err
		}
	}
	return nil
}

// seedHash is the bcrypt hash Seed stores for u's password: the password
// itself when the scenario gives it sealed (password.IsHash), else its
// hash with a salt from the seed and the address.
func seedHash(u User, seed int64) (string, error) {
	if password.IsHash(u.Password) {
		return u.Password, nil
	}
	hash, err := password.HashSeeded(bcryptInput(u.Password), password.SeedCost, seed, "amapi user "+u.Email)
	if err != nil {
		return "", fmt.Errorf("user %s: %w", u.Email, err)
	}
	return string(hash), nil
}

// Load remembers the scenario's seed for order codes and drops the kept
// probe answers (probe.go); everything else is read from the state file
// per request, so neither the transaction nor the section is needed.
func (a *API) Load(_ *state.Tx, _ *Section, seed int64) error {
	a.seed.Store(seed)
	a.store.probes.Changed() // a reset or a new scenario: the kept probes are stale
	return nil
}
