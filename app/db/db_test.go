package db_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"

	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/db/dbtest"
	"github.com/cnr-numerique/concertation/migrations"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestMigrateFromZeroConcurrently(t *testing.T) {
	ctx := context.Background()
	url := dbtest.URL(t)
	var wg sync.WaitGroup
	applied := make([]int, 3)
	errs := make([]error, 3)
	for i := range 3 { // three instances starting together
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := db.Open(ctx, url)
			if err != nil {
				errs[i] = err
				return
			}
			defer d.Close()
			applied[i], errs[i] = d.Migrate(ctx, migrations.FS, slog.New(slog.DiscardHandler))
		}()
	}
	wg.Wait()
	total := 0
	for i, err := range errs {
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
		total += applied[i]
	}
	files, _ := migrations.FS.ReadDir(".")
	want := 0
	for _, f := range files {
		if len(f.Name()) > 4 && f.Name()[len(f.Name())-4:] == ".sql" {
			want++
		}
	}
	if total != want {
		t.Errorf("migrations applied %d times in all, want each of the %d files once", total, want)
	}
	d, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, table := range []string{"territories", "consultations", "axes", "axis_questions", "entries", "hubs", "hub_territories"} {
		var ok bool
		if err := d.SQL().QueryRowContext(ctx, `SELECT to_regclass($1) IS NOT NULL`, table).Scan(&ok); err != nil || !ok {
			t.Errorf("table %s missing after migration (err %v)", table, err)
		}
	}
	if n, err := d.Migrate(ctx, migrations.FS, slog.New(slog.DiscardHandler)); err != nil || n != 0 {
		t.Errorf("second migrate applied %d (err %v), want 0", n, err)
	}
}

func TestInTxRollsBackAndJoins(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	if _, err := d.SQL().ExecContext(ctx, `CREATE TABLE t (v int)`); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := d.InTx(ctx, func(ctx context.Context) error {
		if err := d.Conn(ctx).Exec(`INSERT INTO t VALUES (1)`).Error; err != nil {
			return err
		}
		return d.InTx(ctx, func(ctx context.Context) error { // joins the outer transaction
			if err := d.Conn(ctx).Exec(`INSERT INTO t VALUES (2)`).Error; err != nil {
				return err
			}
			return boom
		})
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	var n int
	if err := d.SQL().QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d rows after rollback, want 0", n)
	}
}
