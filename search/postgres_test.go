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

// TestPostgresSortedReach: a search sorted by supports or date shows at most
// SortedReach hits; a page asked beyond is the last one within reach, the
// same hits as without the bound, and says so in Result.Page. Relevance is
// not bounded this way.
func TestPostgresSortedReach(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	free := search.NewPostgres(f.d.SQL())
	free.SortedReach = 0
	for _, countLimit := range []int{1, 200} { // estimated totals, then exact ones
		bounded := search.NewPostgres(f.d.SQL())
		bounded.SortedReach, bounded.SortedWalk, bounded.CountLimit = 3, 0, countLimit
		for _, sort := range []search.Sort{search.SortDate, search.SortSupports} {
			all, err := free.Search(ctx, search.Query{Sort: sort, PerPage: 2, Page: 2})
			if err != nil || all.Total < 5 {
				t.Fatalf("%s: the fixture should have 5 contributions or more: %d %v", sort, all.Total, err)
			}
			got, err := bounded.Search(ctx, search.Query{Sort: sort, PerPage: 2, Page: 40})
			if err != nil {
				t.Fatal(err)
			}
			wantReach := min(got.Total, 3)
			if got.TotalExact {
				wantReach = got.Total // counted: the pages cost no walk
			}
			if got.Page != 2 || got.Reachable != wantReach || !slices.Equal(got.IDs(), all.IDs()) {
				t.Errorf("%s, count limit %d: page %d, reachable %d of %d, hits %v; want page 2, reachable ≤ 3, hits %v",
					sort, countLimit, got.Page, got.Reachable, got.Total, got.IDs(), all.IDs())
			}
			if got.Total != all.Total && got.TotalExact {
				t.Errorf("%s: the total %d changed (%d)", sort, got.Total, all.Total)
			}
		}
		rel, err := bounded.Search(ctx, search.Query{Text: "numériques", PerPage: 2, Page: 2})
		if err != nil || rel.Page != 2 {
			t.Errorf("relevance page %d %v, want 2", rel.Page, err)
		}
	}
}

// TestPostgresSortedWalk: a text search sorted by supports or date reaches
// no further than a walk of SortedWalk rows of its order's index, by the
// planner's estimate of its matches, but always one page; a page asked
// beyond is the last within reach, not walked to. Matches all counted
// (at most CountLimit) are not bounded: their pages cost no walk.
func TestPostgresSortedWalk(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.d.SQL().Exec(`ANALYZE contributions`); err != nil {
		t.Fatal(err)
	}
	free := search.NewPostgres(f.d.SQL())
	free.SortedReach = 0
	for _, sort := range []search.Sort{search.SortDate, search.SortSupports} {
		q := search.Query{Text: "numériques", Sort: sort, PerPage: 1, Page: 3}
		all, err := free.Search(ctx, q)
		if err != nil || all.Total < 3 || len(all.Hits) == 0 {
			t.Fatalf("%s: the fixture should have 3 matches or more: %d %v", sort, all.Total, err)
		}
		first := q
		first.Page = 1
		top, err := free.Search(ctx, first)
		if err != nil {
			t.Fatal(err)
		}
		walk := search.NewPostgres(f.d.SQL())
		walk.SortedWalk, walk.CountLimit = 1, 1 // one row: a page at most
		got, err := walk.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if got.Page != 1 || got.Reachable != 1 || !slices.Equal(got.IDs(), top.IDs()) {
			t.Errorf("%s, estimated: page %d, reachable %d, hits %v; want page 1, reachable 1, hits %v",
				sort, got.Page, got.Reachable, got.IDs(), top.IDs())
		}
		walk.CountLimit = 200
		got, err = walk.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if got.Page != 3 || got.Reachable != all.Total || !slices.Equal(got.IDs(), all.IDs()) {
			t.Errorf("%s, counted: page %d, reachable %d, hits %v; want page 3, reachable %d, hits %v",
				sort, got.Page, got.Reachable, got.IDs(), all.Total, all.IDs())
		}
		// Counted by index after a scan found the matches sparse: the page
		// asked is read again by index too.
		walk.DenseFraction, walk.ScanLimit = 0, 1
		got, err = walk.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if got.Page != 3 || got.Total != all.Total || !slices.Equal(got.IDs(), all.IDs()) {
			t.Errorf("%s, counted after a sparse scan: page %d, total %d, hits %v; want page 3, total %d, hits %v",
				sort, got.Page, got.Total, got.IDs(), all.Total, all.IDs())
		}
	}
}
