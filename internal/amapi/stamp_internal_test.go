package amapi

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/mockserver/mockserver/internal/clock"
	"github.com/mockserver/mockserver/internal/state"
)

// A token used twice in one second is written once: the second use of an
// authenticated write leaves the tokens bucket untouched in its
// transaction (bbolt made no node of it, so the commit writes none of its
// pages), and last_used_at still holds that second. A use in the next
// second writes it again.
func TestAuthenticate_sameSecondLeavesTheTokenUnwritten(t *testing.T) {
	t.Parallel()
	clk := clock.New(func() time.Time { return time.Date(2026, 11, 30, 9, 0, 1, 0, time.UTC) })
	clk.Freeze(true)
	db, err := state.Open(filepath.Join(t.TempDir(), "a.db"), clk, Buckets...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	const secret = "DemoTokenDemoTokenDemoTokenDemoTokenDemo"
	bearer := plainToken(1, secret)
	if err := db.Update(func(tx *state.Tx) error {
		u, err := insertUser(tx, "A", "a@example.com", "x")
		if err != nil {
			return err
		}
		return putToken(tx, 1, u.ID, HashToken(secret))
	}); err != nil {
		t.Fatal(err)
	}
	// use authenticates in a write transaction and returns the nodes of the
	// tokens bucket it made (written at commit) and the stored last use.
	use := func() (nodes int, lastUsed string) {
		t.Helper()
		err := db.Update(func(tx *state.Tx) error {
			if _, ok, err := authenticate(tx, bearer); err != nil || !ok {
				t.Fatalf("authenticate: %v %v", ok, err)
			}
			stats := tx.Bucket(bucketTokens).Tx().Stats()
			nodes = int(stats.GetNodeCount())
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		_ = db.View(func(tx *state.Tx) error {
			var rec tokenRecord
			if err := tx.Get(bucketTokens, state.Key(1), &rec); err != nil || rec.LastUsedAt == nil {
				t.Fatalf("token: %+v %v", rec, err)
			}
			lastUsed = *rec.LastUsedAt
			return nil
		})
		return nodes, lastUsed
	}
	first := stamp(clk.Now())
	if n, at := use(); n == 0 || at != first {
		t.Fatalf("first use: %d nodes, last_used_at %q, want some and %q", n, at, first)
	}
	if n, at := use(); n != 0 || at != first {
		t.Fatalf("second use in the same second: %d nodes, last_used_at %q, want 0 and %q", n, at, first)
	}
	if err := clk.Advance(time.Second); err != nil {
		t.Fatal(err)
	}
	if n, at := use(); n == 0 || at != stamp(clk.Now()) {
		t.Fatalf("use in the next second: %d nodes, last_used_at %q, want some and %q", n, at, stamp(clk.Now()))
	}
}
