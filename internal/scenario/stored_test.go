package scenario_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/internal/scenario"
	"github.com/mockserver/mockserver/internal/seal"
	"golang.org/x/crypto/bcrypt"
)

func writeScenarios(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// What Stored writes rebuilds the scenario with no file left to read: the
// base was deleted, and the child changed, after the scenario was stored.
func TestParseStored_needsNoFiles(t *testing.T) {
	dir := writeScenarios(t, map[string]string{
		"base.yaml":  "name: base\nseed: 7\ncarreta:\n  accounts: [{api_key: base-key}]\n",
		"mid.yaml":   "name: mid\nextends: base\namapi:\n  users: [{name: A, email: a@example.com, password: password1}]\n",
		"child.yaml": "name: child\nextends: mid\n",
	})
	sc, err := scenario.LoadFile(filepath.Join(dir, "child.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	stored, err := sc.Stored()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	got, err := scenario.ParseStored("ext.db", stored)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "child" || got.Seed != 7 || got.Carreta.Accounts[0].APIKey != seal.SHA256("base-key") || got.Amapi.Users[0].Email != "a@example.com" {
		t.Fatalf("rebuilt wrongly: %+v", got)
	}
	if got.File != filepath.Join(dir, "child.yaml") {
		t.Fatalf("file %q, want the one it was read from", got.File)
	}
	if again, err := got.Stored(); err != nil || string(again) != string(stored) {
		t.Fatalf("storing again changed the bytes (%v):\n%s\n%s", err, again, stored)
	}
	if !got.SameSources(sc) {
		t.Fatal("the rebuilt scenario must have the sources it was read from")
	}
}

// A state file written before the chain was stored holds the bare source;
// it still reads, with extends: among the embedded scenarios.
func TestParseStored_readsABareSource(t *testing.T) {
	sc, err := scenario.ParseStored("old.db", []byte("name: old\nextends: default\nseed: 3\n"))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Name != "old" || sc.Seed != 3 || len(sc.Amapi.Users) == 0 {
		t.Fatalf("%+v", sc)
	}
	_, err = scenario.ParseStored("old.db", []byte("name: old\nextends: base\n"))
	want := `(scenario stored in old.db):2: extends: no scenario named "base" (shipped: default, empty, flaky)`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
}

// SameSources compares bytes, not file names: the same file under two
// spellings is one scenario, an edited base makes another.
func TestScenario_SameSources(t *testing.T) {
	dir := writeScenarios(t, map[string]string{
		"base.yaml":  "name: base\nseed: 7\n",
		"child.yaml": "name: child\nextends: base\n",
	})
	a, err := scenario.LoadFile(filepath.Join(dir, "child.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := scenario.LoadFile(filepath.Join(dir, ".", "..", filepath.Base(dir), "child.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !a.SameSources(b) {
		t.Fatal("one file read twice must have the same sources")
	}
	if err := os.WriteFile(filepath.Join(dir, "base.yaml"), []byte("name: base\nseed: 8\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := scenario.LoadFile(filepath.Join(dir, "child.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if a.SameSources(c) {
		t.Fatal("an edited base must make the sources differ")
	}
}

// ParseIn looks a posted scenario's base up in the scenario directory,
// then among the embedded scenarios, as LoadNamed does.
func TestParseIn_resolvesExtendsInDir(t *testing.T) {
	dir := writeScenarios(t, map[string]string{"base.yaml": "name: base\nseed: 7\n"})
	sc, err := scenario.ParseIn(dir, "(request body)", []byte("name: posted\nextends: base\n"))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Seed != 7 {
		t.Fatalf("seed %d, want the base's 7", sc.Seed)
	}
	sc, err = scenario.ParseIn(dir, "(request body)", []byte("name: posted\nextends: flaky\n"))
	if err != nil || len(sc.Faults) == 0 {
		t.Fatalf("an embedded base: %v", err)
	}
	// Parse has no directory: only the embedded scenarios.
	if _, err := scenario.Parse("(request body)", []byte("name: posted\nextends: base\n")); err == nil {
		t.Fatal("Parse must not read files")
	}
}

// A shipped scenario's extends: names shipped scenarios only: a
// default.yaml in the scenario directory does not change what flaky is.
func TestLoadNamed_shippedBasesAreShipped(t *testing.T) {
	dir := writeScenarios(t, map[string]string{"default.yaml": "name: default\nseed: 1\n"})
	own, err := scenario.LoadNamed(dir, "default")
	if err != nil || own.Seed != 1 {
		t.Fatalf("?name=default must find the directory's file first: %v", err)
	}
	flaky, err := scenario.LoadNamed(dir, "flaky")
	if err != nil {
		t.Fatal(err)
	}
	if len(flaky.Amapi.Users) == 0 || flaky.Amapi.Users[0].Email != "demo@example.com" {
		t.Fatal("flaky must inherit the shipped default, not the directory's")
	}
}

// sealedSrc has a secret of every kind, a secret in a comment, an anchor
// and alias, and a merge key.
const sealedSrc = `name: sealed
extends: default
seed: 5
# was: Comment-Secret-1
amapi:
  users:
    - {name: S, email: s@example.com, password: &pw Plain-Pass-1, tokens: ["9|aaaaaaaaaabbbbbbbbbbccccccccccdddddddddd", BareTokenPlain0001]}
carreta:
  accounts: [{api_key: plain-key-1, name: K}]
  orders: [{account: plain-key-1, code: OC47, maker: KNECHT, name: F, price: "1", period_min: 1, period_max: 1, order_qty: 1}]
saplab:
  employees:
    - &e {id: 1, phone: "79990000000", password: Emp-Pass-1, name: O, seat: D, email: o@saplab.example, point_id: 1, group_id: 1, status: true, client_use: true, contact_show: true}
    - {<<: *e, id: 8, phone: "79990000008", email: e8@saplab.example, password: *pw}
  clients: [{id: 3, password: Client-Pass-1}]
`

// Stored keeps no plaintext secret, not even in a comment: each password
// is the bcrypt hash of it that seeding makes, each token and api_key (and
// each reference to one) its SHA-256; the rest of the scenario reads back
// the same, aliases and merge keys resolved.
func TestStored_sealsEverySecret(t *testing.T) {
	sc, err := scenario.Parse("sealed.yaml", []byte(sealedSrc))
	if err != nil {
		t.Fatal(err)
	}
	stored, err := sc.Stored()
	if err != nil {
		t.Fatal(err)
	}
	for _, plain := range []string{"Plain-Pass-1", "aaaaaaaaaabbbbbbbbbbccccccccccdddddddddd", "BareTokenPlain0001", "plain-key-1", "Emp-Pass-1", "Client-Pass-1", "Comment-Secret-1",
		"demo-password", "DemoTokenDemoTokenDemoTokenDemoTokenDemo", "demo-key", "restricted-key"} {
		if strings.Contains(string(stored), plain) {
			t.Errorf("the stored scenario holds %q", plain)
		}
	}
	if !scenario.IsSealed(stored) || scenario.IsSealed([]byte(sealedSrc)) {
		t.Fatal("IsSealed tells the forms apart wrongly")
	}
	got, err := scenario.ParseStored("s.db", stored)
	if err != nil {
		t.Fatalf("the sealed scenario does not read back: %v\n%s", err, stored)
	}
	u := got.Amapi.Users[len(got.Amapi.Users)-1]
	if bcrypt.CompareHashAndPassword([]byte(u.Password), []byte("Plain-Pass-1")) != nil {
		t.Errorf("amapi password sealed as %q", u.Password)
	}
	wantTokens := []string{"9|" + seal.SHA256("aaaaaaaaaabbbbbbbbbbccccccccccdddddddddd"), seal.SHA256("BareTokenPlain0001")}
	if !slices.Equal(u.Tokens, wantTokens) {
		t.Errorf("tokens sealed as %q, want %q", u.Tokens, wantTokens)
	}
	accs := got.Carreta.Accounts
	if k := seal.SHA256("plain-key-1"); accs[len(accs)-1].APIKey != k || got.Carreta.Orders[0].Account != k || accs[0].APIKey != seal.SHA256("demo-key") {
		t.Errorf("api_keys sealed as %+v, the order's account as %q", accs, got.Carreta.Orders[0].Account)
	}
	emps := got.Saplab.Employees // the default's two, the first merged, then 8
	if len(emps) != 3 || bcrypt.CompareHashAndPassword([]byte(emps[0].Password), []byte("Emp-Pass-1")) != nil ||
		bcrypt.CompareHashAndPassword([]byte(emps[1].Password), []byte("demo")) != nil ||
		bcrypt.CompareHashAndPassword([]byte(emps[2].Password), []byte("Plain-Pass-1")) != nil || emps[2].Name != "O" || emps[2].ID != 8 {
		t.Errorf("saplab employees read back as %+v", emps)
	}
	if c := got.Saplab.Clients[2]; c.ID != 3 || bcrypt.CompareHashAndPassword([]byte(c.Password), []byte("Client-Pass-1")) != nil || c.Name != "Демо Покупатель" {
		t.Errorf("saplab client 3 read back as %+v", c)
	}
	// Everything but the secrets reads back as it was.
	for i := range sc.Saplab.Employees {
		a, b := sc.Saplab.Employees[i], got.Saplab.Employees[i]
		a.Password, b.Password = "", ""
		if !reflect.DeepEqual(a, b) {
			t.Errorf("employee %d: %+v, read back %+v", i, a, b)
		}
	}
	if !reflect.DeepEqual(sc.Carreta.Catalog, got.Carreta.Catalog) || !reflect.DeepEqual(sc.Faults, got.Faults) || sc.Seed != got.Seed {
		t.Error("the sealed scenario reads back otherwise than the scenario")
	}
	if again, err := got.Stored(); err != nil || string(again) != string(stored) {
		t.Fatalf("storing the sealed scenario again changed the bytes (%v)", err)
	}
	if !got.SameSources(sc) {
		t.Fatal("a scenario and its sealed form must be the same scenario")
	}
}

// Every shipped scenario seals and reads back into a scenario that seals
// to the same bytes.
func TestStored_shippedScenarios(t *testing.T) {
	for _, name := range scenario.EmbeddedNames() {
		sc, err := scenario.LoadNamed("", name)
		if err != nil {
			t.Fatal(err)
		}
		stored, err := sc.Stored()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := scenario.ParseStored("s.db", stored)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if again, _ := got.Stored(); string(again) != string(stored) || got.Name != sc.Name || got.File != sc.File {
			t.Errorf("%s: storing again changed the scenario", name)
		}
	}
}

// A state file of the version before sealing holds the extends chain's
// sources as written; it still reads, and its secrets are still plaintext
// until the server seals them (server.sealStored).
func TestParseStored_readsTheChainOfEarlierVersions(t *testing.T) {
	chain, _ := json.Marshal(map[string]any{"mockserver_scenario_chain": []map[string]any{
		{"file": "child.yaml", "source": []byte("name: child\nextends: base\n")},
		{"file": "base.yaml", "source": []byte("name: base\nseed: 7\ncarreta:\n  accounts: [{api_key: base-key}]\n")}}})
	if scenario.IsSealed(chain) {
		t.Fatal("the chain is not sealed")
	}
	sc, err := scenario.ParseStored("old.db", chain)
	if err != nil {
		t.Fatal(err)
	}
	if sc.File != "child.yaml" || sc.Seed != 7 || sc.Carreta.Accounts[0].APIKey != "base-key" {
		t.Fatalf("%+v", sc)
	}
}

// A sealed token is held to what its plaintext was: an id that fits
// Laravel's bigint and is used once, a digest of 64 lowercase hex digits.
func TestParse_sealedTokens(t *testing.T) {
	hex := strings.Repeat("0a", 32)
	for token, want := range map[string]string{
		"2|sha256:" + hex:                   "",
		"sha256:" + hex:                     "",
		"0|sha256:" + hex:                   `token must look like`,
		"2|sha256:" + hex[1:]:               `token must look like`,
		"2|sha256:" + strings.ToUpper(hex):  `token must look like`,
		"9223372036854775808|sha256:" + hex: `token id 9223372036854775808 is above 9223372036854775807`,
		"2|sha256:" + hex + `", "2|sha256:` + strings.Repeat("0b", 32): `duplicate amapi token id "2"`,
	} {
		src := "name: x\namapi:\n  users:\n    - {name: A, email: a@example.com, password: password1, tokens: [\"" + token + "\"]}\n"
		_, err := scenario.Parse("t.yaml", []byte(src))
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("%s: %v, want %q", token, err, want)
		}
	}
}

// A sealed document is parsed once: the next ParseStored of the same bytes
// is the same Scenario, whatever state file it names, while a document
// that fails is parsed (and fails, naming its file) every time.
func TestParseStored_parsesADocumentOnce(t *testing.T) {
	dir := writeScenarios(t, map[string]string{"once.yaml": "name: once\nseed: 11\ncarreta:\n  accounts: [{api_key: once-key}]\n"})
	sc, err := scenario.LoadFile(filepath.Join(dir, "once.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	stored, err := sc.Stored()
	if err != nil {
		t.Fatal(err)
	}
	first, err := scenario.ParseStored("a.db", stored)
	if err != nil {
		t.Fatal(err)
	}
	again, err := scenario.ParseStored("b.db", append([]byte(nil), stored...))
	if err != nil || again != first {
		t.Fatalf("the second parse of one document: %p, %v; want the first's %p", again, err, first)
	}
	bad := []byte(`{"mockserver_sealed_scenario":{"file":"bad.yaml","source":"name: [\n"}}`)
	for _, where := range []string{"a.db", "b.db"} {
		if _, err := scenario.ParseStored(where, bad); err == nil || !strings.Contains(err.Error(), where) {
			t.Errorf("a bad document stored in %s: %v, want a problem naming it", where, err)
		}
	}
}
