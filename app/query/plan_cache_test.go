package query

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/cnr-numerique/concertation/app/db/dbtest"
	"github.com/cnr-numerique/concertation/app/seed"
	"github.com/cnr-numerique/concertation/app/seed/synthetic"
	"github.com/cnr-numerique/concertation/seeds"
)

// TestListWalksKeepGenericPlans checks that the statement of a walked list
// page is planned once per connection: after PostgreSQL's five custom plans,
// it keeps the generic one (pg_prepared_statements), in every non-random
// order, on the first page and by offset, with and without the cells'
// bitmap. It fails when the page's LIMIT or OFFSET becomes a parameter, or
// when the bitmap's condition gets a part that the planner estimates from
// its value (then every list was planned again: 0.05 to 0.13 ms of the
// database each at 1,000,000 contributions).
func TestListWalksKeepGenericPlans(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	if err := seed.Reference(ctx, d, seeds.FS); err != nil {
		t.Fatal(err)
	}
	if _, err := synthetic.Load(ctx, d, synthetic.Options{Contributions: 3000, Supports: 3000, Users: 500, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	conn, err := d.SQL().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "ANALYZE"); err != nil { // statistics, as a live database has
		t.Fatal(err)
	}
	cellIDs := func(query string) []int32 {
		rows, err := conn.QueryContext(ctx, query)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var ids []int32
		for rows.Next() {
			var id int32
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		if err := rows.Err(); err != nil || len(ids) == 0 {
			t.Fatalf("%s: %v (%d cells)", query, err, len(ids))
		}
		return ids
	}
	cells := cellSet{ids: cellIDs(`SELECT id FROM contribution_cells WHERE region_id = (
		SELECT region_id FROM contribution_cells WHERE region_id IS NOT NULL GROUP BY 1 ORDER BY sum(n) DESC LIMIT 1)`)}
	all := cellSet{ids: cellIDs(`SELECT id FROM contribution_cells ORDER BY id`)}
	// The bitmap's condition is estimated the same whatever its cells, as a
	// generic plan estimates it: one cell or all of them.
	estimate := func(cs cellSet) float64 {
		var a Args
		var plan []map[string]map[string]any
		var raw []byte
		err := conn.QueryRowContext(ctx, `EXPLAIN (FORMAT JSON) SELECT 1 FROM contribution_listing l WHERE `+cs.walkCond(&a), a...).Scan(&raw)
		if err == nil {
			err = json.Unmarshal(raw, &plan)
		}
		if err != nil || len(plan) == 0 {
			t.Fatalf("estimate: %v", err)
		}
		rows, _ := plan[0]["Plan"]["Plan Rows"].(float64)
		return rows
	}
	if one, every := estimate(cellSet{ids: all.ids[:1]}), estimate(all); one != every {
		t.Errorf("the walk's condition is estimated at %v rows for one cell and %v for every cell: its plan depends on the bitmap", one, every)
	}
	for _, sort := range []Sort{SortRecent, SortSupports, SortDiscussed} {
		for _, filtered := range []bool{false, true} {
			for _, offset := range []int{0, 40} {
				var a Args
				cond := ""
				if filtered {
					cond = cells.walkCond(&a)
				}
				text := orderOf(sort).pageSQL(cond, &a, 0, nil, false, 21, offset, false)
				for range 8 {
					rows, err := conn.QueryContext(ctx, text, a...)
					if err != nil {
						t.Fatalf("%s: %v", text, err)
					}
					n := 0
					for rows.Next() {
						n++
					}
					rows.Close()
					if n != 21 {
						t.Fatalf("%s: %d rows, want 21", text, n)
					}
				}
				var generic, custom int
				err := conn.QueryRowContext(ctx, `SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1`, text).
					Scan(&generic, &custom)
				if err != nil {
					t.Fatalf("%s: %v (is the statement prepared?)", text, err)
				}
				if generic == 0 {
					t.Errorf("%s (filtered %v, offset %d): %d custom plans and no generic one", sort, filtered, offset, custom)
				}
			}
		}
	}
}

// TestCellBitmap checks the bitmap of a cell set: the bits of its cells, as
// PostgreSQL's get_bit numbers them, and a last bit that is never set.
func TestCellBitmap(t *testing.T) {
	bits, last := cellSet{ids: []int32{1, 9, 15}}.bitmap()
	if len(bits) != 3 || bits[0] != 0b10 || bits[1] != 0b10000010 || bits[2] != 0 {
		t.Errorf("bits %08b", bits)
	}
	if last != 23 {
		t.Errorf("last bit %d, want 23", last)
	}
}
