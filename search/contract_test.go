package search_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/db/dbtest"
	"github.com/cnr-numerique/concertation/app/seed"
	"github.com/cnr-numerique/concertation/search"
	"github.com/cnr-numerique/concertation/seeds"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// fixture is a database holding the contract's contributions, as real rows.
type fixture struct {
	d                  *db.DB
	cons, axis1, axis2 int64
	hub1, hub2         int64
	reg1, reg2         int64 // Bretagne, Île-de-France
	dep1, dep2         int64 // Finistère, Paris
	ids                map[string]int64
	names              map[int64]string
	docs               []search.Document // published ones, for the engines that need feeding
}

// contractDoc is one contribution of the contract.
type contractDoc struct {
	name, title, body string
	axis2, hub2       bool // axis2 instead of axis1; hub2 instead of hub1 (hubs entry)
	hub               bool // entry "hubs"
	category          string
	region2           bool
	supports          int
	status            string
}

// The contract's contributions, created one hour apart in this order.
var contractDocs = []contractDoc{
	{name: "mediateurs", title: "Former les médiateurs numériques", body: "Les médiateurs numériques accompagnent les habitants vers l'autonomie.", category: "mediation-numerique", supports: 5},
	{name: "formation", title: "Un parcours de formation pour les aidants", body: "Une formation courte et gratuite, ouverte à tous les aidants, même le dimanche.", axis2: true, hub: true, category: "collectivite", supports: 12},
	{name: "conseillers", title: "Pérenniser les conseillers numériques", body: "Les conseillers numériques doivent être financés sur la durée.", category: "citoyen", region2: true, supports: 30},
	{name: "coordinateurs", title: "Des coordinateurs pour les conseillers numériques", body: "Les conseillers numériques ont besoin de coordinateurs départementaux.", axis2: true, hub: true, hub2: true, category: "association", region2: true, supports: 1},
	{name: "bibliotheque", title: "Ouvrir les bibliothèques le dimanche", body: "Le dimanche, les bibliothèques peuvent accueillir des ateliers pour apprendre. Commune 29019.", category: "elu", supports: 3},
	{name: "insertion", title: "Conseillers en insertion", body: "Des conseillers pour l'emploi, formés au numérique.", axis2: true, category: "citoyen", region2: true, supports: 0},
	{name: "retiree", title: "Médiateurs numériques : proposition retirée", body: "Les médiateurs numériques et la formation, le dimanche.", category: "citoyen", supports: 50, status: "withdrawn"},
	{name: "masquee", title: "Médiateurs numériques : proposition masquée", body: "Les conseillers numériques et la formation, le dimanche.", category: "citoyen", supports: 60, status: "hidden"},
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	d := dbtest.New(t)
	if err := seed.Reference(ctx, d, seeds.FS); err != nil {
		t.Fatal(err)
	}
	f := &fixture{d: d, ids: map[string]int64{}, names: map[int64]string{}}
	q := d.SQL()
	scan := func(dst *int64, query string, args ...any) {
		t.Helper()
		if err := q.QueryRowContext(ctx, query, args...).Scan(dst); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
	}
	scan(&f.cons, `SELECT id FROM consultations LIMIT 1`)
	scan(&f.axis1, `SELECT id FROM axes ORDER BY position LIMIT 1`)
	scan(&f.axis2, `SELECT id FROM axes ORDER BY position OFFSET 1 LIMIT 1`)
	scan(&f.hub1, `SELECT id FROM hubs ORDER BY slug LIMIT 1`)
	scan(&f.hub2, `SELECT id FROM hubs ORDER BY slug OFFSET 1 LIMIT 1`)
	scan(&f.reg1, `SELECT id FROM territories WHERE kind = 'region' AND code = '53'`)
	scan(&f.reg2, `SELECT id FROM territories WHERE kind = 'region' AND code = '11'`)
	scan(&f.dep1, `SELECT id FROM territories WHERE kind = 'departement' AND code = '29'`)
	scan(&f.dep2, `SELECT id FROM territories WHERE kind = 'departement' AND code = '75'`)
	base := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for i, c := range contractDocs {
		r := search.Row{
			ConsultationID: f.cons, Entry: "libres", AxisID: f.axis1, AuthorCategory: c.category,
			RegionID: &f.reg1, DepartementID: &f.dep1, Status: "published", Title: c.title, Body: c.body,
			CreatedAt: base.Add(time.Duration(i) * time.Hour), Supports: &c.supports,
		}
		if c.axis2 {
			r.AxisID = f.axis2
		}
		if c.hub { // Hub proposals carry the category "Hub territorial"
			r.Entry, r.HubID, r.AuthorCategory = "hubs", &f.hub1, "hub"
			if c.hub2 {
				r.HubID = &f.hub2
			}
		}
		if c.region2 {
			r.RegionID, r.DepartementID = &f.reg2, &f.dep2
		}
		if c.status != "" {
			r.Status = c.status
		}
		r.ID = insertContribution(t, q, r)
		f.ids[c.name], f.names[r.ID] = r.ID, c.name
		if r.Indexed() {
			f.docs = append(f.docs, search.DocumentOf(r))
		}
	}
	return f
}

func insertContribution(t *testing.T, q *sql.DB, r search.Row) int64 {
	t.Helper()
	var id int64
	err := q.QueryRow(`INSERT INTO contributions (consultation_id, entry, axis_id, hub_id, author_category,
	territory_id, region_id, departement_id, title, body, status, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9, $10, $11) RETURNING id`,
		r.ConsultationID, r.Entry, r.AxisID, r.HubID, r.AuthorCategory, r.RegionID, r.DepartementID,
		r.Title, r.Body, r.Status, r.CreatedAt).Scan(&id)
	if err != nil {
		t.Fatalf("insert contribution: %v", err)
	}
	if _, err := q.Exec(`INSERT INTO contribution_counters (contribution_id, supports) VALUES ($1, $2)`, id, *r.Supports); err != nil {
		t.Fatalf("insert counters: %v", err)
	}
	return id
}

// engineFactory returns an engine whose index holds f.docs.
type engineFactory func(t *testing.T, f *fixture) search.Engine

// runContract is the contract every engine passes: the same documents,
// queries and expected results.
func runContract(t *testing.T, newEngine engineFactory) {
	f := newFixture(t)
	e := newEngine(t, f)
	ctx := context.Background()
	run := func(t *testing.T, q search.Query) search.Result {
		t.Helper()
		res, err := e.Search(ctx, q)
		if err != nil {
			t.Fatalf("search %+v: %v", q, err)
		}
		return res
	}
	names := func(res search.Result) []string {
		var out []string
		for _, h := range res.Hits {
			out = append(out, f.names[h.ID])
		}
		return out
	}
	sorted := func(ss []string) []string { ss = slices.Clone(ss); slices.Sort(ss); return ss }
	expectSet := func(t *testing.T, q search.Query, want ...string) search.Result {
		t.Helper()
		res := run(t, q)
		if got := sorted(names(res)); !slices.Equal(got, sorted(want)) {
			t.Errorf("%q %+v: got %v, want %v", q.Text, q.Filters, got, sorted(want))
		}
		if res.Total != len(want) || !res.TotalExact || res.Reachable != len(want) {
			t.Errorf("%q %+v: total %d (exact %v, reachable %d), want %d", q.Text, q.Filters, res.Total, res.TotalExact, res.Reachable, len(want))
		}
		return res
	}
	published := []string{"mediateurs", "formation", "conseillers", "coordinateurs", "bibliotheque", "insertion"}

	t.Run("accents", func(t *testing.T) {
		expectSet(t, search.Query{Text: "mediateur"}, "mediateurs")
		expectSet(t, search.Query{Text: "MÉDIATEURS"}, "mediateurs")
		expectSet(t, search.Query{Text: "bibliotheques"}, "bibliotheque")
	})
	t.Run("plural and singular", func(t *testing.T) {
		expectSet(t, search.Query{Text: "aidant"}, "formation")
		expectSet(t, search.Query{Text: "bibliothèque"}, "bibliotheque")
	})
	t.Run("typo", func(t *testing.T) {
		expectSet(t, search.Query{Text: "formaton"}, "formation")
	})
	t.Run("numbers are not corrected", func(t *testing.T) {
		expectSet(t, search.Query{Text: "29019"}, "bibliotheque")
		expectSet(t, search.Query{Text: "29018"})
		expectSet(t, search.Query{Text: "29018 dimanche"}, "bibliotheque", "formation") // the code is left out, not corrected
	})
	t.Run("phrase", func(t *testing.T) {
		expectSet(t, search.Query{Text: `"formation courte"`}, "formation")
		expectSet(t, search.Query{Text: `"courte formation"`})
		expectSet(t, search.Query{Text: `"médiateurs numériques"`}, "mediateurs") // a phrase is searched as typed: no synonyms
	})
	t.Run("exclusion", func(t *testing.T) {
		expectSet(t, search.Query{Text: `"conseillers numériques" -coordinateurs`}, "conseillers")
	})
	t.Run("synonyms", func(t *testing.T) {
		expectSet(t, search.Query{Text: "médiateurs numériques"}, "mediateurs", "conseillers", "coordinateurs")
		expectSet(t, search.Query{Text: "médiation numérique"}, "mediateurs", "conseillers", "coordinateurs")
		expectSet(t, search.Query{Text: "digital"}, "mediateurs", "conseillers", "coordinateurs", "insertion")
	})
	t.Run("long query", func(t *testing.T) {
		// Not every word is required: the words no document has, then the
		// most common ones, are left out.
		expectSet(t, search.Query{Text: "dimanche bibliothèques ateliers apprendre lecture musique"}, "bibliotheque")
	})
	t.Run("filters", func(t *testing.T) {
		expectSet(t, search.Query{}, published...)
		expectSet(t, search.Query{Filters: search.Filters{ConsultationID: f.cons}}, published...)
		expectSet(t, search.Query{Filters: search.Filters{AxisID: f.axis1}}, "mediateurs", "conseillers", "bibliotheque")
		expectSet(t, search.Query{Filters: search.Filters{Entry: "hubs"}}, "formation", "coordinateurs")
		expectSet(t, search.Query{Filters: search.Filters{AuthorCategory: "citoyen"}}, "conseillers", "insertion")
		expectSet(t, search.Query{Filters: search.Filters{RegionID: f.reg1}}, "mediateurs", "formation", "bibliotheque")
		expectSet(t, search.Query{Filters: search.Filters{DepartementID: f.dep2}}, "conseillers", "coordinateurs", "insertion")
		expectSet(t, search.Query{Filters: search.Filters{HubID: f.hub1}}, "formation")
		expectSet(t, search.Query{Filters: search.Filters{AuthorCategory: `x" OR status = "hidden`}})
		expectSet(t, search.Query{Text: "conseillers numériques", Filters: search.Filters{AxisID: f.axis1, RegionID: f.reg2}}, "conseillers")
		expectSet(t, search.Query{Text: "dimanche", Filters: search.Filters{Statuses: []string{search.StatusPublished}}}, "formation", "bibliotheque")
	})
	t.Run("facets", func(t *testing.T) {
		res := run(t, search.Query{})
		id := func(n int64) string { return strconv.FormatInt(n, 10) }
		want := map[search.Facet]map[string]int{
			search.FacetAxis:           {id(f.axis1): 3, id(f.axis2): 3},
			search.FacetEntry:          {"hubs": 2, "libres": 4},
			search.FacetAuthorCategory: {"mediation-numerique": 1, "hub": 2, "citoyen": 2, "elu": 1},
			search.FacetRegion:         {id(f.reg1): 3, id(f.reg2): 3},
			search.FacetDepartement:    {id(f.dep1): 3, id(f.dep2): 3},
			search.FacetHub:            {id(f.hub1): 1, id(f.hub2): 1},
			search.FacetStatus:         {"published": 6},
		}
		checkFacets(t, res.Facets, want)
		res = run(t, search.Query{Text: "conseillers", Filters: search.Filters{RegionID: f.reg2}})
		want = map[search.Facet]map[string]int{
			search.FacetAxis:           {id(f.axis1): 1, id(f.axis2): 2},
			search.FacetEntry:          {"hubs": 1, "libres": 2},
			search.FacetAuthorCategory: {"citoyen": 2, "hub": 1},
			search.FacetRegion:         {id(f.reg2): 3},
			search.FacetDepartement:    {id(f.dep2): 3},
			search.FacetHub:            {id(f.hub2): 1},
			search.FacetStatus:         {"published": 3},
		}
		checkFacets(t, res.Facets, want)
	})
	t.Run("sort", func(t *testing.T) {
		res := run(t, search.Query{Sort: search.SortSupports})
		if got, want := names(res), []string{"conseillers", "formation", "mediateurs", "bibliotheque", "coordinateurs", "insertion"}; !slices.Equal(got, want) {
			t.Errorf("by supports: got %v, want %v", got, want)
		}
		res = run(t, search.Query{Sort: search.SortDate})
		if got, want := names(res), []string{"insertion", "bibliotheque", "coordinateurs", "conseillers", "formation", "mediateurs"}; !slices.Equal(got, want) {
			t.Errorf("by date: got %v, want %v", got, want)
		}
		res = run(t, search.Query{Text: "dimanche"})
		if got, want := names(res), []string{"bibliotheque", "formation"}; !slices.Equal(got, want) {
			t.Errorf("by relevance: got %v, want %v (title first)", got, want)
		}
		res = run(t, search.Query{Text: "conseillers numériques", Sort: search.SortSupports})
		if got, want := names(res), []string{"conseillers", "mediateurs", "coordinateurs", "insertion"}; !slices.Equal(got, want) {
			t.Errorf("text by supports: got %v, want %v", got, want)
		}
	})
	t.Run("pagination", func(t *testing.T) {
		all := []string{"insertion", "bibliotheque", "coordinateurs", "conseillers", "formation", "mediateurs"}
		for page := 1; page <= 4; page++ {
			res := run(t, search.Query{Sort: search.SortDate, Page: page, PerPage: 2})
			var want []string
			if page <= 3 {
				want = all[(page-1)*2 : page*2]
			}
			if got := names(res); !slices.Equal(got, want) {
				t.Errorf("page %d: got %v, want %v", page, got, want)
			}
			if res.Total != 6 {
				t.Errorf("page %d: total %d, want 6", page, res.Total)
			}
		}
	})
	t.Run("highlights", func(t *testing.T) {
		res := run(t, search.Query{Text: "médiateurs"})
		if len(res.Hits) != 1 {
			t.Fatalf("hits: %+v", res.Hits)
		}
		h := res.Hits[0]
		if got := string(search.Highlight(h.Title)); !strings.Contains(got, "<mark>médiateurs</mark>") {
			t.Errorf("title %q: no <mark>médiateurs</mark>", got)
		}
		if got := string(search.Highlight(h.Excerpt)); !strings.Contains(got, "<mark>médiateurs</mark>") {
			t.Errorf("excerpt %q: no <mark>médiateurs</mark>", got)
		}
		if strings.Contains(string(search.Highlight(h.Excerpt)), "'") {
			t.Errorf("excerpt not escaped: %q", search.Highlight(h.Excerpt))
		}
	})
	t.Run("deletion", func(t *testing.T) {
		id := f.ids["bibliotheque"]
		if _, err := f.d.SQL().Exec(`UPDATE contributions SET status = 'withdrawn' WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		if err := e.Delete(ctx, []int64{id}); err != nil {
			t.Fatal(err)
		}
		expectSet(t, search.Query{Text: "dimanche"}, "formation")
		expectSet(t, search.Query{Filters: search.Filters{AxisID: f.axis1}}, "mediateurs", "conseillers")
	})
}

func checkFacets(t *testing.T, got, want map[search.Facet]map[string]int) {
	t.Helper()
	for _, facet := range search.Facets {
		g, w := got[facet], want[facet]
		if fmt.Sprint(g) != fmt.Sprint(w) {
			t.Errorf("facet %s: got %v, want %v", facet, g, w)
		}
	}
}

func TestContractPostgres(t *testing.T) {
	runContract(t, func(t *testing.T, f *fixture) search.Engine {
		e := search.NewPostgres(f.d.SQL())
		if err := e.Index(context.Background(), f.docs); err != nil {
			t.Fatal(err)
		}
		return e
	})
}
