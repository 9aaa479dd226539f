package password

import (
	"bytes"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// A seeded hash is a bcrypt hash bcrypt itself accepts, the same for the
// same seed and identity, different for another seed or identity.
func TestHashSeeded(t *testing.T) {
	for _, pw := range []string{"", "demo-password", "Ваш пароль", string(bytes.Repeat([]byte("x"), MaxBytes))} {
		h, err := HashSeeded([]byte(pw), SeedCost, 42, "amapi user demo@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if err := bcrypt.CompareHashAndPassword(h, []byte(pw)); err != nil {
			t.Fatalf("%q: bcrypt refuses %s: %v", pw, h, err)
		}
		if bcrypt.CompareHashAndPassword(h, []byte("!"+pw)) == nil {
			t.Fatalf("%q: another password matches", pw)
		}
		if cost, _ := bcrypt.Cost(h); cost != SeedCost || len(h) != 60 {
			t.Fatalf("%s: cost %d, length %d", h, cost, len(h))
		}
		again, _ := HashSeeded([]byte(pw), SeedCost, 42, "amapi user demo@example.com")
		other, _ := HashSeeded([]byte(pw), SeedCost, 43, "amapi user demo@example.com")
		someone, _ := HashSeeded([]byte(pw), SeedCost, 42, "amapi user x@example.com")
		if !bytes.Equal(h, again) || bytes.Equal(h, other) || bytes.Equal(h, someone) {
			t.Fatalf("%q: same %s %s; other seed %s; other identity %s", pw, h, again, other, someone)
		}
	}
	if _, err := HashSeeded(bytes.Repeat([]byte("x"), MaxBytes+1), SeedCost, 1, "x"); err != bcrypt.ErrPasswordTooLong {
		t.Fatalf("a password bcrypt would cut: %v", err)
	}
}

// The memo answers a repeated HashSeeded with the same bytes, never shares
// them with the caller, and stays bounded.
func TestHashSeeded_memo(t *testing.T) {
	first, err := HashSeeded([]byte("memo"), SeedCost, 7, "memo test")
	if err != nil {
		t.Fatal(err)
	}
	first[0] = 'x' // a caller changing its copy must not change the memo's
	again, err := HashSeeded([]byte("memo"), SeedCost, 7, "memo test")
	if err != nil || again[0] != '$' || bcrypt.CompareHashAndPassword(again, []byte("memo")) != nil {
		t.Fatalf("memoised hash %s, %v", again, err)
	}
	if other, _ := HashSeeded([]byte("memo!"), SeedCost, 7, "memo test"); bytes.Equal(other[29:], again[29:]) {
		t.Fatal("another password got the memoised hash")
	}
	small := memo{max: 2}
	for i := range 5 {
		small.put([32]byte{byte(i)}, []byte{byte(i)})
		if len(small.m) > 2 {
			t.Fatalf("memo holds %d entries, max 2", len(small.m))
		}
	}
	if h, ok := small.get([32]byte{4}); !ok || h[0] != 4 {
		t.Fatalf("the newest entry is gone: %v %v", h, ok)
	}
}

// NoAccount makes one comparison, like Matches, against a hash of the
// cost asked for, and matches nothing.
func TestNoAccount(t *testing.T) {
	before := Compared()
	NoAccount([]byte("mockserver: no such account"), SeedCost)
	Matches(dummy(SeedCost), []byte("x"))
	if got := Compared() - before; got != 2 {
		t.Fatalf("%d comparisons counted, want 2", got)
	}
	if cost, err := bcrypt.Cost(dummy(SeedCost)); err != nil || cost != SeedCost {
		t.Fatalf("dummy cost %d, %v", cost, err)
	}
	if cost, _ := bcrypt.Cost(dummy(6)); cost != 6 {
		t.Fatalf("dummy of cost 6 has cost %d", cost)
	}
}

// IsHash takes a bcrypt hash as Laravel or PHP stores one, and nothing
// else: a plaintext password, however hash-like, stays one.
func TestIsHash(t *testing.T) {
	h, _ := HashSeeded([]byte("pw"), SeedCost, 1, "x")
	for s, want := range map[string]bool{
		string(h):                          true,
		"$2y$10$" + string(h[7:]):          true,
		"$2b$31$" + string(h[7:]):          true,
		"$2x$04$" + string(h[7:]):          false, // not a prefix PHP writes
		"$2a$03$" + string(h[7:]):          false, // below bcrypt's least cost
		"$2a$32$" + string(h[7:]):          false,
		"$2a$09$" + string(h[7:]):          true,
		"$2a$0a$" + string(h[7:]):          false, // a cost of two digits
		"x2a$04$" + string(h[7:]):          false,
		"$2a$04x" + string(h[7:]):          false,
		"$2a$04$" + string(h[7:58]) + "é":  false, // two bytes, not in the alphabet
		string(h[:59]):                     false,
		string(h) + "x":                    false,
		"$2a$04$" + string(h[7:58]) + "!!": false,
		"demo-password":                    false,
		"":                                 false,
	} {
		if got := IsHash(s); got != want {
			t.Errorf("IsHash(%q) = %v, want %v", s, got, want)
		}
	}
}
