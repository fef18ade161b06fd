package query

import "testing"

// TestRollupMissesNoTransaction checks that the rollup reads a change of the
// cells committed after a later one at its next read, as the mirror does:
// it reads again the cells of every transaction that its last read did not
// see finished (by seq, the highest number read skipped it until the next
// full read, up to 10 s later).
func TestRollupMissesNoTransaction(t *testing.T) {
	f := newMirrorFixture(t, 300)
	r := &f.mirror.rollup
	if _, err := r.get(f.ctx, true); err != nil {
		t.Fatal(err)
	}
	// Two published contributions whose cells differ in every status (another
	// axis and département), so that neither write waits for the other.
	var a, b int64
	if err := f.sql.QueryRowContext(f.ctx, `SELECT x.id, y.id FROM contributions x JOIN contributions y
		ON y.axis_id <> x.axis_id AND y.departement_id IS DISTINCT FROM x.departement_id
		WHERE x.status = 'published' AND y.status = 'published' LIMIT 1`).Scan(&a, &b); err != nil {
		t.Fatal(err)
	}
	hide := `UPDATE contributions SET status = 'hidden', hidden_reason = 'test' WHERE id = $1`
	// The first transaction hides a, and commits only after a second one
	// that hides b has committed and been read.
	tx, err := f.sql.BeginTx(f.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(f.ctx, hide, a); err != nil {
		t.Fatal(err)
	}
	f.exec(hide, b)
	if _, err := r.get(f.ctx, true); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	s, err := r.get(f.ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.sql.QueryContext(f.ctx, `SELECT id, n FROM contribution_cells`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cells := 0
	for rows.Next() {
		var id int32
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			t.Fatal(err)
		}
		i, ok := s.index[id]
		if !ok && n > 0 {
			t.Fatalf("cell %d (%d contributions) missing from the rollup", id, n)
		}
		if ok && s.cells[i].n != n {
			t.Fatalf("cell %d: %d contributions in the rollup, %d in the database (the change committed after a later one was missed)",
				id, s.cells[i].n, n)
		}
		cells++
	}
	if err := rows.Err(); err != nil || cells == 0 {
		t.Fatalf("%d cells read: %v", cells, err)
	}
}
