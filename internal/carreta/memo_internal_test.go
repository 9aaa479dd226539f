package carreta

import (
	"fmt"
	"hash/maphash"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unsafe"

	"github.com/labstack/echo/v4"
)

// TestKeyMemo: the memo answers keyHash for every key it was given, the
// first time and again, with more keys than slots (keys evict each other)
// and keys too long to hold; a held key is its own copy, not the caller's
// memory.
func TestKeyMemo(t *testing.T) {
	m := keyMemo{seed: maphash.MakeSeed()}
	// sum is what authenticate does for a key that names an account.
	sum := func(key string) [32]byte {
		s, ok := m.lookup(key)
		if !ok {
			s = keyHash(key)
			m.keep(key, s)
		}
		return s
	}
	keys := []string{"", "demo-key", "demo-kez", strings.Repeat("k", memoKeyMax), strings.Repeat("k", memoKeyMax+1)}
	for i := range 3 * memoSlots {
		keys = append(keys, fmt.Sprintf("key-%d", i))
	}
	for round := range 3 {
		for _, k := range keys {
			if got, want := sum(k), keyHash(k); got != want {
				t.Fatalf("round %d: sum(%q) = %x, want %x", round, k, got, want)
			}
		}
	}
	// A key whose bytes change after the call (unsafe.String over a
	// buffer): the memo must hold its own copy, or its slot would read
	// the new bytes with the old key's sum.
	buf := []byte("reused-key")
	first := sum(unsafe.String(&buf[0], len(buf)))
	copy(buf, "REUSED")
	if ks := m.slots[maphash.String(m.seed, "reused-key")%memoSlots].Load(); ks == nil || ks.key != "reused-key" {
		t.Fatalf("the memo's slot holds %+v, want the key as it was sent", ks)
	}
	if got := sum("reused-key"); got != first || got != keyHash("reused-key") {
		t.Fatal("the memo kept the caller's bytes, not a copy")
	}
	held := 0
	for i := range m.slots {
		if ks := m.slots[i].Load(); ks != nil && len(ks.key) > memoKeyMax {
			t.Fatalf("a key of %d bytes held", len(ks.key))
		} else if ks != nil {
			held++
		}
	}
	if held == 0 {
		t.Fatal("nothing held")
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
		_, ok := keySums.lookup(key)
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
