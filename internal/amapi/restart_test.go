package amapi_test

import (
	"net/http"
	"path/filepath"
	"testing"

	"github.com/mockserver/mockserver/internal/server"
	"github.com/mockserver/mockserver/internal/servertest"
)

// A kept state file keeps users, tokens, orders and flags, and order codes
// carry on from the stored sequence under the stored scenario's seed.
func TestRestart_keepsState(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "state.db")
	m := servertest.Start(t, servertest.Options{Config: server.Config{DB: db}})
	expect(t, post(t, m, "/api/callback", `{"phone":"1","name":"a"}`, bearer(ordersToken)...), http.StatusCreated,
		`{"OrderCreated":true,"OrderCode":"DG1501-81811"}`)
	setService(t, m, `{"online_registration":false}`)
	m.Close()
	if err := m.Srv.Close(); err != nil {
		t.Fatal(err)
	}

	m = servertest.Start(t, servertest.Options{Config: server.Config{DB: db}})
	expect(t, post(t, m, "/api/callback", `{"phone":"1","name":"a"}`, bearer(ordersToken)...), http.StatusCreated,
		`{"OrderCreated":true,"OrderCode":"YV4491-61865"}`)
	if n := len(rows(t, m, "orders")); n != 2 {
		t.Fatalf("%d orders after restart, want 2", n)
	}
	expect(t, m.Do(t, http.MethodGet, "/api/test", nil), http.StatusOK,
		`{"isAuthenticated":false,"serviceAvailable":true,"onlineRegistrationAvailable":false}`)
}
