package password

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/blowfish"
)

// HashSeeded hashes the password of an identity seeded from a scenario
// with a salt derived from the scenario's seed and the identity's name
// (who: "amapi user a@example.com"), so that two seedings of a scenario
// with the clock frozen are byte-identical, hashes included. Passwords set
// at run time (Hash) keep random salts, as the vendors' do.
//
// golang.org/x/crypto/bcrypt takes no salt (it reads crypto/rand), so this
// is its algorithm, kept to what a fixed salt needs, on the same
// golang.org/x/crypto/blowfish it uses: the same $2a$ hashes, checked by
// bcrypt.CompareHashAndPassword in the tests.
func HashSeeded(pw []byte, cost int, seed int64, who string) ([]byte, error) {
	if len(pw) > MaxBytes {
		return nil, bcrypt.ErrPasswordTooLong
	}
	if cost < bcrypt.MinCost || cost > bcrypt.MaxCost {
		return nil, bcrypt.InvalidCostError(cost)
	}
	seededCalls.Add(1)
	salt := seededSalt(seed, who)
	key := memoKey(pw, cost, salt)
	if h, ok := seededMemo.get(key); ok {
		return h, nil
	}
	sum, err := bcryptSum(pw, cost, salt[:])
	if err != nil {
		return nil, err
	}
	out := fmt.Appendf(nil, "$2a$%02d$", cost)
	out = append(out, encode(salt[:])...)
	out = append(out, encode(sum)...)
	seededMemo.put(key, out)
	return append([]byte(nil), out...), nil
}

// seededCalls counts HashSeeded's calls, remembered ones included.
var seededCalls atomic.Uint64

// SeededHashes is how many seeded hashes the process has asked for, each a
// bcrypt run unless remembered. It is the seam a test of a restart reads:
// a restart seals nothing, and counting the calls proves it without a
// stopwatch (the memo would hide the bcrypt runs themselves).
func SeededHashes() uint64 { return seededCalls.Load() }

// seededMemo remembers seeded hashes: HashSeeded is a pure function of its
// arguments, and every reset of a world seeds the same identities again
// (a CI suite resets before each test), each a bcrypt run. Bounded: when
// full it is emptied, so a scenario with more identities than fit costs
// what it cost before the memo.
var seededMemo = memo{max: 4096}

// memo is a bounded map from a digest of HashSeeded's arguments to the
// hash. Its mutex guards m only; bcrypt runs outside it.
type memo struct {
	mu  sync.Mutex
	max int
	m   map[[sha256.Size]byte][]byte
}

// memoKey digests the password (never kept in memory as a key), the cost
// and the salt.
func memoKey(pw []byte, cost int, salt [16]byte) [sha256.Size]byte {
	h := sha256.New()
	h.Write(salt[:])
	h.Write([]byte{byte(cost)})
	h.Write(pw)
	var k [sha256.Size]byte
	h.Sum(k[:0])
	return k
}

func (c *memo) get(k [sha256.Size]byte) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.m[k]
	if !ok {
		return nil, false
	}
	return append([]byte(nil), h...), true
}

func (c *memo) put(k [sha256.Size]byte, h []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= c.max {
		c.m = make(map[[sha256.Size]byte][]byte, 64)
	}
	c.m[k] = h
}

// seededSalt is bcrypt's 16 bytes of salt, from the seed and the name.
func seededSalt(seed int64, who string) [16]byte {
	h := sha256.New()
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(seed))
	h.Write([]byte("mockserver bcrypt salt\x00"))
	h.Write(b[:])
	h.Write([]byte(who))
	var salt [16]byte
	copy(salt[:], h.Sum(nil))
	return salt
}

// bcryptEncoding is bcrypt's base64 alphabet, written without padding.
var bcryptEncoding = base64.NewEncoding("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789").WithPadding(base64.NoPadding)

func encode(b []byte) []byte {
	out := make([]byte, bcryptEncoding.EncodedLen(len(b)))
	bcryptEncoding.Encode(out, b)
	return out
}

// magic is the text bcrypt encrypts 64 times: "OrpheanBeholderScryDoubt".
var magic = []byte("OrpheanBeholderScryDoubt")

// bcryptSum is the 23 bytes of an $2a$ hash (the C implementations encode
// 23 of the 24, and so do all others), as x/crypto/bcrypt computes them.
func bcryptSum(pw []byte, cost int, salt []byte) ([]byte, error) {
	// The C implementations hash the key with its trailing NUL.
	key := append(append([]byte(nil), pw...), 0)
	c, err := blowfish.NewSaltedCipher(key, salt)
	if err != nil {
		return nil, err
	}
	for i := uint64(0); i < 1<<uint(cost); i++ {
		blowfish.ExpandKey(key, c)
		blowfish.ExpandKey(salt, c)
	}
	data := append([]byte(nil), magic...)
	for i := 0; i < 24; i += 8 {
		for j := 0; j < 64; j++ {
			c.Encrypt(data[i:i+8], data[i:i+8])
		}
	}
	return data[:23], nil
}

// SeededEntry is one remembered seeded hash: the hex digest of
// HashSeeded's arguments (never the password itself) and the hash.
type SeededEntry struct {
	Key  string `json:"key"`
	Hash string `json:"hash"`
}

// SeededEntries lists what the memo holds, sorted by key. With
// ForgetSeeded before a seal, it is the hashes a scenario's seeding needs:
// what a build ships for its embedded scenarios (scenario's shipped seals),
// so that their start runs no bcrypt.
func SeededEntries() []SeededEntry {
	seededMemo.mu.Lock()
	defer seededMemo.mu.Unlock()
	out := make([]SeededEntry, 0, len(seededMemo.m))
	for k, h := range seededMemo.m {
		out = append(out, SeededEntry{Key: hex.EncodeToString(k[:]), Hash: string(h)})
	}
	slices.SortFunc(out, func(a, b SeededEntry) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// RememberSeeded puts entries (SeededEntries') into the memo. HashSeeded
// is a pure function of its arguments, so a hash computed when the binary
// was built is the one it would compute; an entry whose key is not
// well-formed is skipped.
func RememberSeeded(entries []SeededEntry) {
	for _, e := range entries {
		var k [sha256.Size]byte
		if len(e.Key) != hex.EncodedLen(len(k)) {
			continue
		}
		if _, err := hex.Decode(k[:], []byte(e.Key)); err != nil {
			continue
		}
		seededMemo.put(k, []byte(e.Hash))
	}
}

// ForgetSeeded empties the memo: for a test, or a generator of shipped
// hashes, that must see every bcrypt run.
func ForgetSeeded() {
	seededMemo.mu.Lock()
	defer seededMemo.mu.Unlock()
	seededMemo.m = nil
}
