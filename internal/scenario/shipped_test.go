package scenario

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/mockserver/mockserver/internal/password"
)

// The seals shipped for the embedded scenarios are what sealing them
// computes now, bcrypt runs included (a stale file would only cost a start
// its speed, since shippedDigest guards its use, but it must not be left
// stale). UPDATE_SHIPPED_SEALS=1 rewrites shipped_seals.json.
func TestShippedSeals(t *testing.T) {
	want := map[string]shippedSeal{}
	for _, name := range EmbeddedNames() {
		src, err := Embedded(name)
		if err != nil {
			t.Fatal(err)
		}
		file := "scenarios/" + name + ".yaml"
		sc, err := parse(file, src, 0, inDir("")) // not parseShipped: no shipped seal
		if err != nil {
			t.Fatal(err)
		}
		password.ForgetSeeded() // every hash the seal needs is a bcrypt run, and recorded
		doc, err := sc.seal()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want[file] = shippedSeal{Digest: shippedDigest(), Sealed: string(doc), Hashes: password.SeededEntries()}
	}
	data, err := json.MarshalIndent(want, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, '\n')
	if os.Getenv("UPDATE_SHIPPED_SEALS") != "" {
		if err := os.WriteFile("shipped_seals.json", data, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(data, shippedSealsJSON) {
		t.Fatal("shipped_seals.json is stale: run UPDATE_SHIPPED_SEALS=1 go test ./internal/scenario -run ShippedSeals")
	}
}

// A shipped scenario takes its seal and its seeded hashes from the build:
// sealing it runs no bcrypt, and gives the bytes sealing computes.
func TestLoadNamed_usesTheShippedSeal(t *testing.T) {
	shipped.Delete("scenarios/default.yaml") // parsed afresh, as in a new process
	password.ForgetSeeded()
	before := password.SeededHashes()
	sc, err := parseShipped("scenarios/default.yaml", mustEmbedded(t, DefaultName))
	if err != nil {
		t.Fatal(err)
	}
	got, err := sc.sealedSource()
	if err != nil {
		t.Fatal(err)
	}
	if n := password.SeededHashes() - before; n != 0 {
		t.Errorf("sealing the shipped default asked for %d seeded hashes, want 0", n)
	}
	if len(password.SeededEntries()) == 0 {
		t.Error("the shipped hashes were not remembered for the seeding")
	}
	fresh, err := parse("scenarios/default.yaml", mustEmbedded(t, DefaultName), 0, inDir(""))
	if err != nil {
		t.Fatal(err)
	}
	want, err := fresh.seal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("the shipped seal differs from the computed one")
	}
}

// A seal shipped for other embedded files than the binary's is not used.
func TestUseShippedSeal_staleDigest(t *testing.T) {
	sc, err := parse("scenarios/default.yaml", mustEmbedded(t, DefaultName), 0, inDir(""))
	if err != nil {
		t.Fatal(err)
	}
	seals := shippedSeals()
	orig := seals[sc.File]
	seals[sc.File] = shippedSeal{Digest: "stale", Sealed: "name: not the seal\n"}
	defer func() { seals[sc.File] = orig }()
	sc.useShippedSeal()
	got, err := sc.sealedSource()
	if err != nil || bytes.Contains(got, []byte("not the seal")) {
		t.Fatalf("a stale shipped seal was used: %q, %v", got, err)
	}
}

func mustEmbedded(t *testing.T, name string) []byte {
	t.Helper()
	src, err := Embedded(name)
	if err != nil {
		t.Fatal(err)
	}
	return src
}
