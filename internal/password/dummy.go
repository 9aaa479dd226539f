package password

import (
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/bcrypt"
)

// compared counts bcrypt comparisons, real (Matches) and dummy
// (NoAccount) alike.
var compared atomic.Uint64

// Compared is how many bcrypt comparisons the process has made, real and
// dummy alike. It is the seam a test of sign-in's timing reads: an unknown
// login must cost one comparison, as a known one does, and counting them
// proves it without a stopwatch.
func Compared() uint64 { return compared.Load() }

// dummies holds one fixed hash per cost, made on first use.
var dummies sync.Map // cost -> []byte

// dummy is a fixed bcrypt hash of cost (of no password anyone sends: its
// salt is seeded and its input is a constant).
func dummy(cost int) []byte {
	if h, ok := dummies.Load(cost); ok {
		return h.([]byte)
	}
	h, err := HashSeeded([]byte("mockserver: no such account"), cost, 0, "dummy")
	if err != nil {
		panic(err) // a constant input of a valid cost always hashes
	}
	actual, _ := dummies.LoadOrStore(cost, h)
	return actual.([]byte)
}

// NoAccount spends on pw what Matches spends on a hash of the given cost,
// and always fails: a sign-in for an account that does not exist (or may
// not sign in) calls it, so that the answer takes as long as a wrong
// password for an account that does, and its time does not tell a caller
// which accounts exist (issue 14). cost 0 means bcrypt.DefaultCost.
func NoAccount(pw []byte, cost int) {
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	compared.Add(1)
	_ = bcrypt.CompareHashAndPassword(dummy(cost), pw)
}
