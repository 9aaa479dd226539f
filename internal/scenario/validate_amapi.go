package scenario

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mockserver/mockserver/internal/check"
)

// SanctumToken is the form of a Laravel Sanctum plain-text token as Sanctum
// issues it: "<id>|<40 letters and digits>".
var SanctumToken = regexp.MustCompile(`^[1-9][0-9]*\|[A-Za-z0-9]{40}$`)

// BareToken is the other form Sanctum accepts: a token without "|", looked
// up by the hash of the whole string. The vendor document's examples send
// such tokens ("Bearer 1Dg4PfVhaEcve36Z56dk8ab"); a scenario may seed them so
// the examples work as pasted. Letters and digits, 16 to 255 of them: a
// shorter one is more likely a typo than a token.
var BareToken = regexp.MustCompile(`^[A-Za-z0-9]{16,255}$`)

// fitsBigint reports whether a token id fits personal_access_tokens.id, a
// signed bigint in Laravel. A larger one cannot be seeded, and one near
// 2^64 would wrap the id counter so that tokens issued later never work.
func fitsBigint(id string) bool {
	_, err := strconv.ParseInt(id, 10, 64)
	return err == nil
}

func checkAmapi(c *check.Checker, a *Amapi) {
	emails := check.NewUnique("amapi email")
	secrets := check.NewUnique("amapi token")
	ids := check.NewUnique("amapi token id")
	for i, u := range a.Users {
		p := check.At("amapi", "users", i)
		c.Required(append(p, "name"), u.Name)
		// No address check: a scenario seeds accounts as the vendor's
		// database may hold them, the document's placeholder account
		// ("Ваша электронная почта") among them (docs/decisions/amapi.md).
		if c.Required(append(p, "email"), u.Email) {
			if utf8.RuneCountInString(u.Email) > 255 {
				c.Fail(append(p, "email"), "email must be at most 255 characters")
			}
			emails.Check(c, append(p, "email"), lower(u.Email))
		}
		if utf8.RuneCountInString(u.Password) < 8 {
			c.Fail(append(p, "password"), "password must be at least 8 characters")
		}
		for j, t := range u.Tokens {
			tp := append(append(check.Path{}, p...), "tokens", j)
			id, secret, piped := strings.Cut(t, "|")
			switch {
			case piped && SanctumToken.MatchString(t) && !fitsBigint(id):
				c.Fail(tp, "token id %s is above %d, the largest id of Laravel's bigint id column", id, int64(math.MaxInt64))
				continue
			case piped && SanctumToken.MatchString(t):
				ids.Check(c, tp, id)
			case !piped && BareToken.MatchString(t):
				secret = t
			default:
				c.Fail(tp, `token must look like "2|<40 letters and digits>" (or, as Sanctum also accepts, 16 to 255 letters and digits without "|")`)
				continue
			}
			secrets.Check(c, tp, secret)
		}
	}
}
