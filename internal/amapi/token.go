package amapi

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// BearerToken extracts the token from an Authorization header as Laravel's
// Request::bearerToken does: the text after the last "Bearer " (case
// sensitive), cut at the first comma. ok is false when there is none.
func BearerToken(header string) (string, bool) {
	i := strings.LastIndex(header, "Bearer ")
	if i < 0 {
		return "", false
	}
	t := header[i+len("Bearer "):]
	if j := strings.IndexByte(t, ','); j >= 0 {
		t = t[:j]
	}
	return t, t != ""
}

// TokenRef is how Sanctum finds a plain-text token: "<id>|<secret>" names
// its row and the secret is compared with the row's hash; a token without
// "|" is looked up by the hash of the whole string.
type TokenRef struct {
	// ID is the row for the "<id>|<secret>" form, 0 for the other.
	ID uint64
	// Hash is the hex SHA-256 of the secret part (or of the whole token).
	Hash string
}

// ParseToken reads a bearer token as Sanctum's guard does
// (isValidBearerToken, then PersonalAccessToken::findToken). ok is false
// for a "|" form whose id is not all digits or whose secret is empty.
func ParseToken(token string) (TokenRef, bool) {
	idText, secret, hasPipe := strings.Cut(token, "|")
	if !hasPipe {
		if token == "" {
			return TokenRef{}, false
		}
		return TokenRef{Hash: HashToken(token)}, true
	}
	if idText == "" || secret == "" || strings.Trim(idText, "0123456789") != "" {
		return TokenRef{}, false
	}
	id, err := strconv.ParseUint(idText, 10, 64)
	if err != nil || id == 0 {
		return TokenRef{}, false
	}
	return TokenRef{ID: id, Hash: HashToken(secret)}, true
}

// HashToken is what Sanctum stores in personal_access_tokens.token:
// hash('sha256', $plainText).
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

const alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomSecret is Str::random(40): 40 letters and digits from crypto/rand,
// drawn without modulo bias.
func randomSecret() string {
	const n = 40
	out := make([]byte, 0, n)
	buf := make([]byte, 64)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
		for _, b := range buf {
			if b < 248 && len(out) < n { // 248 = 4*62: keeps every letter equally likely
				out = append(out, alphanumerics[b%62])
			}
		}
	}
	return string(out)
}

// plainToken is the "<id>|<secret>" Sanctum hands out once.
func plainToken(id uint64, secret string) string {
	return strconv.FormatUint(id, 10) + "|" + secret
}
