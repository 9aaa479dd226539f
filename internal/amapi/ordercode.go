package amapi

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// OrderCode is the code of the id-th order under a scenario seed, in the
// documented form XX0000-00000 (amapi.txt's 201 example): two capital
// letters, four digits, a dash, five digits. It depends only on seed, id
// and attempt, so a scenario replayed gives the same codes; attempt moves
// on to another code in the (about one in 10^11) case that one is taken.
func OrderCode(seed int64, id uint64, attempt int) string {
	var in [24]byte
	binary.BigEndian.PutUint64(in[0:], uint64(seed))
	binary.BigEndian.PutUint64(in[8:], id)
	binary.BigEndian.PutUint64(in[16:], uint64(attempt))
	sum := sha256.Sum256(append([]byte("amapi-order-code:"), in[:]...))
	n := binary.BigEndian.Uint64(sum[:8])
	l1, n := n%26, n/26
	l2, n := n%26, n/26
	d4, n := n%10000, n/10000
	d5 := n % 100000
	return fmt.Sprintf("%c%c%04d-%05d", 'A'+byte(l1), 'A'+byte(l2), d4, d5)
}
