package query_test

import (
	"net/url"
	"slices"
	"testing"

	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/mediation"
	"github.com/cnr-numerique/concertation/app/query"
)

// TestAssistedDimension checks "contribution accompagnée" as a dimension of
// every reader: the filter, the list and its facet (own dimension left out),
// the SQL facets of a view the rollup cannot answer, the statistics from
// the rollup and the exact metrics of the report, which agree.
func TestAssistedDimension(t *testing.T) {
	f := newFixture(t)
	svc := mediation.New(f.db, f.store, mediation.DefaultLimits, "un secret de session assez long pour le test")
	m := f.actor("mediatrice", "mediation-numerique")
	if err := svc.Grant(f.ctx, nil, m.UserID, mediation.Profile{StructureKind: mediation.StructureAssociation, StructureName: "Emmaüs Connect",
		TerritoryKind: "departement", TerritoryCode: "29"}); err != nil {
		t.Fatal(err)
	}
	citizen := f.actor("citoyen", "citoyen")
	plain := []int64{f.create(citizen, contribution.Draft{Title: "Une"}), f.create(citizen, contribution.Draft{Title: "Deux", AxisID: f.cons.Axes[1].ID}),
		f.create(citizen, contribution.Draft{Title: "Trois"})}
	var assisted []int64
	for _, cat := range []string{"citoyen", "elu"} {
		r, p, err := svc.Contribute(f.ctx, m.UserID, f.cons.ID, 0, mediation.PersonInput{Category: cat, Departement: "29", Consent: true},
			contribution.Draft{AxisID: f.cons.Axes[0].ID, Title: "Accompagnée " + cat, Body: "Texte"})
		if err != nil || len(p) > 0 {
			t.Fatal(p, err)
		}
		assisted = append(assisted, r.ContributionID)
	}
	parse := func(raw string) query.Filter {
		v, _ := url.ParseQuery(raw)
		return query.Parse(v, f.refs, true)
	}
	list := func(raw string) query.List {
		t.Helper()
		res, err := f.query.List(f.ctx, parse(raw), query.PageRequest{})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	got := list("accompagnee=1")
	var ids []int64
	for _, v := range got.Items {
		ids = append(ids, v.ID)
		if !v.Assisted {
			t.Errorf("%d listed as accompagnée but not marked", v.ID)
		}
	}
	slices.Sort(ids)
	if !slices.Equal(ids, assisted) || got.Total != 2 {
		t.Errorf("accompagnee=1: %v (total %d), want %v", ids, got.Total, assisted)
	}
	// The facet keeps both values countable while one is chosen.
	if got.Facets.Assisted[true] != 2 || got.Facets.Assisted[false] != 3 || got.Facets.Category["elu"] != 1 {
		t.Errorf("facets %+v", got.Facets)
	}
	if l := list("accompagnee=0&categorie=citoyen"); l.Total != 3 || l.Facets.Assisted[true] != 1 {
		t.Errorf("not accompagnées, citoyens: total %d, facets %v", l.Total, l.Facets.Assisted)
	}
	// A text search: the engine finds, the database applies the dimension.
	if l := list("q=accompagn%C3%A9e&accompagnee=1"); l.Total != 2 || l.Search == nil {
		t.Errorf("search among the accompagnées: %d", l.Total)
	}
	if l := list("q=accompagn%C3%A9e&accompagnee=0"); l.Total != 0 {
		t.Errorf("search among the others: %d", l.Total)
	}
	// A view the rollup cannot answer (an author's page) counts in SQL.
	author := parse("accompagnee=0")
	author.Author = citizen.UserID
	fc, err := f.query.Facets(f.ctx, author)
	if err != nil {
		t.Fatal(err)
	}
	if fc.Total != 3 || fc.Assisted[false] != 3 || fc.Assisted[true] != 0 {
		t.Errorf("SQL facets %+v", fc)
	}
	// The statistics (rollup) and the exact metrics agree.
	for _, raw := range []string{"", "axe=" + f.cons.Axes[0].Slug, "accompagnee=1", "categorie=elu"} {
		flt := parse(raw)
		stats, err := f.query.Stats(f.ctx, f.refs, flt)
		if err != nil {
			t.Fatal(err)
		}
		exact, err := query.ExactMetrics(f.ctx, f.db.SQL(), f.refs, flt)
		if err != nil {
			t.Fatal(err)
		}
		if len(stats.Assisted) != 2 || len(exact.Assisted) != 2 {
			t.Fatalf("%q: breakdowns %+v %+v", raw, stats.Assisted, exact.Assisted)
		}
		for i := range 2 {
			if stats.Assisted[i].Contributions != exact.Assisted[i].Contributions || stats.Assisted[i].Code != exact.Assisted[i].Code {
				t.Errorf("%q: statistics %+v, report %+v", raw, stats.Assisted, exact.Assisted)
			}
		}
	}
	whole, err := query.ExactMetrics(f.ctx, f.db.SQL(), f.refs, parse(""))
	if err != nil {
		t.Fatal(err)
	}
	if whole.Assisted[0].Code != "1" || whole.Assisted[0].Contributions != 2 || whole.Assisted[1].Contributions != 3 ||
		whole.Assisted[0].Contributors != 0 || whole.Assisted[1].Contributors != 1 {
		t.Errorf("breakdown %+v", whole.Assisted)
	}
	if d := parse("accompagnee=1").Describe(f.refs); !slices.Contains(d, "Accompagnement : Contributions accompagnées par un médiateur numérique") {
		t.Errorf("describe %q", d)
	}
	var others []int64
	for _, v := range list("accompagnee=0").Items {
		others = append(others, v.ID)
	}
	slices.Sort(others)
	if !slices.Equal(others, plain) {
		t.Errorf("accompagnee=0: %v, want %v", others, plain)
	}
}
