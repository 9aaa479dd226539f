package seal

import (
	"crypto/sha256"
	"strings"
	"testing"
)

// SHA256 writes what ParseSHA256 reads; anything else is a plaintext,
// whose Digest is its SHA-256.
func TestSHA256(t *testing.T) {
	sealed := SHA256("demo-key")
	want := sha256.Sum256([]byte("demo-key"))
	if sealed != "sha256:c48a01f49fd0f2cc404bc3cbbc80e91457a3d41bb429a695243de4c61794155c" {
		t.Fatalf("sealed %q", sealed)
	}
	if got, ok := ParseSHA256(sealed); !ok || got != want {
		t.Fatalf("ParseSHA256(%q) = %x, %v", sealed, got, ok)
	}
	if Digest(sealed) != want || Digest("demo-key") != want {
		t.Fatal("Digest must be the same for a key and its sealed form")
	}
	for _, plain := range []string{"", "demo-key", "sha256:", "sha256:" + sealed[7:70], sealed + "0",
		"sha256:" + "7E3A" + sealed[11:], "SHA256:" + sealed[7:], "sha256:" + sealed[7:70] + "g"} {
		if _, ok := ParseSHA256(plain); ok {
			t.Errorf("%q read as sealed", plain)
		}
		if Digest(plain) != sha256.Sum256([]byte(plain)) {
			t.Errorf("Digest(%q) is not its SHA-256", plain)
		}
	}
}

// Sum is sha256.Sum256 of the string's bytes at every length, and hashes
// one of up to 512 bytes without an allocation.
func TestSum(t *testing.T) {
	for _, n := range []int{0, 1, 32, 33, 128, 511, 512, 513, 4096} {
		s := strings.Repeat("k", n)
		if got, want := Sum(s), sha256.Sum256([]byte(s)); got != want {
			t.Errorf("Sum of %d bytes = %x, want %x", n, got, want)
		}
	}
	uri := "/v1/order/189333/history/?api_key=" + strings.Repeat("d", 470)
	if n := testing.AllocsPerRun(100, func() { _ = Sum(uri) }); n != 0 {
		t.Errorf("Sum of %d bytes: %v allocations, want 0", len(uri), n)
	}
}
