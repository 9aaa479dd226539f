package amapi

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/mockserver/mockserver/internal/check"
	"github.com/mockserver/mockserver/internal/password"
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
// fits Laravel's bigint column, or a bare token Sanctum looks up by hash.
func checkToken(c *check.Checker, p check.Path, t string, ids, secrets *check.Unique) {
	id, secret, piped := strings.Cut(t, "|")
	switch {
	case piped && SanctumToken.MatchString(t) && !fitsBigint(id):
		c.Fail(p, problemTokenIDBigint, id, int64(math.MaxInt64))
		return
	case piped && SanctumToken.MatchString(t):
		ids.Check(c, p, id)
	case !piped && BareToken.MatchString(t):
		secret = t
	default:
		c.Fail(p, problemTokenForm)
		return
	}
	secrets.Check(c, p, secret)
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
		hash, err := password.HashSeeded(bcryptInput(u.Password), password.SeedCost, seed, "amapi user "+u.Email)
		if err != nil {
			return fmt.Errorf("user %s: %w", u.Email, err)
		}
		rec, err := insertUser(tx, u.Name, u.Email, string(hash))
		if err != nil {
			return err
		}
		for _, t := range u.Tokens {
			if ref, _ := ParseToken(t); ref.ID != 0 {
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

// Load remembers the scenario's seed for order codes; everything else is
// read from the state file per request, so neither the transaction nor the
// section is needed.
func (a *API) Load(_ *state.Tx, _ *Section, seed int64) error {
	a.seed.Store(seed)
	return nil
}
