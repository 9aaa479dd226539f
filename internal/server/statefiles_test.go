package server_test

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/mockserver/mockserver/internal/state/statetest"

	"github.com/mockserver/mockserver/internal/server"
)

// ledger books a saplab ledger entry described desc (one write in
// saplab's file).
func ledger(t *testing.T, srv *server.Server, desc string) {
	t.Helper()
	code, body := send(t, srv, http.MethodPost, "/panel/client/add_transaction/1", "amount=1&description="+desc,
		"Authorization", "Basic Nzk5OTAwMDAwMDA6ZGVtbw==", "Content-Type", "application/x-www-form-urlencoded")
	if code != http.StatusOK {
		t.Fatalf("ledger entry: %d %s", code, body)
	}
}

// booked reports whether saplab's ledger holds an entry described desc.
func booked(t *testing.T, srv *server.Server, desc string) bool {
	t.Helper()
	code, body := send(t, srv, http.MethodGet, "/__admin/state/saplab/transactions?q="+desc, "")
	if code != http.StatusOK {
		t.Fatalf("state: %d %s", code, body)
	}
	return bytes.Contains(body, []byte(desc))
}

// Each API keeps its rows in its own file beside --db; the snapshot is
// one file of the single-file layout, which opens with --db as the state
// it copied (its rows moved into the API files at that start); and an
// API file that is lost is seeded afresh from the stored scenario while
// the others keep their rows.
func TestStateFiles_oneFilePerAPISnapshotRestoresLostFileReseeds(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "state.db")
	srv, err := server.New(server.Config{DB: db, ScratchDB: true, PasswordCost: 4}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ledger(t, srv, "before-snapshot")
	code, snap := send(t, srv, http.MethodGet, "/__admin/snapshot", "")
	if code != http.StatusOK {
		t.Fatalf("snapshot: %d", code)
	}
	ledger(t, srv, "after-snapshot")
	order, err := os.ReadFile("../../bench/carreta-order.json")
	if err != nil {
		t.Fatal(err)
	}
	if code, body := send(t, srv, http.MethodPost, "/v1/order/?api_key=demo-key", string(order), "Content-Type", "application/json"); code != http.StatusCreated {
		t.Fatalf("carreta order: %d %s", code, body)
	}
	_, carretaBefore := send(t, srv, http.MethodGet, "/__admin/state/carreta/orders", "")
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if got := statetest.Buckets(t, db); !slices.Equal(got, []string{"meta"}) {
		t.Fatalf("the main file holds %v", got)
	}
	if got := statetest.Buckets(t, db+".saplab"); !slices.Contains(got, "saplab.transactions") || slices.Contains(got, "amapi.users") {
		t.Fatalf("saplab's file holds %v", got)
	}
	restored := filepath.Join(t.TempDir(), "restored.db")
	if err := os.WriteFile(restored, snap, 0o600); err != nil {
		t.Fatal(err)
	}
	r := restart(t, restored)
	if !booked(t, r, "before-snapshot") || booked(t, r, "after-snapshot") {
		t.Fatal("the restored state is not the snapshot's")
	}
	if _, again := send(t, r, http.MethodGet, "/__admin/snapshot", ""); !bytes.Equal(again, snap) {
		t.Error("the restored state's snapshot differs from the snapshot it was restored from")
	}

	if err := os.Remove(db + ".saplab"); err != nil {
		t.Fatal(err)
	}
	k := restart(t, db)
	if booked(t, k, "before-snapshot") || booked(t, k, "after-snapshot") {
		t.Fatal("saplab's lost file was not seeded afresh")
	}
	if _, carretaAfter := send(t, k, http.MethodGet, "/__admin/state/carreta/orders", ""); !bytes.Equal(carretaAfter, carretaBefore) {
		t.Fatal("carreta's rows changed when saplab's file was reseeded")
	}
}
