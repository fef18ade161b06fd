package synthesis

import (
	"context"
	"database/sql"
	"fmt"
)

// Cross-tables of the report: contributions by région, by Hub and by author
// category, crossed with the axes of the view. Each is one GROUPING SETS
// query over the view (to be served from the rollups of the query model
// later).

// CrossTable is a table of contributions: one row per value of a dimension
// that has contributions, one column per axis of the view, and totals.
type CrossTable struct {
	Title   string
	RowHead string
	Columns []string // "Axe 1", …
	Rows    []CrossRow
	Totals  []int // per column
	Total   int
}

// CrossRow is one row of a CrossTable.
type CrossRow struct {
	Label string
	Cells []int
	Total int
}

// viewAxes returns the axes of the view: those of the filter, or every axis.
func viewAxes(refs Refs, f Filter) []Axis {
	if len(f.Axes) == 0 {
		return refs.Axes
	}
	var out []Axis
	for _, a := range refs.Axes {
		for _, id := range f.Axes {
			if a.ID == id {
				out = append(out, a)
			}
		}
	}
	return out
}

// CrossTables computes région × axe, Hub × axe and catégorie × axe for the
// view f.
func (s *Store) CrossTables(ctx context.Context, refs Refs, f Filter) ([]CrossTable, error) {
	// A view of the rollup's dimensions is counted on its cells (a few
	// thousand rows, the same column names, 0 for no territory or Hub)
	// rather than on its rows (12 s of database time at 1,000,000).
	return s.crossTables(ctx, refs, f, f.OnCells())
}

// crossTables counts on the cells of the rollup (cells) or on the rows.
func (s *Store) crossTables(ctx context.Context, refs Refs, f Filter, cells bool) ([]CrossTable, error) {
	var a sqlArgs
	from, count := "contributions c WHERE ", "count(*)"
	if cells {
		from, count = "contribution_cells c WHERE c.n > 0 AND ", "sum(c.n)"
	}
	q := `SELECT GROUPING(c.region_id), GROUPING(c.hub_id), GROUPING(c.author_category),
		coalesce(c.region_id, 0), coalesce(c.hub_id, 0), coalesce(c.author_category, ''), c.axis_id, ` + count + `
		FROM ` + from + f.Where(refs, &a) + `
		GROUP BY GROUPING SETS ((c.region_id, c.axis_id), (c.hub_id, c.axis_id), (c.author_category, c.axis_id))`
	type key struct {
		dim  int
		code string
		axis int64
	}
	counts := map[key]int{}
	err := queryEach(ctx, s.sql(), q, a, func(rs *sql.Rows) error {
		var gr, gh, gc int
		var region, hub, axis int64
		var cat string
		var n int
		if err := rs.Scan(&gr, &gh, &gc, &region, &hub, &cat, &axis, &n); err != nil {
			return err
		}
		switch {
		case gr == 0 && region != 0:
			counts[key{0, fmt.Sprint(region), axis}] = n
		case gh == 0 && hub != 0:
			counts[key{1, fmt.Sprint(hub), axis}] = n
		case gc == 0:
			counts[key{2, cat, axis}] = n
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cross tables: %w", err)
	}
	axes := viewAxes(refs, f)
	build := func(dim int, title, head string, rows []struct{ code, label string }) CrossTable {
		t := CrossTable{Title: title, RowHead: head, Totals: make([]int, len(axes))}
		for _, ax := range axes {
			t.Columns = append(t.Columns, fmt.Sprintf("Axe %d", ax.Position))
		}
		for _, r := range rows {
			row := CrossRow{Label: r.label, Cells: make([]int, len(axes))}
			for i, ax := range axes {
				n := counts[key{dim, r.code, ax.ID}]
				row.Cells[i] = n
				row.Total += n
				t.Totals[i] += n
			}
			if row.Total > 0 {
				t.Rows = append(t.Rows, row)
				t.Total += row.Total
			}
		}
		return t
	}
	var regions, hubs, cats []struct{ code, label string }
	for _, r := range refs.Regions {
		regions = append(regions, struct{ code, label string }{fmt.Sprint(r.ID), r.Name})
	}
	for _, h := range refs.Hubs {
		hubs = append(hubs, struct{ code, label string }{fmt.Sprint(h.ID), h.Name})
	}
	for _, c := range refs.Categories {
		cats = append(cats, struct{ code, label string }{c.Code, c.Label})
	}
	return []CrossTable{
		build(0, "Contributions par région et par axe", "Région", regions),
		build(1, "Propositions par Hub et par axe", "Hub", hubs),
		build(2, "Contributions par catégorie d'auteur et par axe", "Catégorie d'auteur", cats),
	}, nil
}
