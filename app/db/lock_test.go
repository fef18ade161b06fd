package db_test

import (
	"context"
	"testing"

	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/db/dbtest"
)

// TestLock checks that an advisory lock is held by one session at a time,
// that Release lets it go without leaving it on a pooled connection, and
// that a lock whose connection ended is free for another session.
func TestLock(t *testing.T) {
	ctx := context.Background()
	url := dbtest.NewURL(t)
	d, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = d.Close() }()
	other, err := db.Open(ctx, url) // another process
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = other.Close() }()
	try := func(on *db.DB, name string, want bool) *db.Lock {
		t.Helper()
		l, ok, err := on.TryLock(ctx, 7, name)
		if err != nil || ok != want {
			t.Fatalf("lock %q: %v (%v), want %v", name, ok, err, want)
		}
		return l
	}
	l := try(d, "pages:a", true)
	try(other, "pages:a", false)
	try(d, "pages:a", false) // another connection of the same pool: another session
	b := try(other, "pages:b", true)
	if !l.Held(ctx) {
		t.Fatal("a lock held reads as lost")
	}
	l.Release(ctx)
	// Every connection of d's pool, the one that held the lock among them,
	// holds no lock once it is back in the pool.
	var n int
	if err := d.SQL().QueryRowContext(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 { // b's
		t.Fatalf("%d advisory locks held, want 1", n)
	}
	l = try(other, "pages:a", true)
	// A lock whose connection ends (a server restarted, a process killed)
	// is lost, and free for another session.
	var pid int
	if err := other.SQL().QueryRowContext(ctx, `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = 7 AND objid = hashtext('pages:a')::oid
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	if _, err := d.SQL().ExecContext(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	if l.Held(ctx) {
		t.Fatal("a lock whose connection ended reads as held")
	}
	l.Release(ctx)
	try(d, "pages:a", true)
	b.Release(ctx)
}
