package server_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/mockserver/mockserver/internal/password"
	"github.com/mockserver/mockserver/internal/scenario"
	"github.com/mockserver/mockserver/internal/server"
	"github.com/mockserver/mockserver/internal/state"
)

// The secrets of sealedFiles, each distinctive enough that finding it
// anywhere means it leaked. The comment's is in no field: comments are
// dropped whole.
var (
	amapiPassword = "Amapi-Pass-7Kq2"
	amapiToken    = "41|" + strings.Repeat("Zq7Tok", 7)[:40]
	bareToken     = "BareTokSeal9876543210xyz"
	carretaKey    = "carreta-key-Sealed-5Vb"
	employeePass  = "Saplab-Emp-3Wd"
	clientPass    = "Saplab-Cli-8Hn"
	commentSecret = "Old-Secret-Comment-4Tz"
	secrets       = []string{amapiPassword, amapiToken, amapiToken[3:], bareToken, carretaKey, employeePass, clientPass, commentSecret}
)

// sealedFiles writes a scenario with a secret of every kind, spread over
// an extends chain (child.yaml, base.yaml, the embedded default), with an
// anchor and alias, a merge key and a secret in a comment.
func sealedFiles(t *testing.T) (dir, child string) {
	t.Helper()
	dir = t.TempDir()
	files := map[string]string{
		"base.yaml": `name: base
extends: default
seed: 11
carreta:
  accounts:
    - {api_key: ` + carretaKey + `, name: Sealed Parts, email: s@carreta.example, balance: "10"}
  orders:
    - {account: ` + carretaKey + `, code: OC47, maker: KNECHT, name: Фильтр, price: "100", period_min: 1, period_max: 2, order_qty: 1}
  generate: {orders_account: ` + carretaKey + `}
`,
		"child.yaml": `name: sealed
extends: base
# the old password was ` + commentSecret + `
amapi:
  users:
    - name: Sealed User
      email: sealed@example.com
      password: &pw ` + amapiPassword + `
      tokens: ["` + amapiToken + `", ` + bareToken + `]
saplab:
  employees:
    - &owner {id: 1, phone: "79990000000", password: ` + employeePass + `, name: Владелец, seat: Директор, email: owner@saplab.example, point_id: 1, group_id: 1, status: true, client_use: true, contact_show: true}
    - {<<: *owner, id: 7, phone: "79990000007", email: seven@saplab.example, password: *pw}
  clients:
    - {id: 3, password: ` + clientPass + `}
`,
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir, filepath.Join(dir, "child.yaml")
}

// leaked lists the secrets found in data, as they are or in base64 (at
// any of its three alignments: an earlier version stored the sources as
// JSON bytes).
func leaked(data []byte) []string {
	var found []string
	for _, s := range secrets {
		if bytes.Contains(data, []byte(s)) {
			found = append(found, s)
			continue
		}
		for k := range 3 {
			enc := base64.StdEncoding.EncodeToString(append(make([]byte, k), s...))
			from, to := (k+2)/3*4, (k+len(s))/3*4
			if to-from >= 8 && bytes.Contains(data, []byte(enc[from:to])) {
				found = append(found, s+" (base64)")
				break
			}
		}
	}
	return found
}

// send is one request through srv's handler, with header pairs.
func send(t *testing.T, srv *server.Server, method, path, body string, headers ...string) (int, []byte) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

// freezeAndReset freezes srv's clock at one reading and reseeds, so that
// two seedings can be compared byte for byte; it returns the snapshot.
func freezeAndReset(t *testing.T, srv *server.Server) []byte {
	t.Helper()
	if code, body := send(t, srv, http.MethodPost, "/__admin/clock", `{"set":"2026-03-01T12:00:00+03:00","freeze":true}`); code != http.StatusOK {
		t.Fatalf("clock: %d %s", code, body)
	}
	if code, body := send(t, srv, http.MethodPost, "/__admin/reset", ""); code != http.StatusOK {
		t.Fatalf("reset: %d %s", code, body)
	}
	code, snap := send(t, srv, http.MethodGet, "/__admin/snapshot", "")
	if code != http.StatusOK {
		t.Fatalf("snapshot: %d", code)
	}
	return snap
}

// buckets reads a state file's bytes (a snapshot) into bucket/key ->
// value, meta left out.
func buckets(t *testing.T, file []byte) map[string]string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "snap.db")
	if err := os.WriteFile(path, file, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string]string{}
	err = db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			if string(name) == state.MetaBucket {
				return nil
			}
			out[string(name)+"#sequence"] = strconv.FormatUint(b.Sequence(), 10)
			return b.ForEach(func(k, v []byte) error {
				out[string(name)+"/"+string(k)] = string(v)
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// signIns uses every secret: each must still let its holder in.
func signIns(t *testing.T, srv *server.Server) {
	t.Helper()
	basic := func(phone, pw string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(phone+":"+pw))
	}
	for _, c := range []struct {
		name, method, path, body string
		headers                  []string
		status                   int
		want                     string
	}{
		{"amapi password", "POST", "/api/login", `{"email":"sealed@example.com","password":"` + amapiPassword + `"}`, []string{"Content-Type", "application/json"}, 201, `"signedIn":true`},
		{"amapi token", "GET", "/api/test", "", []string{"Authorization", "Bearer " + amapiToken}, 200, `"isAuthenticated":true`},
		{"amapi bare token", "GET", "/api/test", "", []string{"Authorization", "Bearer " + bareToken}, 200, `"isAuthenticated":true`},
		{"carreta api_key", "GET", "/v1/profile/?api_key=" + carretaKey, "", nil, 200, `Sealed Parts`},
		{"saplab employee", "GET", "/panel/client", "", []string{"Authorization", basic("79990000000", employeePass)}, 200, ``},
		{"saplab merged employee", "GET", "/panel/client", "", []string{"Authorization", basic("79990000007", amapiPassword)}, 200, ``},
	} {
		code, body := send(t, srv, c.method, c.path, c.body, c.headers...)
		if code != c.status || !bytes.Contains(body, []byte(c.want)) {
			t.Errorf("%s: %d %.200s, want %d with %s", c.name, code, body, c.status, c.want)
		}
	}
}

// noLeak fails the test for every secret found in what.
func noLeak(t *testing.T, what string, data []byte) {
	t.Helper()
	if found := leaked(data); len(found) > 0 {
		t.Errorf("%s holds %v", what, found)
	}
}

// The state file never holds a scenario's plaintext secrets (issue 14): not
// the file, nor its snapshot, the control API's state, a world made from
// the scenario or the journal of requests that used them; and a reset and
// a restart seed from the sealed scenario exactly the state the plaintext
// seeded, with every secret still letting its holder in.
func TestStoredScenario_isSealed(t *testing.T) {
	t.Parallel()
	dir, child := sealedFiles(t)
	db := filepath.Join(t.TempDir(), "state.db")
	cfg := server.Config{DB: db, Scenario: child, ScenarioDir: dir, WorldsDir: t.TempDir(), PasswordCost: 4}
	srv, err := server.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	plain := freezeAndReset(t, srv) // seeded from the scenario as read, plaintext and all
	noLeak(t, "/__admin/snapshot", plain)
	signIns(t, srv)
	_, journal := send(t, srv, http.MethodGet, "/__admin/requests", "")
	noLeak(t, "/__admin/requests", journal)
	_, list := send(t, srv, http.MethodGet, "/__admin/state", "")
	var colls map[string][]string
	if err := json.Unmarshal(list, &colls); err != nil {
		t.Fatal(err)
	}
	for api, cs := range colls {
		for _, c := range cs {
			_, rows := send(t, srv, http.MethodGet, "/__admin/state/"+api+"/"+c, "")
			noLeak(t, "/__admin/state/"+api+"/"+c, rows)
		}
	}
	src, _ := os.ReadFile(child)
	code, body := send(t, srv, http.MethodPost, "/__admin/worlds", `{"scenario":`+string(mustJSON(t, string(src)))+`}`)
	var w struct{ ID string }
	if err := json.Unmarshal(body, &w); code != http.StatusCreated || err != nil {
		t.Fatalf("world: %d %s", code, body)
	}
	_, worldSnap := send(t, srv, http.MethodGet, "/w/"+w.ID+"/__admin/snapshot", "")
	noLeak(t, "a world's snapshot", worldSnap)
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	noLeak(t, "the state file", file)

	again := restart(t, db)
	sealed := freezeAndReset(t, again) // seeded from the sealed scenario
	want, got := buckets(t, plain), buckets(t, sealed)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s differs when seeded from the sealed scenario:\n%.300q\n%.300q", k, v, got[k])
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d records seeded from the sealed scenario, %d from the plaintext", len(got), len(want))
	}
	signIns(t, again)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A state file of an earlier version, whose stored scenario holds its
// plaintext secrets (the bare source, or the extends chain's sources),
// opens: the scenario is sealed and the file compacted, so that no freed
// page keeps the plaintext, and the state is what it was.
func TestStoredScenario_legacyFileIsSealedOnOpen(t *testing.T) {
	t.Parallel()
	dir, child := sealedFiles(t)
	base, _ := os.ReadFile(filepath.Join(dir, "base.yaml"))
	own, _ := os.ReadFile(child)
	chain, _ := json.Marshal(map[string]any{"mockserver_scenario_chain": []map[string]any{
		{"file": child, "source": own}, {"file": filepath.Join(dir, "base.yaml"), "source": base},
		{"file": "scenarios/default.yaml", "source": mustEmbedded(t)}}})
	// The bare source of the oldest files extends embedded scenarios only:
	// base.yaml and child.yaml in one.
	_, ownSections, _ := strings.Cut(string(own), "extends: base\n")
	bare := []byte(strings.Replace(string(base), "name: base", "name: sealed", 1) + ownSections)
	for name, legacy := range map[string][]byte{"chain": chain, "bare": bare} {
		t.Run(name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "state.db")
			srv, err := server.New(server.Config{DB: db, Scenario: child, PasswordCost: 4}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := srv.Store().Main().Update(func(tx *state.Tx) error {
				return tx.Bucket(state.MetaBucket).Put([]byte("scenario"), legacy)
			}); err != nil {
				t.Fatal(err)
			}
			_, before := send(t, srv, http.MethodGet, "/__admin/snapshot", "")
			if err := srv.Close(); err != nil {
				t.Fatal(err)
			}
			if file, _ := os.ReadFile(db); len(leaked(file)) == 0 {
				t.Fatal("the legacy file holds no plaintext: the test proves nothing")
			}
			again := restart(t, db)
			stored, _, err := again.Store().Seeded()
			if err != nil || !scenario.IsSealed(stored) {
				t.Fatalf("stored after the upgrade (%v): %.200s", err, stored)
			}
			_, after := send(t, again, http.MethodGet, "/__admin/snapshot", "")
			noLeak(t, "the snapshot after the upgrade", after)
			file, _ := os.ReadFile(db)
			noLeak(t, "the upgraded file", file)
			want, got := buckets(t, before), buckets(t, after)
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s changed in the upgrade", k)
				}
			}
			if len(got) != len(want) {
				t.Errorf("%d records after the upgrade, %d before", len(got), len(want))
			}
			if code, body := send(t, again, http.MethodPost, "/__admin/reset", ""); code != http.StatusOK {
				t.Fatalf("reset after the upgrade: %d %s", code, body)
			}
			signIns(t, again)
		})
	}
}

func mustEmbedded(t *testing.T) []byte {
	t.Helper()
	src, err := scenario.Embedded("default")
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// A restart with the --scenario it was seeded from hashes no password
// before it can serve: the stored scenario is sealed already, and telling
// it from --scenario's (which needs --scenario's sealed, a bcrypt run per
// password) waits until Serve listens. Counted by the hashes asked of
// password.HashSeeded, since its memo would hide the bcrypt runs.
func TestRestart_sameScenarioHashesNothingBeforeServing(t *testing.T) {
	dir, child := sealedFiles(t)
	db := filepath.Join(t.TempDir(), "state.db")
	cfg := server.Config{DB: db, Scenario: child, ScenarioDir: dir, WorldsDir: t.TempDir(), PasswordCost: 4}
	srv, err := server.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	before := password.SeededHashes()
	again, err := server.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if n := password.SeededHashes() - before; n != 0 {
		t.Fatalf("the restart asked for %d seeded hashes before serving", n)
	}
	signIns(t, again)
}
