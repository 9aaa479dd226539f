package amapi

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/mockserver/mockserver/internal/answercache"
	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/password"
	"github.com/mockserver/mockserver/internal/state"
)

// store runs amapi's use cases on the state file. Each exported method is
// one use case and makes its change in exactly one write transaction (a
// read in one read transaction), which it hands to the tx-scoped helpers
// further down (benbjohnson/wtf's shape); handlers never open one. A use case that fails returns the vendor's *Error and, its
// transaction rolled back, changes nothing (not even a token's
// last_used_at).
//
// bcrypt never runs inside a write transaction: at Laravel's cost a hash
// or a comparison takes some 50 ms, and bbolt has one writer for the whole
// state file, so every write of all three APIs would wait for it. Register
// and change-password hash the new password before their transaction;
// login and change-password compare the given password against the stored
// hash read in a read-only transaction first (which blocks no writer), and
// their write transaction uses that answer only if the hash is still the
// one compared (see verifier), so the answer is the one a single
// transaction would give.
type store struct {
	db *state.Store
	// cost is the bcrypt cost of passwords set at run time
	// (Deps.PasswordCost; 0 is bcrypt's default, Laravel's).
	cost int
	// probes keeps GET api/test's answers between writes (probe.go).
	probes *answercache.Cache[[32]byte, probe]
}

// batch is the state file's group commit for a use case that writes; the
// kept probe answers are stale once it returns.
func (s store) batch(fn func(tx *state.Tx) error) error {
	defer s.probes.Changed()
	return s.db.Batch(fn)
}

// update is a write transaction of its own, as batch.
func (s store) update(fn func(tx *state.Tx) error) error {
	defer s.probes.Changed()
	return s.db.Update(fn)
}

// Register creates a user and signs it in (POST api/register), making the
// checks in Laravel's order: the service (503), registration open (403),
// a readable body (derr, the body's decoding error), then the rules with
// the address unique. It returns the new token.
func (s store) Register(in Input, derr error) (string, error) {
	// The hash is made before the transaction, and only for a request that
	// passes every rule but the unique address, as Laravel hashes only
	// after validation.
	var hash []byte
	if derr == nil && len(Validate(in, RegisterRules, Checks{"email": func(string) string { return "" }})) == 0 {
		var err error
		if hash, err = password.Hash(bcryptInput(in["password"].(string)), s.cost); err != nil {
			return "", err
		}
	}
	var token string
	err := s.batch(func(tx *state.Tx) error {
		flags, err := serviceUp(tx, flagSignedUp)
		if err != nil {
			return err
		}
		if !flags.OnlineRegistration {
			return fail(http.StatusForbidden, flagSignedUp, MsgRegistrationClosed)
		}
		if err := readable(flagSignedUp, derr); err != nil {
			return err
		}
		if err := validateRegistration(tx, in); err != nil {
			return err
		}
		name, email := strings.TrimSpace(in["name"].(string)), strings.TrimSpace(in["email"].(string))
		u, err := insertUser(tx, name, email, string(hash))
		if err != nil {
			return err
		}
		token, err = issueToken(tx, u.ID)
		return err
	})
	return token, err
}

// validateRegistration applies RegisterRules, the address unique among
// the stored users.
func validateRegistration(tx *state.Tx, in Input) error {
	var lookupErr error
	msgs := Validate(in, RegisterRules, Checks{"email": func(email string) string {
		_, taken, err := userByEmail(tx, email)
		if err != nil {
			lookupErr = err
		}
		if taken {
			return fmt.Sprintf(fmtUnique, "email")
		}
		return ""
	}})
	if lookupErr != nil {
		return lookupErr
	}
	if len(msgs) > 0 {
		return invalid(flagSignedUp, msgs...)
	}
	return nil
}

// Login checks the email and password pair and issues a new token (POST
// api/login); every mismatch is the vendor's one message.
func (s store) Login(in Input, derr error) (string, error) {
	v, err := s.primeLogin(in)
	if err != nil {
		return "", err
	}
	var token string
	err = s.batch(func(tx *state.Tx) error {
		if _, err := serviceUp(tx, flagSignedIn); err != nil {
			return err
		}
		if err := readable(flagSignedIn, derr); err != nil {
			return err
		}
		if msgs := Validate(in, LoginRules, nil); len(msgs) > 0 {
			return invalid(flagSignedIn, msgs...)
		}
		u, found, err := userByEmail(tx, in["email"].(string))
		if err != nil {
			return err
		}
		if !found || !v.matches(u.Password, in["password"].(string)) {
			return invalid(flagSignedIn, MsgWrongCredentials)
		}
		token, err = issueToken(tx, u.ID)
		return err
	})
	return token, err
}

// primeLogin compares the password of a well-formed login with the stored
// hash of its user, read in a read-only transaction, for Login's write
// transaction to use.
func (s store) primeLogin(in Input) (verifier, error) {
	v := verifier{}
	if len(Validate(in, LoginRules, nil)) > 0 {
		return v, nil
	}
	var u userRecord
	var found bool
	err := s.db.View(func(tx *state.Tx) error {
		var err error
		u, found, err = userByEmail(tx, in["email"].(string))
		return err
	})
	switch {
	case found:
		v.prime(u.Password, in["password"].(string))
	case err == nil:
		// No such user: the same bcrypt work as a wrong password costs, so
		// the answer's time does not tell which addresses have accounts.
		// Seeded accounts, the ones a scenario declares, have SeedCost.
		password.NoAccount(bcryptInput(in["password"].(string)), password.SeedCost)
	}
	return v, err
}

// verifier holds bcrypt comparisons made before a write transaction, keyed
// by the stored hash and the password given. A comparison the transaction
// asks for that was not made before (the user's hash changed in between)
// is made on the spot, so the answer is always the current one.
type verifier map[[2]string]bool

func (v verifier) prime(hash, pw string) {
	v[[2]string{hash, pw}] = password.Matches([]byte(hash), bcryptInput(pw))
}

func (v verifier) matches(hash, pw string) bool {
	if ok, primed := v[[2]string{hash, pw}]; primed {
		return ok
	}
	return password.Matches([]byte(hash), bcryptInput(pw))
}

// Logout revokes every token of the caller (POST api/logout).
func (s store) Logout(bearer string) error {
	return s.protected(bearer, flagSignedOut, func(tx *state.Tx, caller session) error {
		return revokeTokens(tx, caller.user.ID)
	})
}

// ChangePassword sets a new password for the caller, who names their own
// email and current password; every old token is revoked and the new one
// returned (POST api/change-password).
func (s store) ChangePassword(bearer string, in Input, derr error) (string, error) {
	const flag = flagPasswordChanged
	v, hash, err := s.primeChangePassword(bearer, in, derr)
	if err != nil {
		return "", err
	}
	var token string
	err = s.protected(bearer, flag, func(tx *state.Tx, caller session) error {
		if err := readable(flag, derr); err != nil {
			return err
		}
		if msgs := Validate(in, ChangePasswordRules, callerChecks(caller.user, v)); len(msgs) > 0 {
			return invalid(flag, msgs...)
		}
		if hash == nil { // the caller's token is newer than the read: hash here
			var err error
			if hash, err = password.Hash(bcryptInput(in["password"].(string)), s.cost); err != nil {
				return err
			}
		}
		if err := setPassword(tx, caller.user, string(hash)); err != nil {
			return err
		}
		if err := revokeTokens(tx, caller.user.ID); err != nil {
			return err
		}
		token, err = issueToken(tx, caller.user.ID)
		return err
	})
	return token, err
}

// primeChangePassword does change-password's bcrypt work before its write
// transaction: the old password compared with the caller's stored hash
// (read in a read-only transaction, which stamps no last_used_at), and the
// new one hashed, for a request that would pass every rule given a right
// old password.
func (s store) primeChangePassword(bearer string, in Input, derr error) (verifier, []byte, error) {
	v := verifier{}
	pass := func(string) string { return "" }
	if derr != nil || len(Validate(in, ChangePasswordRules, Checks{"email": pass, "old_password": pass})) > 0 {
		return v, nil, nil
	}
	var caller session
	var ok bool
	err := s.db.View(func(tx *state.Tx) error {
		var err error
		caller, ok, err = authenticate(tx, bearer)
		return err
	})
	if err != nil || !ok {
		return v, nil, err
	}
	v.prime(caller.user.Password, in["old_password"].(string))
	hash, err := password.Hash(bcryptInput(in["password"].(string)), s.cost)
	return v, hash, err
}

// callerChecks are change-password's checks against the caller: the email
// is theirs (in any case), the old password their current one.
func callerChecks(u userRecord, v verifier) Checks {
	return Checks{
		"email": func(email string) string {
			if !strings.EqualFold(email, u.Email) {
				return MsgEmailNotCallers
			}
			return ""
		},
		"old_password": func(old string) string {
			if !v.matches(u.Password, old) {
				return MsgOldPasswordMismatch
			}
			return ""
		},
	}
}

// PlaceOrder validates an order of the given kind (POST api/create-order,
// api/buy-click, api/callback) and stores the request exactly as sent,
// under a new code derived from the scenario's seed, which it returns.
func (s store) PlaceOrder(bearer string, kind orderKind, seed int64, body []byte, in Input, derr error) (string, error) {
	var code string
	err := s.protected(bearer, flagOrderCreated, func(tx *state.Tx, caller session) error {
		if err := readable(flagOrderCreated, derr); err != nil {
			return err
		}
		if msgs := Validate(in, kind.rules, nil); len(msgs) > 0 {
			return invalid(flagOrderCreated, msgs...)
		}
		o, err := insertOrder(tx, seed, kind.name, caller, body)
		code = o.Code
		return err
	})
	return code, err
}

// Probe reports the service flags and whether bearer (may be "") signs
// anyone in (GET api/test), kept between writes (probe.go). It reads in a
// View and so does not stamp
// last_used_at: clients poll this probe, and a durable write (an fsync)
// per poll would make it some thirty times slower than any other read.
func (s store) Probe(bearer string) (flags serviceFlags, authenticated bool, err error) {
	g, key := s.probes.Version(), probeKey(bearer)
	if p, ok := s.probes.Get(key, g); ok {
		return p.flags, p.auth, nil
	}
	defer func() {
		if err == nil {
			s.probes.Put(key, g, probe{flags, authenticated})
		}
	}()
	err = s.db.View(func(tx *state.Tx) error {
		var err error
		if flags, err = getFlags(tx); err != nil {
			return err
		}
		if bearer != "" {
			_, authenticated, err = authenticate(tx, bearer)
		}
		return err
	})
	return flags, authenticated, err
}

// Flags reads the service flags (GET /__admin/amapi/service).
func (s store) Flags() (serviceFlags, error) {
	var f serviceFlags
	err := s.db.View(func(tx *state.Tx) error {
		var err error
		f, err = getFlags(tx)
		return err
	})
	return f, err
}

// ChangeFlags sets the flags given (nil leaves one as it is) and returns
// them all (POST /__admin/amapi/service).
func (s store) ChangeFlags(available, onlineRegistration *bool) (serviceFlags, error) {
	var f serviceFlags
	err := s.update(func(tx *state.Tx) error {
		var err error
		if f, err = getFlags(tx); err != nil {
			return err
		}
		if available != nil {
			f.Available = *available
		}
		if onlineRegistration != nil {
			f.OnlineRegistration = *onlineRegistration
		}
		return putFlags(tx, f)
	})
	return f, err
}

// protected runs fn for an admitted caller in the use case's one
// read-write transaction, through the group commit (state.Store.Batch):
// fn may run more than once and touches nothing outside tx.
func (s store) protected(bearer, flag string, fn func(tx *state.Tx, caller session) error) error {
	return s.batch(func(tx *state.Tx) error {
		caller, err := admit(tx, bearer, flag)
		if err != nil {
			return err
		}
		return fn(tx, caller)
	})
}

// serviceUp is the check every endpoint but test makes first: while the
// service is unavailable (scenario or control API) it answers 503 in the
// endpoint's shape.
func serviceUp(tx *state.Tx, flag string) (serviceFlags, error) {
	f, err := getFlags(tx)
	if err == nil && !f.Available {
		err = unavailable(flag)
	}
	return f, err
}

// readable turns a body that could not be decoded into the endpoint's 400.
func readable(flag string, derr error) error {
	if derr != nil {
		return invalid(flag, derr.Error())
	}
	return nil
}

// admit makes the checks of every "requires authentication" endpoint in
// Laravel's order: the token (401, Sanctum's middleware), then the service
// flag (503, the controller).
func admit(tx *state.Tx, bearer, flag string) (session, error) {
	s, ok, err := authenticate(tx, bearer)
	if err != nil {
		return session{}, err
	}
	if !ok {
		return session{}, errUnauthenticated()
	}
	_, err = serviceUp(tx, flag)
	return s, err
}

// Buckets are amapi's collections in the state file. The first of each pair
// holds rows (as the vendor's tables would), the second is the index a
// lookup needs: lower-cased email → user id, token hash → token id, order
// code → order id.
var Buckets = []string{
	bucketUsers, bucketUserEmails,
	bucketTokens, bucketTokenHashes,
	bucketOrders, bucketOrderCodes,
	bucketService,
}

const (
	bucketUsers       = "amapi.users"
	bucketUserEmails  = "amapi.user_emails"
	bucketTokens      = "amapi.tokens"
	bucketTokenHashes = "amapi.token_hashes"
	bucketOrders      = "amapi.orders"
	bucketOrderCodes  = "amapi.order_codes"
	bucketService     = "amapi.service"

	serviceKey = "flags"
)

// timeLayout is how Laravel stores timestamps (naive, in the app's zone,
// Moscow here).
const timeLayout = "2006-01-02 15:04:05"

func stamp(t time.Time) string { return t.In(clock.Moscow).Format(timeLayout) }

// userRecord is a row of Laravel's users table.
type userRecord struct {
	ID        uint64 `json:"id"`
	Name      string `json:"name"`
	Email     string `json:"email"`
	Password  string `json:"password"` // bcrypt hash
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// tokenRecord is a row of Sanctum's personal_access_tokens table.
type tokenRecord struct {
	ID            uint64   `json:"id"`
	TokenableType string   `json:"tokenable_type"`
	TokenableID   uint64   `json:"tokenable_id"`
	Name          string   `json:"name"`
	Token         string   `json:"token"` // hex SHA-256 of the secret
	Abilities     []string `json:"abilities"`
	LastUsedAt    *string  `json:"last_used_at"`
	CreatedAt     string   `json:"created_at"`
	UpdatedAt     string   `json:"updated_at"`
}

// The callers' tokens and users decoded from the file, kept between
// requests by their bytes (state.Memo): every authenticated request reads
// both, and decoding them was a tenth of a create-order's processor time
// besides the fsync (issue 16). A token's bytes change once a second at
// most (restamp), and the write that changes them leaves them decoded.
var (
	tokenMemo = state.NewMemo(bucketTokens, (*tokenRecord).clone)
	userMemo  = state.NewMemo(bucketUsers, (*userRecord).clone)
)

// clone is a copy of u (its fields are all values).
func (u *userRecord) clone() *userRecord {
	c := *u
	return &c
}

// clone is a copy of t that shares nothing with it.
func (t *tokenRecord) clone() *tokenRecord {
	c := *t
	c.Abilities = slices.Clone(t.Abilities)
	c.LastUsedAt = state.ClonePtr(t.LastUsedAt)
	return &c
}

// tokenName is the name amapi gives the tokens it issues (createToken($name)).
const tokenName = "api"

// orderRecord is an order, a one-click buy or a callback request, with the
// request exactly as the client sent it.
type orderRecord struct {
	ID        uint64          `json:"id"`
	Code      string          `json:"code"`
	Kind      string          `json:"kind"`
	UserID    uint64          `json:"user_id"`
	TokenID   uint64          `json:"token_id"`
	CreatedAt string          `json:"created_at"`
	Request   json.RawMessage `json:"request"`
}

// serviceFlags are what GET /api/test reports and the control API flips.
type serviceFlags struct {
	Available          bool `json:"available"`
	OnlineRegistration bool `json:"online_registration"`
}

// getFlags reads the service flags, true both when none are stored. Every
// amapi request reads them; the row putFlags stores is matched as bytes,
// not decoded (issue 16), and any other form is decoded as before.
func getFlags(tx *state.Tx) (serviceFlags, error) {
	f := serviceFlags{Available: true, OnlineRegistration: true}
	raw := tx.Bucket(bucketService).Get([]byte(serviceKey))
	if raw == nil {
		return f, nil
	}
	if f, ok := storedFlags(raw); ok {
		return f, nil
	}
	return f, json.Unmarshal(raw, &f)
}

// storedFlags reads the flags from the row as putFlags writes it
// (json.Marshal of serviceFlags); false for any other form.
func storedFlags(raw []byte) (serviceFlags, bool) {
	f, ok := flagsRows[string(raw)] // a map index by string(raw) copies nothing
	return f, ok
}

// flagsRows are the four rows putFlags can store, with the flags of each.
var flagsRows = func() map[string]serviceFlags {
	m := map[string]serviceFlags{}
	for _, f := range [...]serviceFlags{{true, true}, {true, false}, {false, true}, {false, false}} {
		data, _ := json.Marshal(f)
		m[string(data)] = f
	}
	return m
}()

func putFlags(tx *state.Tx, f serviceFlags) error {
	return tx.Put(bucketService, []byte(serviceKey), f)
}

func userByEmail(tx *state.Tx, email string) (userRecord, bool, error) {
	var id uint64
	if err := tx.Get(bucketUserEmails, emailKey(email), &id); err != nil {
		if errors.Is(err, state.ErrNotFound) {
			return userRecord{}, false, nil
		}
		return userRecord{}, false, err
	}
	u, err := userByID(tx, id)
	return u, err == nil, err
}

func userByID(tx *state.Tx, id uint64) (userRecord, error) {
	u, err := userMemo.Get(tx, state.Key(id))
	if err != nil {
		return userRecord{}, err
	}
	return *u, nil
}

func insertUser(tx *state.Tx, name, email, hash string) (userRecord, error) {
	id, err := tx.NextID(bucketUsers)
	if err != nil {
		return userRecord{}, err
	}
	now := stamp(tx.Now())
	u := userRecord{ID: id, Name: name, Email: email, Password: hash, CreatedAt: now, UpdatedAt: now}
	if err := tx.Append(bucketUsers, state.Key(id), u); err != nil { // a new id: above every key
		return userRecord{}, err
	}
	return u, tx.Put(bucketUserEmails, emailKey(email), id)
}

func setPassword(tx *state.Tx, u userRecord, hash string) error {
	u.Password, u.UpdatedAt = hash, stamp(tx.Now())
	return tx.Put(bucketUsers, state.Key(u.ID), u)
}

// issueToken creates a token for the user and returns its plain text, the
// only time it exists outside the client.
func issueToken(tx *state.Tx, userID uint64) (string, error) {
	id, err := tx.NextID(bucketTokens)
	if err != nil {
		return "", err
	}
	secret := randomSecret()
	return plainToken(id, secret), putToken(tx, id, userID, HashToken(secret))
}

// seedToken stores a scenario token: "<id>|<secret>" keeps its id, a token
// without "|" takes the next one (the caller seeds the first form first).
func seedToken(tx *state.Tx, userID uint64, plain string) error {
	ref, ok := seedRef(plain)
	if !ok {
		return fmt.Errorf("token %q is not a Sanctum token", plain)
	}
	id := ref.ID
	if id == 0 {
		var err error
		if id, err = tx.NextID(bucketTokens); err != nil {
			return err
		}
	} else if err := tx.SetSequence(bucketTokens, id); err != nil {
		return err
	}
	return putToken(tx, id, userID, ref.Hash)
}

func putToken(tx *state.Tx, id, userID uint64, hash string) error {
	if tx.Bucket(bucketTokens).Get(state.Key(id)) != nil || tx.Bucket(bucketTokenHashes).Get([]byte(hash)) != nil {
		return fmt.Errorf("token %d already exists", id)
	}
	now := stamp(tx.Now())
	t := tokenRecord{ID: id, TokenableType: `App\Models\User`, TokenableID: userID, Name: tokenName,
		Token: hash, Abilities: []string{"*"}, CreatedAt: now, UpdatedAt: now}
	// Both keys were looked for above: Insert, not Put's look for the same bytes.
	if err := tx.Insert(bucketTokens, state.Key(id), t); err != nil {
		return err
	}
	return tx.Insert(bucketTokenHashes, []byte(hash), id)
}

// findToken is PersonalAccessToken::findToken: by id with a constant-time
// hash comparison, or by the hash alone for a token without "|".
func findToken(tx *state.Tx, ref TokenRef) (tokenRecord, bool, error) {
	id := ref.ID
	if id == 0 {
		if err := tx.Get(bucketTokenHashes, []byte(ref.Hash), &id); err != nil {
			if errors.Is(err, state.ErrNotFound) {
				return tokenRecord{}, false, nil
			}
			return tokenRecord{}, false, err
		}
	}
	t, err := tokenMemo.Get(tx, state.Key(id))
	if err != nil {
		if errors.Is(err, state.ErrNotFound) {
			return tokenRecord{}, false, nil
		}
		return tokenRecord{}, false, err
	}
	return *t, subtle.ConstantTimeCompare([]byte(t.Token), []byte(ref.Hash)) == 1, nil
}

// revokeTokens deletes every token of the user ($user->tokens()->delete()).
func revokeTokens(tx *state.Tx, userID uint64) error {
	var doomed []tokenRecord
	err := tx.ForEach(bucketTokens, func(_, v []byte) error {
		var t tokenRecord
		if err := json.Unmarshal(v, &t); err != nil {
			return err
		}
		if t.TokenableID == userID {
			doomed = append(doomed, t)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, t := range doomed {
		if err := tx.Delete(bucketTokens, state.Key(t.ID)); err != nil {
			return err
		}
		if err := tx.Delete(bucketTokenHashes, []byte(t.Token)); err != nil {
			return err
		}
	}
	return nil
}

// session is the authenticated caller.
type session struct {
	user  userRecord
	token tokenRecord
}

// authenticate is Sanctum's guard for the bearer token: nothing, an unknown
// token, or one whose user is gone authenticate no one. In a writable
// transaction it records last_used_at, as the guard does, unless the token
// already holds this second (restamp): the same bytes again would only
// add the tokens' page to the commit.
func authenticate(tx *state.Tx, bearer string) (session, bool, error) {
	ref, ok := ParseToken(bearer)
	if !ok {
		return session{}, false, nil
	}
	t, ok, err := findToken(tx, ref)
	if err != nil || !ok {
		return session{}, false, err
	}
	u, err := userByID(tx, t.TokenableID)
	if errors.Is(err, state.ErrNotFound) {
		return session{}, false, nil
	}
	if err != nil {
		return session{}, false, err
	}
	if now := stamp(tx.Now()); tx.Writable() && restamp(t.LastUsedAt, t.UpdatedAt, now) {
		t.LastUsedAt, t.UpdatedAt = &now, now
		if err := tokenMemo.Put(tx, state.Key(t.ID), &t); err != nil {
			return session{}, false, err
		}
	}
	return session{user: u, token: t}, true, nil
}

// insertOrder stores an order of the given kind with its code.
func insertOrder(tx *state.Tx, seed int64, kind string, s session, request []byte) (orderRecord, error) {
	id, err := tx.NextID(bucketOrders)
	if err != nil {
		return orderRecord{}, err
	}
	code := OrderCode(seed, id, 0)
	for attempt := 1; tx.Bucket(bucketOrderCodes).Get([]byte(code)) != nil; attempt++ {
		code = OrderCode(seed, id, attempt)
	}
	o := orderRecord{ID: id, Code: code, Kind: kind, UserID: s.user.ID, TokenID: s.token.ID,
		CreatedAt: stamp(tx.Now()), Request: json.RawMessage(request)}
	if err := tx.Append(bucketOrders, state.Key(id), &o); err != nil {
		return orderRecord{}, err
	}
	return o, tx.Insert(bucketOrderCodes, []byte(code), id) // the loop above found it free
}
