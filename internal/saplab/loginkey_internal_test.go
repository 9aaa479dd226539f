package saplab

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"weak"

	"github.com/mockserver/mockserver/internal/password"
	"github.com/mockserver/mockserver/internal/saplab/filter"
)

// TestLoginKey: the login cache's key is SHA-256 of the credentials as
// sent, for credentials that fit the stack buffer and for longer ones.
func TestLoginKey(t *testing.T) {
	for _, creds := range []string{"Nzk5OTAwMDAwMDA6ZGVtbw==", "", strings.Repeat("p", 300)} {
		if got, want := loginKey(creds), sha256.Sum256([]byte(creds)); got != want {
			t.Errorf("loginKey(%d bytes) = %x, want %x", len(creds), got, want)
		}
	}
}

// basicAuth is what authenticate and signIn read of an Authorization
// value, in the order they read it: the credentials of a Basic scheme,
// then their login and password.
func basicAuth(auth string, buf []byte) (login, pw []byte, ok bool) {
	creds, ok := basicCredentials(auth)
	if !ok {
		return nil, nil, false
	}
	return decodeCredentials(creds, buf)
}

// TestBasicAuth: basicAuth gives what net/http's Request.BasicAuth gives,
// for credentials that fit the stack buffer and for longer ones, and
// refuses what it refuses (another scheme, a scheme folded outside ASCII,
// bad base64, no colon).
func TestBasicAuth(t *testing.T) {
	long := base64.StdEncoding.EncodeToString([]byte("79990000000:" + strings.Repeat("p", 300)))
	for _, auth := range []string{
		"Basic Nzk5OTAwMDAwMDA6ZGVtbw==", // 79990000000:demo
		"basic Nzk5OTAwMDAwMDA6ZGVtbw==",
		"BASIC Nzk5OTAwMDAwMDA6ZGVtbw==",
		"bAsIc Nzk5OTAwMDAwMDA6ZGVtbw==",
		"BAſIC Nzk5OTAwMDAwMDA6ZGVtbw==",
		"Basic_Nzk5OTAwMDAwMDA6ZGVtbw==",
		"Basic " + long,
		"Basic " + base64.StdEncoding.EncodeToString([]byte(":")),
		"Basic " + base64.StdEncoding.EncodeToString([]byte("a:b:c")),
		"Basic " + base64.StdEncoding.EncodeToString([]byte("no-colon")),
		"Basic ",
		"Basic",
		"",
		"Bearer Nzk5OTAwMDAwMDA6ZGVtbw==",
		"Baſic Nzk5OTAwMDAwMDA6ZGVtbw==",
		"Basic Nzk5OTAwMDAwMDA6ZGVtbw",
		"Basic  Nzk5OTAwMDAwMDA6ZGVtbw==",
		"Basic Nzk5OTAwMDAwMDA6ZGVtbw==\n",
		"Basic !!!!",
	} {
		r := &http.Request{Header: http.Header{"Authorization": {auth}}}
		wantLogin, wantPw, wantOK := r.BasicAuth()
		var buf [basicAuthBuf]byte
		login, pw, ok := basicAuth(auth, buf[:])
		if string(login) != wantLogin || string(pw) != wantPw || ok != wantOK {
			t.Errorf("basicAuth(%.40q) = %q, %.20q, %v; net/http gives %q, %.20q, %v",
				auth, login, pw, ok, wantLogin, wantPw, wantOK)
		}
	}
}

// FuzzBasicAuth: for any Authorization value, basicAuth gives what
// net/http's Request.BasicAuth gives (the login, the password, whether
// they were there), so a panel login is accepted and refused as before
// and its answer is the same bytes. Seeded with the table's cases and the
// edges of the stack buffer.
func FuzzBasicAuth(f *testing.F) {
	for _, s := range []string{
		"", "Basic", "Basic ", "basic Og==", "BASIC YTpi", "Bearer YTpi", "Baſic YTpi",
		"Basic Nzk5OTAwMDAwMDA6ZGVtbw==", "Basic Nzk5OTAwMDAwMDA6ZGVtbw", "Basic  YTpi",
		"Basic YTpi\n", "Basic YT\r\npi", "Basic !!!!", "Basic bm8tY29sb24=",
		"Basic " + base64.StdEncoding.EncodeToString([]byte("логин:пароль")),
		"Basic " + base64.StdEncoding.EncodeToString([]byte("\xff\xfe:\x00")),
		"Basic " + base64.StdEncoding.EncodeToString([]byte(strings.Repeat("a", 140)+":")),
		"Basic " + base64.StdEncoding.EncodeToString([]byte(strings.Repeat("a", 400)+":b")),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, auth string) {
		r := &http.Request{Header: http.Header{"Authorization": {auth}}}
		wantLogin, wantPw, wantOK := r.BasicAuth()
		var buf [basicAuthBuf]byte
		login, pw, ok := basicAuth(auth, buf[:])
		if string(login) != wantLogin || string(pw) != wantPw || ok != wantOK {
			t.Fatalf("basicAuth(%q) = %q, %q, %v; net/http gives %q, %q, %v", auth, login, pw, ok, wantLogin, wantPw, wantOK)
		}
	})
}

// TestSignedIn: a remembered login counts only against the view it was
// accepted with, and only while its employee is active; a view loaded
// since (a reload may have changed phones, passwords or who is active)
// sends the credentials back to bcrypt.
func TestSignedIn(t *testing.T) {
	active, inactive := &employee{ID: 1, Status: true}, &employee{ID: 2}
	old := &view{employees: map[int64]*employee{1: active, 2: inactive}}
	s := &store{v: old}
	if e := s.signedIn(1, old); e != active {
		t.Fatalf("the active employee of the store's view: %v", e)
	}
	for _, tc := range []struct {
		name string
		id   int64
		v    *view
	}{{"inactive", 2, old}, {"unknown id", 3, old}, {"another view", 1, &view{employees: old.employees}}} {
		if e := s.signedIn(tc.id, tc.v); e != nil {
			t.Errorf("%s: %v, want nil", tc.name, e)
		}
	}
	s.v = &view{employees: old.employees}
	if e := s.signedIn(1, old); e != nil {
		t.Errorf("after a reload: %v, want nil", e)
	}
}

// TestKnownLogin_holdsItsViewWeakly: a remembered login does not keep the
// view it was accepted against alive once a reset or reload has replaced
// it (at the 100k scale a view's columns are most of the heap), and a
// collected view is no view: the login is checked again, even by a store
// that has no view yet.
func TestKnownLogin_holdsItsViewWeakly(t *testing.T) {
	v := &view{employees: map[int64]*employee{1: {ID: 1, Status: true}}}
	k := knownLogin{id: 1, view: weak.Make(v)}
	s := &store{v: v}
	if s.signedIn(k.id, k.view.Value()) == nil {
		t.Fatal("the login is not remembered against its own view")
	}
	s.v, v = &view{}, nil
	runtime.GC()
	if k.view.Value() != nil {
		t.Fatal("the replaced view is still reachable from the login cache")
	}
	if e := s.signedIn(k.id, k.view.Value()); e != nil {
		t.Fatalf("a collected view: %v, want nil", e)
	}
	if e := (&store{}).signedIn(k.id, nil); e != nil {
		t.Fatalf("a store with no view: %v, want nil", e)
	}
}

// TestSignIn_cacheBounded: the login cache starts over once it holds
// maxLogins credentials, so spellings of one login (each its own key,
// one bcrypt each) cannot grow it without bound; below the bound an
// accepted login is added to what is remembered.
func TestSignIn_cacheBounded(t *testing.T) {
	hash, err := password.Hash([]byte("demo"), password.SeedCost)
	if err != nil {
		t.Fatal(err)
	}
	v := &view{employees: map[int64]*employee{1: {ID: 1, Phone: filter.Digits("79990000000"), PasswordHash: string(hash), Status: true}}}
	a := &API{store: &store{v: v}, logins: map[[32]byte]knownLogin{}}
	signIn := func(login string) {
		t.Helper()
		creds := base64.StdEncoding.EncodeToString([]byte(login + ":demo"))
		if emp, err := a.signIn(creds, loginKey(creds)); err != nil || emp.ID != 1 {
			t.Fatalf("%s: %v %v", login, emp, err)
		}
	}
	for i := range maxLogins - 1 {
		a.logins[[32]byte{byte(i), byte(i >> 8), 1}] = knownLogin{id: 1}
	}
	signIn("79990000000")
	if len(a.logins) != maxLogins {
		t.Fatalf("below the bound: %d remembered, want %d", len(a.logins), maxLogins)
	}
	signIn("+7 999 000-00-00")
	if len(a.logins) != 1 {
		t.Fatalf("at the bound: %d remembered, want 1 (the cache starts over)", len(a.logins))
	}
}
