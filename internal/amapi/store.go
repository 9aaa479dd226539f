package amapi

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/state"
)

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

func getFlags(tx *state.Tx) (serviceFlags, error) {
	f := serviceFlags{Available: true, OnlineRegistration: true}
	err := tx.Get(bucketService, []byte(serviceKey), &f)
	if errors.Is(err, state.ErrNotFound) {
		err = nil
	}
	return f, err
}

func putFlags(tx *state.Tx, f serviceFlags) error {
	return tx.Put(bucketService, []byte(serviceKey), f)
}

// emailKey is how emails are compared: MySQL's default collation ignores case.
func emailKey(email string) []byte { return []byte(strings.ToLower(strings.TrimSpace(email))) }

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
	var u userRecord
	err := tx.Get(bucketUsers, state.Key(id), &u)
	return u, err
}

func insertUser(tx *state.Tx, name, email, hash string) (userRecord, error) {
	id, err := tx.NextID(bucketUsers)
	if err != nil {
		return userRecord{}, err
	}
	now := stamp(tx.Now())
	u := userRecord{ID: id, Name: name, Email: email, Password: hash, CreatedAt: now, UpdatedAt: now}
	if err := tx.Put(bucketUsers, state.Key(id), u); err != nil {
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
	ref, ok := ParseToken(plain)
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
	if err := tx.Put(bucketTokens, state.Key(id), t); err != nil {
		return err
	}
	return tx.Put(bucketTokenHashes, []byte(hash), id)
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
	var t tokenRecord
	if err := tx.Get(bucketTokens, state.Key(id), &t); err != nil {
		if errors.Is(err, state.ErrNotFound) {
			return tokenRecord{}, false, nil
		}
		return tokenRecord{}, false, err
	}
	return t, subtle.ConstantTimeCompare([]byte(t.Token), []byte(ref.Hash)) == 1, nil
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
// transaction it records last_used_at, as the guard does.
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
	if tx.Writable() {
		now := stamp(tx.Now())
		t.LastUsedAt, t.UpdatedAt = &now, now
		if err := tx.Put(bucketTokens, state.Key(t.ID), t); err != nil {
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
	if err := tx.Put(bucketOrders, state.Key(id), o); err != nil {
		return orderRecord{}, err
	}
	return o, tx.Put(bucketOrderCodes, []byte(code), id)
}
