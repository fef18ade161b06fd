package search_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/search"
)

// boundedQueries are searches that match more than one contribution.
func boundedQueries(f *fixture) []search.Query {
	return []search.Query{
		{Sort: search.SortDate},
		{Sort: search.SortSupports},
		{Sort: search.SortDate, Page: 2, PerPage: 2},
		{Text: "dimanche"},
		{Text: "conseillers numériques", Sort: search.SortSupports},
		{Text: "conseillers numériques", Sort: search.SortDate},
		{Text: `"conseillers numériques" -coordinateurs`},
		{Text: "numériques", Filters: search.Filters{RegionID: f.reg2}, Sort: search.SortDate},
		{Text: "conseillers", Filters: search.Filters{RegionID: f.reg2}, Sort: search.SortSupports},
		{Text: "conseillers", Filters: search.Filters{RegionID: f.reg2}},
	}
}

// TestPostgresBoundedCount checks that beyond CountLimit (totals estimated,
// pages from the indexes) the pages are the same as when counting exactly,
// with the RUM index ranking (where the rum extension is installed) and
// with the GIN index alone.
func TestPostgresBoundedCount(t *testing.T) {
	for _, withRUM := range []bool{true, false} {
		name := map[bool]string{true: "RUM", false: "GIN"}[withRUM]
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			var hasRUM bool
			if err := f.d.SQL().QueryRow(`SELECT to_regclass('contributions_search_rum_idx') IS NOT NULL`).Scan(&hasRUM); err != nil {
				t.Fatal(err)
			}
			switch {
			case withRUM && !hasRUM:
				t.Skip("the rum extension is not installed here (Debian: postgresql-15-rum): the RUM run is SKIPPED, the GIN run is not")
			case !withRUM && hasRUM:
				if _, err := f.d.SQL().Exec(`DROP INDEX contributions_search_rum_idx`); err != nil {
					t.Fatal(err)
				}
			}
			exact := search.NewPostgres(f.d.SQL())
			bounded := search.NewPostgres(f.d.SQL())
			bounded.CountLimit = 1
			for _, q := range boundedQueries(f) {
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
		})
	}
}

// TestPostgresScanSample checks the sample taken by a bounded scan (a query
// whose words are common): counts and pages as by index when the scan
// holds every match, the sample ranked when it is full, and a new search by
// index when the scan finds too few matches (a sparse query).
func TestPostgresScanSample(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	exact := search.NewPostgres(f.d.SQL())
	scan := search.NewPostgres(f.d.SQL())
	scan.DenseFraction = 0 // every query is taken for a common one
	full := search.NewPostgres(f.d.SQL())
	full.DenseFraction, full.CountLimit = 0, 1
	sparse := search.NewPostgres(f.d.SQL())
	sparse.DenseFraction, sparse.CountLimit, sparse.ScanLimit = 0, 1, 2
	all := search.NewPostgres(f.d.SQL()) // filters that select few rows: every row checked
	all.DenseFraction, all.CountLimit = 0, 1
	for _, q := range boundedQueries(f) {
		q.Sort = q.Normalize().Sort
		want, err := exact.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		got, err := scan.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.IDs(), want.IDs()) || got.Total != want.Total || !got.TotalExact {
			t.Errorf("%+v: scan %v (%d), by index %v (%d)", q, got.IDs(), got.Total, want.IDs(), want.Total)
		}
		checkFacets(t, got.Facets, want.Facets)

		got, err = full.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if q.Sort != search.SortRelevance && !slices.Equal(got.IDs(), want.IDs()) {
			t.Errorf("%+v: full sample %v, by index %v", q, got.IDs(), want.IDs())
		}
		for _, id := range got.IDs() {
			if !slices.Contains(want.IDs(), id) {
				t.Errorf("%+v: %d found by the sample only", q, id)
			}
		}
		if q.Sort == search.SortRelevance && want.Total > 1 && q.Filters.RegionID == 0 &&
			(got.TotalExact || got.Reachable != min(got.Total, full.CountLimit) || len(got.Hits) == 0) {
			t.Errorf("%+v: ranked sample: %+v", q, got)
		}

		if q.Filters.RegionID != 0 {
			got, err = all.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.IDs(), want.IDs()) || got.Total != want.Total || !got.TotalExact {
				t.Errorf("%+v: every filtered row checked: %v (%d, exact %v), by index %v (%d)", q, got.IDs(), got.Total, got.TotalExact, want.IDs(), want.Total)
			}
			checkFacets(t, got.Facets, want.Facets)
		}

		got, err = sparse.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if want.Total > 2 && q.Sort != search.SortRelevance && !slices.Equal(got.IDs(), want.IDs()) {
			t.Errorf("%+v: sparse, searched again by index: %v, want %v", q, got.IDs(), want.IDs())
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
