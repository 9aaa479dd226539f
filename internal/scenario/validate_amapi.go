package scenario

import "regexp"

// SanctumToken is the form of a Laravel Sanctum plain-text token.
var SanctumToken = regexp.MustCompile(`^[1-9][0-9]*\|[A-Za-z0-9]{40}$`)

func (c *checker) checkAmapi(a *Amapi) {
	emails := newUnique("amapi email")
	tokens := newUnique("amapi token")
	for i, u := range a.Users {
		p := at("amapi", "users", i)
		c.required(append(p, "name"), u.Name)
		if c.required(append(p, "email"), u.Email) {
			c.email(append(p, "email"), u.Email)
			emails.check(c, append(p, "email"), lower(u.Email))
		}
		if len(u.Password) < 8 {
			c.fail(append(p, "password"), "password must be at least 8 characters")
		}
		for j, t := range u.Tokens {
			tp := append(append(path{}, p...), "tokens", j)
			if !SanctumToken.MatchString(t) {
				c.fail(tp, "token must look like \"2|<40 letters and digits>\"")
				continue
			}
			tokens.check(c, tp, t)
		}
	}
}
