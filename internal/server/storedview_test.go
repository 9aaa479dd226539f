package server_test

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/mockserver/mockserver/internal/server"
	"github.com/mockserver/mockserver/internal/state/statetest"
)

// saplab's view of a state of 10,000 rows or more is stored in its file
// after the seeding and at a graceful stop, so the next start reads it;
// a start on the files as a kill -9 after a write leaves them (the stored
// view is then of the state before the write) builds the view from the
// rows instead, and both answer with the write.
func TestStoredView_storedAtSeedAndStopNotTrustedAfterAKill(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sc := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(sc, []byte("name: big\nextends: default\nsaplab:\n  generate: {clients: 2000, orders: 8000}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "s.db")
	srv, err := server.New(server.Config{DB: db, ScratchDB: true, PasswordCost: 4, Scenario: sc}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ledger(t, srv, "after-seed")
	// The files as a kill -9 now would leave them: the write committed,
	// the view stored at the seeding, before it.
	killed := filepath.Join(dir, "killed.db")
	for _, ext := range []string{"", ".amapi", ".carreta", ".saplab"} {
		copyFile(t, db+ext, killed+ext)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if got := statetest.Buckets(t, db+".saplab"); !slices.Contains(got, "saplab.view") {
		t.Fatalf("saplab's file holds %v, no stored view", got)
	}
	for _, c := range []struct {
		db    string
		built bool
	}{{db, false}, {killed, true}} {
		var logs bytes.Buffer
		r, err := server.New(server.Config{DB: c.db, ScratchDB: true, PasswordCost: 4}, slog.New(slog.NewTextHandler(&logs, nil)))
		if err != nil {
			t.Fatal(err)
		}
		if !booked(t, r, "after-seed") {
			t.Errorf("%s: the write is lost", c.db)
		}
		if built := bytes.Contains(logs.Bytes(), []byte("stored view is not of this state")); built != c.built {
			t.Errorf("%s: view built from the rows %v, want %v; log:\n%s", c.db, built, c.built, logs.Bytes())
		}
		_ = r.Close()
	}
}

// copyFile copies a closed or quiescent state file.
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
