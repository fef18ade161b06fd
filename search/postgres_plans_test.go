package search

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/app/db/dbtest"
	"github.com/cnr-numerique/concertation/app/seed"
	"github.com/cnr-numerique/concertation/seeds"
)

// TestPostgresPlansWalkFilterIndexes checks the plans of the statements
// that plansOff constrains, on the real schema: a sample of common words
// among narrow filters reads the contributions through an index of one of
// its filters (every filter dimension alone and together, every order),
// never the whole table in order nor a bitmap of every row of the filters;
// a search by index never reads the table in order. Dropping an index of a
// filter (the entry's, 00074), or the settings, fails it.
func TestPostgresPlansWalkFilterIndexes(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	if err := seed.Reference(ctx, d, seeds.FS); err != nil {
		t.Fatal(err)
	}
	// Rows enough for the planner to weigh its paths as at scale: one in
	// seven a Hub proposal, the axes, categories and territories mixed.
	if _, err := d.SQL().ExecContext(ctx, `
		WITH r AS (SELECT (SELECT id FROM consultations LIMIT 1) AS cons,
			(SELECT array_agg(id ORDER BY id) FROM axes) AS axes,
			(SELECT array_agg(id ORDER BY id) FROM hubs) AS hubs,
			(SELECT array_agg(code ORDER BY code) FROM author_categories WHERE code <> 'hub') AS cats,
			(SELECT array_agg(id ORDER BY id) FROM territories WHERE kind = 'departement') AS deps)
		INSERT INTO contributions (consultation_id, entry, axis_id, hub_id, author_category, region_id, departement_id, title, body)
		SELECT r.cons, CASE WHEN i % 7 = 0 THEN 'hubs' ELSE 'libres' END, r.axes[1 + i % cardinality(r.axes)],
			CASE WHEN i % 7 = 0 THEN r.hubs[1 + i % cardinality(r.hubs)] END,
			CASE WHEN i % 7 = 0 THEN 'hub' ELSE r.cats[1 + i % cardinality(r.cats)] END,
			t.region_id, t.id, 'Proposition ' || i, 'La médiation numérique dans le territoire ' || i
		FROM r CROSS JOIN generate_series(1, 8000) i
		JOIN territories t ON t.id = r.deps[1 + i % cardinality(r.deps)]`); err != nil {
		t.Fatal(err)
	}
	if _, err := d.SQL().ExecContext(ctx, `ANALYZE contributions`); err != nil {
		t.Fatal(err)
	}
	var f Filters
	if err := d.SQL().QueryRowContext(ctx, `SELECT consultation_id, axis_id, region_id, departement_id, hub_id
		FROM contributions WHERE hub_id IS NOT NULL LIMIT 1`).Scan(&f.ConsultationID, &f.AxisID, &f.RegionID, &f.DepartementID, &f.HubID); err != nil {
		t.Fatal(err)
	}
	// The indexes that a sample may walk, by filter.
	indexes := map[string]string{"axis_id": "contributions_axis_idx", "entry": "contributions_entry_idx",
		"author_category": "contributions_category_idx", "region_id": "contributions_region_idx",
		"departement_id": "contributions_departement_idx", "hub_id": "contributions_hub_idx"}
	p := NewPostgres(d.SQL())
	p.ScanLimit = 100 // a small part of the rows, as 10,000 of 1,000,000
	for _, f := range []Filters{
		{ConsultationID: f.ConsultationID, AxisID: f.AxisID},
		{ConsultationID: f.ConsultationID, Entry: "hubs"},
		{ConsultationID: f.ConsultationID, Entry: "libres"},
		{ConsultationID: f.ConsultationID, AuthorCategory: "citoyen"},
		{ConsultationID: f.ConsultationID, RegionID: f.RegionID},
		{ConsultationID: f.ConsultationID, DepartementID: f.DepartementID},
		{ConsultationID: f.ConsultationID, HubID: f.HubID},
		{ConsultationID: f.ConsultationID, AxisID: f.AxisID, AuthorCategory: "elu", RegionID: f.RegionID},
		{ConsultationID: f.ConsultationID, Entry: "hubs", AxisID: f.AxisID, Statuses: []string{StatusPublished, "hidden"}},
	} {
		for _, sort := range []Sort{SortRelevance, SortDate, SortSupports} {
			for _, mode := range []sampleMode{sampleByScan, sampleByIndex} {
				w := &where{filterRows: 2 * p.ScanLimit}
				w.text = "c.search_vector @@ " + w.arg("'numer' & 'mediat'") + "::tsquery"
				w.filters(f)
				w.rows = 8000
				q := Query{Text: "numérique médiation", Filters: f, Sort: sort}.Normalize()
				name := fmt.Sprintf("%+v sort %v mode %d", f, sort, mode)
				root := explain(t, ctx, p, w, q, mode)
				for _, n := range root.all() {
					if n.Relation == "contributions" && n.Type == "Seq Scan" {
						t.Errorf("%s: the table read in order (filter %q)", name, n.Filter)
					}
				}
				if mode != sampleByScan {
					continue
				}
				sample := root.find("CTE m")
				if sample == nil {
					t.Fatalf("%s: no sample m in the plan", name)
				}
				allowed := map[string]bool{}
				for _, cond := range w.conds {
					column, _, _ := strings.Cut(strings.TrimPrefix(cond, "c."), " ")
					allowed[indexes[column]] = true
				}
				read := 0
				for _, n := range sample.all() {
					if n.Relation != "contributions" {
						continue
					}
					read++
					if n.Type != "Index Scan" || !allowed[n.Index] {
						t.Errorf("%s: the sample reads the rows by %s %s, not by walking an index of its filters", name, n.Type, n.Index)
					}
				}
				if read != 1 {
					t.Errorf("%s: the sample reads the contributions %d times", name, read)
				}
			}
		}
	}
	if got := plansOff(&where{narrow: 0, text: "x"}, sampleByScan); got != "" {
		t.Errorf("a sample without narrow filters reads the table in order, got %q off", got)
	}
}

// planNode is a node of a plan, as EXPLAIN (FORMAT JSON) gives it.
type planNode struct {
	Type     string     `json:"Node Type"`
	Relation string     `json:"Relation Name"`
	Index    string     `json:"Index Name"`
	Subplan  string     `json:"Subplan Name"`
	Filter   string     `json:"Filter"`
	Plans    []planNode `json:"Plans"`
}

// all returns n and every node below it.
func (n *planNode) all() []*planNode {
	out := []*planNode{n}
	for i := range n.Plans {
		out = append(out, n.Plans[i].all()...)
	}
	return out
}

// find returns the node of the subplan named name, or nil.
func (n *planNode) find(name string) *planNode {
	for _, c := range n.all() {
		if c.Subplan == name {
			return c
		}
	}
	return nil
}

// explain explains the statement of a search in mode under the settings
// that run gives it, and returns the root of its plan.
func explain(t *testing.T, ctx context.Context, p *Postgres, w *where, q Query, mode sampleMode) *planNode {
	t.Helper()
	tx, err := p.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // read only
	if off := plansOff(w, mode); off != "" {
		if _, err := tx.ExecContext(ctx, setPlans(off, "off")); err != nil {
			t.Fatal(err)
		}
	}
	var raw []byte
	if err := tx.QueryRowContext(ctx, "EXPLAIN (FORMAT JSON) "+p.statement(w, q, mode, false), w.args...).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	var plans []struct {
		Plan planNode `json:"Plan"`
	}
	if err := json.Unmarshal(raw, &plans); err != nil || len(plans) != 1 {
		t.Fatalf("plan %s: %v", raw, err)
	}
	return &plans[0].Plan
}
