package search

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/app/db"
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
	ctx := context.Background()
	d, f := planFixture(t)
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
				// Common words for a sample, a rare one by index.
				text := map[sampleMode]string{sampleByScan: "'numer' & 'mediat'", sampleByIndex: "'fablab'"}[mode]
				w := &where{filterRows: 2 * p.ScanLimit}
				w.text = "c.search_vector @@ " + w.arg(text) + "::tsquery"
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

// TestPostgresSearchIndexHoldsFilters checks that the full-text indexes
// hold the filters (00075 and 00076, where btree_gin is installed): a rare
// word in a territory, an axis, a category, an entry or a Hub is found in
// the index alone, its bitmap already holding only the contributions that
// match both, not every one that has the word. So with the index of the
// titles, where a search ranked by relevance takes its candidates.
func TestPostgresSearchIndexHoldsFilters(t *testing.T) {
	ctx := context.Background()
	d, f := planFixture(t)
	var available bool
	if err := d.SQL().QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'btree_gin')`).Scan(&available); err != nil {
		t.Fatal(err)
	}
	if !available {
		t.Skip("btree_gin is not available here: the indexes hold the words only")
	}
	for _, ix := range []struct{ index, text, other string }{
		{"contributions_search_idx", "search_vector @@ 'fablab'::tsquery", "contributions_title_search_idx"},
		// Every title is "Proposition n": the filter alone narrows it.
		{"contributions_title_search_idx", "to_tsvector('fr_unaccent'::regconfig, title) @@ 'proposit'::tsquery", "contributions_search_idx"},
	} {
		var def string
		if err := d.SQL().QueryRowContext(ctx, `SELECT pg_get_indexdef($1::regclass)`, ix.index).Scan(&def); err != nil {
			t.Fatal(err)
		}
		var all int // the rows with the word
		if err := d.SQL().QueryRowContext(ctx, "SELECT count(*) FROM contributions WHERE "+ix.text).Scan(&all); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ column, value string }{
			{"axis_id", bigint(f.AxisID)}, {"entry", "'hubs'"}, {"author_category", "'elu'"},
			{"region_id", bigint(f.RegionID)}, {"departement_id", bigint(f.DepartementID)}, {"hub_id", bigint(f.HubID)},
		} {
			cond := ix.text + " AND " + c.column + " = " + c.value
			var want int
			if err := d.SQL().QueryRowContext(ctx, "SELECT count(*) FROM contributions WHERE "+cond).Scan(&want); err != nil {
				t.Fatal(err)
			}
			if want == 0 || want == all {
				t.Fatalf("%s, %s: %d of the %d rows with the word: the fixture does not tell", ix.index, c.column, want, all)
			}
			// The full-text index alone: the other indexes of the filters
			// (the other full-text index holds them too) are dropped for the
			// transaction.
			root := explainIn(t, ctx, d.SQL(), []string{`SET LOCAL enable_seqscan = off`,
				`DROP INDEX contributions_axis_idx, contributions_entry_idx, contributions_category_idx,
					contributions_region_idx, contributions_departement_idx, contributions_hub_idx, ` + ix.other},
				"EXPLAIN (ANALYZE, FORMAT JSON) SELECT id FROM contributions WHERE "+cond)
			found := false
			for _, n := range root.all() {
				if n.Index != ix.index {
					continue
				}
				found = true
				if !strings.Contains(n.Cond, c.column) || n.Rows != want {
					t.Errorf("%s, %s: the index gave %d rows on %q, want the %d of the word and the filter (%d with the word; index %s)",
						ix.index, c.column, n.Rows, n.Cond, want, all, def)
				}
			}
			if !found {
				t.Errorf("%s, %s: the index was not used", ix.index, c.column)
			}
		}
	}
}

// TestPostgresIndexReadsRarePart checks that a question ANDing common and
// rare words has the index read the rare ones alone and the rows it finds
// checked against the whole query, with the same results as when the index
// reads every word: pages, totals and facets, in every order, with filters.
func TestPostgresIndexReadsRarePart(t *testing.T) {
	ctx := context.Background()
	d, f := planFixture(t)
	part := NewPostgres(d.SQL())
	whole := NewPostgres(d.SQL())
	whole.wholeIndex = true
	queries := []Query{
		{Text: "aidants rurale fablab"},
		{Text: "aidants fablab", Sort: SortDate},
		{Text: "aidants fablab -rurale", Sort: SortSupports},
		{Text: "rurale fablab", Filters: Filters{ConsultationID: f.ConsultationID, RegionID: f.RegionID}},
		{Text: "aidants rurale", Filters: Filters{ConsultationID: f.ConsultationID, AxisID: f.AxisID}},
		{Text: `"zone rurale" fablab`},
	}
	for _, q := range queries {
		q.Filters.ConsultationID = f.ConsultationID
		for _, page := range []int{1, 2} {
			q.Page = page
			want, err := whole.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			got, err := part.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.IDs(), want.IDs()) || got.Total != want.Total || got.TotalExact != want.TotalExact ||
				!reflect.DeepEqual(got.Facets, want.Facets) {
				t.Errorf("%q page %d: with the rare part %v (%d, exact %v), whole %v (%d, exact %v)",
					q.Text, page, got.IDs(), got.Total, got.TotalExact, want.IDs(), want.Total, want.TotalExact)
			}
			if want.Total == 0 && page == 1 {
				t.Errorf("%q: nothing found, the fixture does not tell", q.Text)
			}
		}
	}
	// The index reads "fablab" (and "rurale", by the cost of checking rows),
	// never the common "aidants".
	st, err := part.stats.get(ctx, d.SQL())
	if err != nil {
		t.Fatal(err)
	}
	n := parseTsquery("'aid' & 'rural' & 'fablab'")
	idx := n.indexPart(st.freq, st.rows)
	if idx == nil || !strings.Contains(idx.String(), "'fablab'") || strings.Contains(idx.String(), "'aid'") {
		t.Fatalf("the index part of %s is %v (frequencies %v)", n, idx, st.freq)
	}
	w := &where{filterRows: -1}
	w.text = "c.search_vector @@ " + w.arg(n.String()) + "::tsquery"
	w.index = "c.search_vector @@ " + quote(idx.String()) + "::tsquery AND (" + w.text + ") IS TRUE"
	w.filters(Filters{ConsultationID: f.ConsultationID})
	// On 8,000 rows the planner may rather read an index of the status or
	// the consultation: those are dropped for the transaction, so that the
	// plan shows what the full-text index is asked for.
	m := explainIn(t, ctx, d.SQL(), []string{setPlans(plansOff(w, sampleByIndex), "off"),
		`DROP INDEX contributions_axis_idx, contributions_listing_idx, contributions_created_idx`},
		"EXPLAIN (FORMAT JSON) "+part.statement(w, Query{Text: "x"}.Normalize(), sampleByIndex, false), w.args...).find("CTE m")
	if m == nil {
		t.Fatal("no sample m in the plan")
	}
	found := false
	for _, node := range m.all() {
		if node.Index == "contributions_search_idx" {
			found = true
			if !strings.Contains(node.Cond, "fablab") || strings.Contains(node.Cond, "aid") {
				t.Errorf("the index reads %s", node.Cond)
			}
		}
	}
	if !found {
		t.Error("the full-text index was not read")
	}
}

// TestIndexPart checks which operands of a query the index reads alone.
func TestIndexPart(t *testing.T) {
	f := map[string]float64{"numer": 0.73, "territoir": 0.73, "mediat": 0.47, "financ": 0.43, "rural": 0.19, "durabl": 0.14, "jeun": 0.3}
	for _, c := range []struct{ query, want string }{
		// The question of the comment: the common words and the synonyms of
		// "médiation numérique" are left to the check of the rows.
		{"'financ' & 'durabl' & ( 'mediat' <-> 'numer' | 'conseil' <-> 'numer' ) & 'territoir' & 'rural'", "( 'durabl' & 'rural' )"},
		{"'durabl' & 'fablab'", "'fablab'"}, // a rare word (not among the common ones) alone
		{"'fablab' & !'numer'", "'fablab'"}, // an exclusion is only checked when it pays
		{"'durabl' & !'numer'", ""},         // checking 14 % of the rows costs more than the list
		{"'durabl' & 'rural'", ""},          // both rare enough: read whole
		{"'durabl' | 'rural'", ""},          // not an AND
		{"'durabl'", ""},
	} {
		n := parseTsquery(c.query)
		if n == nil {
			t.Fatalf("%s does not parse", c.query)
		}
		got := ""
		if p := n.indexPart(f, 1_000_000); p != nil {
			got = p.String()
		}
		if got != c.want {
			t.Errorf("%s: the index reads %q, want %q", c.query, got, c.want)
		}
	}
}

// bigint is id as a bigint constant, as the engine binds it: the index
// holds bigint columns, and a smaller integer would not match its operators.
func bigint(id int64) string { return strconv.FormatInt(id, 10) + "::bigint" }

// planFixture is a database of 8,000 contributions, enough for the planner
// to weigh its paths as at scale: one in seven a Hub proposal, the axes,
// categories and territories mixed, one in 41 with the word "fablab", one
// in three with "aidants", one in five with "rurale".
// f holds the filters of a Hub proposal.
func planFixture(t *testing.T) (*db.DB, Filters) {
	t.Helper()
	d := dbtest.New(t)
	ctx := context.Background()
	if err := seed.Reference(ctx, d, seeds.FS); err != nil {
		t.Fatal(err)
	}
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
			t.region_id, t.id, 'Proposition ' || i,
			'La médiation numérique dans le territoire ' || i || CASE WHEN i % 41 = 0 THEN ', avec un fablab' ELSE '' END
				|| CASE WHEN i % 3 = 0 THEN ', pour les aidants' ELSE '' END || CASE WHEN i % 5 = 0 THEN ', en zone rurale' ELSE '' END
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
	return d, f
}

// planNode is a node of a plan, as EXPLAIN (FORMAT JSON) gives it.
type planNode struct {
	Type     string     `json:"Node Type"`
	Relation string     `json:"Relation Name"`
	Index    string     `json:"Index Name"`
	Subplan  string     `json:"Subplan Name"`
	Filter   string     `json:"Filter"`
	Cond     string     `json:"Index Cond"`
	Rows     int        `json:"Actual Rows"`
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
	var setup []string
	if off := plansOff(w, mode); off != "" {
		setup = append(setup, setPlans(off, "off"))
	}
	return explainIn(t, ctx, p.db, setup, "EXPLAIN (FORMAT JSON) "+p.statement(w, q, mode, false), w.args...)
}

// explainIn runs the statements of setup, then the EXPLAIN (FORMAT JSON)
// query, in a transaction rolled back after, and returns the root of the plan.
func explainIn(t *testing.T, ctx context.Context, d *sql.DB, setup []string, query string, args ...any) *planNode {
	t.Helper()
	tx, err := d.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // nothing to keep
	for _, stmt := range setup {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	var raw []byte
	if err := tx.QueryRowContext(ctx, query, args...).Scan(&raw); err != nil {
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

// TestPostgresSparsePhraseReadsRUM: a phrase of common words that the
// sample finds rare is searched again through the RUM index, which checks
// the positions itself, where it exists and unless filters that keep few
// rows narrow the GIN index (which holds them); the results are those of
// the GIN index, in every order.
func TestPostgresSparsePhraseReadsRUM(t *testing.T) {
	ctx := context.Background()
	d, f := planFixture(t)
	var rum bool
	if err := d.SQL().QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'contributions_search_rum_idx')`).Scan(&rum); err != nil {
		t.Fatal(err)
	}
	if !rum {
		t.Skip("the rum extension is not installed here")
	}
	// Counters, for the order by supports.
	if _, err := d.SQL().ExecContext(ctx, `INSERT INTO contribution_counters (contribution_id, supports)
		SELECT id, id % 17 FROM contributions ON CONFLICT (contribution_id) DO UPDATE SET supports = excluded.supports`); err != nil {
		t.Fatal(err)
	}
	newEngine := func(gin bool) *Postgres {
		p := NewPostgres(d.SQL())
		// A sample of 400 rows of 8,000, every match counted by index.
		p.ScanLimit, p.CountLimit, p.RankLimit = 400, 600, 1200
		p.ginPhrases = gin
		return p
	}
	viaRUM, viaGIN := newEngine(false), newEngine(true)
	// "aidants" is in a third of the rows and "zone" in a fifth, together in
	// one in fifteen, the phrase "aidants, en zone" in those only (533
	// rows): dense words, a phrase that the sample of 400 rows finds 26
	// times, fewer than CountLimit.
	for _, q := range []Query{
		{Text: `"aidants en zone"`},
		{Text: `"aidants en zone"`, Sort: SortDate, Page: 2},
		{Text: `"aidants en zone"`, Sort: SortSupports},
		{Text: `"aidants en zone" -fablab`},
		{Text: `"aidants en zone"`, Filters: Filters{RegionID: f.RegionID}},
		{Text: `"aidants en zone"`, Filters: Filters{Entry: "libres"}},
	} {
		q.Filters.ConsultationID = f.ConsultationID
		want, err := viaGIN.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		got, err := viaRUM.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if want.Total == 0 || !want.TotalExact || len(want.IDs()) == 0 {
			t.Fatalf("%+v: %d found (exact %v), page %v: the fixture does not tell", q, want.Total, want.TotalExact, want.IDs())
		}
		if !slices.Equal(got.IDs(), want.IDs()) || got.Total != want.Total || got.TotalExact != want.TotalExact ||
			!reflect.DeepEqual(got.Facets, want.Facets) {
			t.Errorf("%+v: through RUM %v (%d, exact %v), through GIN %v (%d, exact %v)",
				q, got.IDs(), got.Total, got.TotalExact, want.IDs(), want.Total, want.TotalExact)
		}
	}
	// The plan of the search again by index: RUM's index without narrow
	// filters, the GIN index with them.
	st, err := viaRUM.stats.get(ctx, d.SQL())
	if err != nil {
		t.Fatal(err)
	}
	n := parseTsquery("'aid' <2> 'zon'")
	if fr := n.freq(st.freq); fr < viaRUM.DenseFraction {
		t.Fatalf("the words of the phrase are estimated in %v of the rows: not a sample (frequencies %v)", fr, st.freq)
	}
	// A région keeps one row in thirteen, the free contributions six in seven.
	for _, c := range []struct {
		filters Filters
		rum     bool
	}{
		{Filters{ConsultationID: f.ConsultationID}, true},
		{Filters{ConsultationID: f.ConsultationID, Entry: "libres"}, true},
		{Filters{ConsultationID: f.ConsultationID, RegionID: f.RegionID}, false},
	} {
		filters := c.filters
		w := &where{filterRows: -1}
		w.text = "c.search_vector @@ " + w.arg(n.String()) + "::tsquery"
		w.filters(filters)
		if err := d.SQL().QueryRowContext(ctx, "SELECT count(*) FROM contributions c WHERE $1::tsquery IS NOT NULL AND "+w.filterSQL(), w.args...).Scan(&w.filterRows); err != nil {
			t.Fatal(err)
		}
		w.index = viaRUM.sparseIndex(w, n, st)
		m := explainIn(t, ctx, d.SQL(), []string{setPlans(plansOff(w, sampleByIndex), "off")},
			"EXPLAIN (FORMAT JSON) "+viaRUM.statement(w, Query{Text: "x"}.Normalize(), sampleByIndex, false), w.args...).find("CTE m")
		if m == nil {
			t.Fatal("no sample m in the plan")
		}
		var indexes []string
		for _, node := range m.all() {
			if node.Index != "" {
				indexes = append(indexes, node.Index)
			}
		}
		if rum := slices.Contains(indexes, "contributions_search_rum_idx"); rum != c.rum {
			t.Errorf("filters %+v (%d rows): the search again reads %v: RUM's index %v, want %v", filters, w.filterRows, indexes, rum, c.rum)
		}
	}
}
