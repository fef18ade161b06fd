package db_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/db/dbtest"
	"gorm.io/gorm"
)

func inRecovery(t *testing.T, g *gorm.DB) bool {
	t.Helper()
	var rec bool
	if err := g.Raw(`SELECT pg_is_in_recovery()`).Scan(&rec).Error; err != nil {
		t.Fatal(err)
	}
	return rec
}

func note(t *testing.T, g *gorm.DB) string {
	t.Helper()
	var v string
	if err := g.Raw(`SELECT coalesce((SELECT v FROM notes), 'aucune')`).Scan(&v).Error; err != nil {
		t.Fatal(err)
	}
	return v
}

// TestReadUsesTheReplicaExceptForThePrimaryPaths runs against a real
// streaming replica (pg_basebackup -R from the package's server): Read goes
// to it; a context marked WithPrimary, a transaction, and Conn go to the
// primary; with replay paused, the replica serves the old value while the
// primary paths see the new one, and the lag shows; once replay resumes, Read
// sees the new value.
func TestReadUsesTheReplicaExceptForThePrimaryPaths(t *testing.T) {
	ctx := context.Background()
	d := dbtest.NewWithReplica(t, func(d *db.DB) error {
		return d.Conn(ctx).Exec(`CREATE TABLE notes (v text); INSERT INTO notes VALUES ('avant')`).Error
	})
	if !d.HasReplica() {
		t.Fatal("no replica")
	}
	if !inRecovery(t, d.Read(ctx)) {
		t.Error("Read does not use the replica")
	}
	if err := d.ReadSQL(ctx).QueryRowContext(ctx, `SELECT 1 WHERE pg_is_in_recovery()`).Scan(new(int)); err != nil {
		t.Errorf("ReadSQL does not use the replica: %v", err)
	}
	primary := db.WithPrimary(ctx)
	if inRecovery(t, d.Read(primary)) || inRecovery(t, d.Conn(ctx)) {
		t.Error("WithPrimary or Conn reads the replica")
	}
	if err := d.ReadSQL(primary).QueryRowContext(ctx, `SELECT 1 WHERE NOT pg_is_in_recovery()`).Scan(new(int)); err != nil {
		t.Errorf("ReadSQL(WithPrimary) does not use the primary: %v", err)
	}
	err := d.InTx(ctx, func(ctx context.Context) error {
		if !db.OnPrimary(ctx) || inRecovery(t, d.Read(ctx)) {
			return errors.New("Read inside a transaction reads the replica")
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}

	replica := d.ReadSQL(ctx)
	if _, err := replica.ExecContext(ctx, `SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	resumed := false
	defer func() {
		if !resumed {
			_, _ = replica.ExecContext(ctx, `SELECT pg_wal_replay_resume()`)
		}
	}()
	if err := d.Conn(ctx).Exec(`UPDATE notes SET v = 'après'`).Error; err != nil {
		t.Fatal(err)
	}
	if got := note(t, d.Read(ctx)); got != "avant" {
		t.Errorf("replica with replay paused reads %q, want the old value", got)
	}
	if got := note(t, d.Read(primary)); got != "après" {
		t.Errorf("WithPrimary reads %q, want the new value", got)
	}
	deadline := time.Now().Add(30 * time.Second)
	for st := d.CheckReplica(ctx); st.LagBytes == 0 || st.Lag == 0; st = d.CheckReplica(ctx) {
		if time.Now().After(deadline) {
			t.Fatalf("lag never shown while replay is paused: %+v", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := replica.ExecContext(ctx, `SELECT pg_wal_replay_resume()`); err != nil {
		t.Fatal(err)
	}
	resumed = true
	for note(t, d.Read(ctx)) != "après" {
		if time.Now().After(deadline) {
			t.Fatal("the replica never caught up")
		}
		time.Sleep(20 * time.Millisecond)
	}
	for st := d.CheckReplica(ctx); st.LagBytes != 0 || st.Lag != 0; st = d.CheckReplica(ctx) {
		if time.Now().After(deadline) {
			t.Fatalf("lag still shown after catching up: %+v", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestReadFallsBackToThePrimary: a replica that does not answer, or a server
// that is not a standby, is not used, and the state says why.
func TestReadFallsBackToThePrimary(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name, url, why string
	}{
		{"unreachable", "postgres://nobody@127.0.0.1:1/x?sslmode=disable&connect_timeout=1", "replica:"},
		{"not a standby", dbtest.NewURL(t), "not a standby"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := dbtest.New(t)
			if err := d.UseReplica(ctx, tt.url, 0, slog.New(slog.DiscardHandler)); err != nil {
				t.Fatal(err)
			}
			st := d.CheckReplica(ctx)
			if st.Usable || st.Err == nil || !strings.Contains(st.Err.Error(), tt.why) {
				t.Errorf("status %+v, want unusable because %q", st, tt.why)
			}
			var one int
			if err := d.Read(ctx).Raw(`SELECT 1`).Scan(&one).Error; err != nil || one != 1 {
				t.Errorf("Read with an unusable replica: %v", err)
			}
		})
	}
}
