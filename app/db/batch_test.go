package db_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/db/dbtest"
)

// TestBatchReadsInOrder sends several reads in one batch, outside and inside
// a transaction, and checks each read gets its own rows, in order, that each
// statement is counted, and that an error in one leaves the pool usable.
func TestBatchReadsInOrder(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	if err := d.Conn(ctx).Exec(`CREATE TABLE batch_t (id int PRIMARY KEY, label text NOT NULL)`).Error; err != nil {
		t.Fatal(err)
	}
	if err := d.Conn(ctx).Exec(`INSERT INTO batch_t SELECT g, 'ligne ' || g FROM generate_series(1, 50) g`).Error; err != nil {
		t.Fatal(err)
	}
	run := func(ctx context.Context) ([][]string, error) {
		var b db.Batch
		got := make([][]string, 3)
		for i, ids := range [][]int{{3, 1, 2}, {}, {50}} {
			b.Queue(func(rows db.Rows) error {
				for rows.Next() {
					var s string
					if err := rows.Scan(&s); err != nil {
						return err
					}
					got[i] = append(got[i], s)
				}
				return nil
			}, `SELECT label FROM batch_t WHERE id = ANY($1::int[]) ORDER BY id`, ids)
		}
		return got, d.Run(ctx, &b)
	}
	want := "[[ligne 1 ligne 2 ligne 3] [] [ligne 50]]"
	before := db.Statements()
	got, err := run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s := fmtRows(got); s != want {
		t.Errorf("batch read %s, want %s", s, want)
	}
	if n := db.Statements() - before; n != 3 {
		t.Errorf("%d statements counted for a batch of 3", n)
	}
	err = d.InTx(ctx, func(ctx context.Context) error {
		if err := d.Conn(ctx).Exec(`UPDATE batch_t SET label = 'changée' WHERE id = 50`).Error; err != nil {
			return err
		}
		got, err := run(ctx) // must see the transaction's own write
		if err != nil {
			return err
		}
		if s := fmtRows(got); s != strings.Replace(want, "ligne 50", "changée", 1) {
			t.Errorf("batch in a transaction read %s", s)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A failing statement fails the batch; the pool still serves.
	var b db.Batch
	b.Queue(func(db.Rows) error { return nil }, `SELECT 1`)
	b.Queue(func(db.Rows) error { return nil }, `SELECT * FROM no_such_table`)
	if err := d.Run(ctx, &b); err == nil {
		t.Error("a batch with a missing table succeeded")
	}
	for range 50 { // more than the pool's connections
		if _, err := run(ctx); err != nil {
			t.Fatalf("after a failed batch: %v", err)
		}
	}
}

func fmtRows(rows [][]string) string {
	var b strings.Builder
	b.WriteString("[")
	for i, r := range rows {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString("[" + strings.Join(r, " ") + "]")
	}
	return b.String() + "]"
}
