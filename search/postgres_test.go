package search_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/search"
)

// TestPostgresBoundedCount checks that beyond CountLimit (totals estimated,
// pages from the indexes) the pages are the same as when counting exactly.
func TestPostgresBoundedCount(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	exact := search.NewPostgres(f.d.SQL())
	bounded := search.NewPostgres(f.d.SQL())
	bounded.CountLimit = 1
	for _, q := range []search.Query{
		{Sort: search.SortDate},
		{Sort: search.SortSupports},
		{Sort: search.SortDate, Page: 2, PerPage: 2},
		{Text: "dimanche"},
		{Text: "conseillers numériques", Sort: search.SortSupports},
		{Text: "conseillers numériques", Sort: search.SortDate},
		{Text: `"conseillers numériques" -coordinateurs`},
		{Text: "numériques", Filters: search.Filters{RegionID: f.reg2}, Sort: search.SortDate},
	} {
		want, err := exact.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		got, err := bounded.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.IDs(), want.IDs()) {
			t.Errorf("%+v: bounded %v, exact %v", q, got.IDs(), want.IDs())
		}
		if want.Total > 1 && (got.TotalExact || got.Total < 2) {
			t.Errorf("%+v: bounded total %d exact=%v, want an estimate above the limit", q, got.Total, got.TotalExact)
		}
		if got.Reachable > got.Total || (q.Sort != search.SortRelevance && got.Reachable != got.Total) {
			t.Errorf("%+v: reachable %d of %d", q, got.Reachable, got.Total)
		}
		if want.Total > 1 && len(got.Facets[search.FacetStatus]) == 0 {
			t.Errorf("%+v: no estimated facets", q)
		}
	}
}

func TestPostgresOddQueries(t *testing.T) {
	f := newFixture(t)
	e := search.NewPostgres(f.d.SQL())
	if err := e.Index(context.Background(), f.docs); err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"les", "-", `"`, `"conseillers`, "!!! & | :*", "a:b", "'; DROP TABLE contributions; --", "or", "-dimanche"} {
		if _, err := e.Search(context.Background(), search.Query{Text: text}); err != nil {
			t.Errorf("%q: %v", text, err)
		}
	}
	res, err := e.Search(context.Background(), search.Query{Text: "formaton"})
	if err != nil || res.Corrected != "formation" {
		t.Errorf("formaton: corrected %q (%v), want formation", res.Corrected, err)
	}
	res, err = e.Search(context.Background(), search.Query{Text: "zzzzqqq"})
	if err != nil || res.Total != 0 || res.Corrected != "" {
		t.Errorf("an unknown word with no close one: %+v %v", res, err)
	}
	res, err = e.Search(context.Background(), search.Query{Text: "bibliothèques zzzzqqq"})
	if err != nil || res.Total != 1 || res.Corrected != "bibliothèques" {
		t.Errorf("an unknown word with no close one is left out, not replaced: %+v %v", res, err)
	}
	res, err = e.Search(context.Background(), search.Query{Text: "29018"})
	if err != nil || res.Total != 0 || res.Corrected != "" {
		t.Errorf("a number is not corrected: %+v %v", res, err)
	}
	res, err = e.Search(context.Background(), search.Query{Text: "mediateur"})
	if err != nil || res.Corrected != "" || res.Total != 1 {
		t.Errorf("a known word is not corrected: %+v %v", res, err)
	}
}

func TestPostgresTimeout(t *testing.T) {
	f := newFixture(t)
	e := search.NewPostgres(f.d.SQL())
	e.Timeout = time.Millisecond
	// Enough rows that the statement outlives its millisecond.
	if _, err := f.d.SQL().Exec(`INSERT INTO contributions (consultation_id, entry, axis_id, author_category, title, body)
SELECT $1, 'libres', $2, 'citoyen', 'Proposition ' || i, repeat('numérique formation médiation ', 10)
FROM generate_series(1, 3000) i`, f.cons, f.axis1); err != nil {
		t.Fatal(err)
	}
	_, err := e.Search(context.Background(), search.Query{Text: "numérique formation", Sort: search.SortSupports, PerPage: 100})
	if !errors.Is(err, search.ErrTimeout) {
		t.Errorf("err = %v, want ErrTimeout", err)
	}
}
