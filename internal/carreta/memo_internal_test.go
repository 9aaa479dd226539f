package carreta

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// TestKeySums: the api keys' memo answers keyHash, the first time and
// again, for a key it holds and for one too long to hold (slotmemo's own
// tests hold the memo's slots and copies).
func TestKeySums(t *testing.T) {
	for _, k := range []string{"", "demo-key", "demo-kez", strings.Repeat("k", 129)} {
		for range 2 {
			sum, ok := keySums.Lookup(k)
			if !ok {
				sum = keyHash(k)
				keySums.Keep(k, sum)
			}
			if want := keyHash(k); sum != want {
				t.Fatalf("keySums(%q) = %x, want %x", k, sum, want)
			}
		}
	}
	if _, ok := keySums.Lookup(strings.Repeat("k", 129)); ok {
		t.Fatal("a key over 128 bytes held")
	}
}

// TestEscaped is strings.ContainsAny(s, "%+") on names and values,
// multi-byte and invalid UTF-8 among them.
func TestEscaped(t *testing.T) {
	for _, s := range []string{"", "api_key", "a%20b", "a+b", "%", "+", "ключ", "ключ+", "\xff%", "\xff", "q=oc47"} {
		if got, want := escaped(s), strings.ContainsAny(s, "%+"); got != want {
			t.Errorf("escaped(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestAuthenticate_keepsOnlyAccountsKeys: the key memo holds the key of
// an account that authenticated, never a key that named none (a client's
// key sent in error stays in memory no longer than its request), and a
// remembered key still authenticates only while the view has its account.
func TestAuthenticate_keepsOnlyAccountsKeys(t *testing.T) {
	const good, wrong = "audit-good-key", "audit-key-sent-in-error"
	v := &view{accounts: map[[32]byte]*account{keyHash(good): {id: 7}}}
	a := &API{}
	auth := func(v *view, key string) (*account, error) {
		r := httptest.NewRequest(http.MethodGet, "/v1/profile/?api_key="+key, nil)
		return a.authenticate(echo.New().NewContext(r, httptest.NewRecorder()), v)
	}
	held := func(key string) bool {
		_, ok := keySums.Lookup(key)
		return ok
	}
	if acc, err := auth(v, wrong); err == nil || acc != nil || held(wrong) {
		t.Fatalf("a wrong key: %v %v, held %v", acc, err, held(wrong))
	}
	for range 2 {
		if acc, err := auth(v, good); err != nil || acc.id != 7 || !held(good) {
			t.Fatalf("an account's key: %v %v, held %v", acc, err, held(good))
		}
	}
	if acc, err := auth(&view{accounts: map[[32]byte]*account{}}, good); err == nil {
		t.Fatalf("a remembered key whose account is gone: %v", acc)
	}
}
