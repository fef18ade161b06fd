package query_test

import (
	"fmt"
	"net/url"
	"slices"
	"testing"

	"github.com/cnr-numerique/concertation/app/query"
)

// bulkContributions inserts n contributions spread over the axes, categories,
// a few départements and the two statuses that lists hide, with ties in
// their dates and counters, through the triggers that keep the rollup and
// the listing (as every write does).
func (f *fixture) bulkContributions(n int) {
	f.t.Helper()
	author := f.actor("auteur", "citoyen")
	err := f.db.Conn(f.ctx).Exec(`
		INSERT INTO contributions (consultation_id, entry, axis_id, author_id, author_category, territory_id, region_id,
			departement_id, title, body, status, created_at)
		SELECT ?, 'libres', (SELECT id FROM axes WHERE consultation_id = ? ORDER BY position OFFSET i % 4 LIMIT 1), ?,
			(ARRAY['citoyen','elu','association','collectivite','mediation-numerique','administration','entreprise','autre','corps-intermediaire'])[1 + i % 9],
			d.id, d.region_id, d.id, 'Contribution ' || i, 'Texte ' || i,
			CASE WHEN i % 50 = 7 THEN 'withdrawn' WHEN i % 70 = 3 THEN 'hidden' ELSE 'published' END,
			timestamptz '2026-11-01 00:00:00+00' + (i / 3) * interval '1 minute'
		FROM generate_series(1, ?) i
		JOIN LATERAL (SELECT id, region_id FROM territories WHERE kind = 'departement' ORDER BY code OFFSET i % 7 LIMIT 1) d ON true`,
		f.cons.ID, f.cons.ID, author.UserID, n).Error
	if err != nil {
		f.t.Fatal(err)
	}
	err = f.db.Conn(f.ctx).Exec(`INSERT INTO contribution_counters (contribution_id, supports, arguments_pour, reactions_soutient)
		SELECT id, (id * 7) % 13, (id * 5) % 11, 0 FROM contributions`).Error
	if err != nil {
		f.t.Fatal(err)
	}
}

// truth returns the ids of the published contributions of where, in the
// order of sort, straight from the contributions.
func (f *fixture) truth(sort query.Sort, where string) []int64 {
	f.t.Helper()
	order := map[query.Sort]string{
		query.SortRecent:    "c.created_at DESC, c.id DESC",
		query.SortSupports:  "k.supports DESC, c.id DESC",
		query.SortDiscussed: "(k.arguments_pour + k.arguments_contre + k.arguments_neutre + k.reactions_soutient + k.reactions_complete + k.reactions_nuance + k.reactions_conteste) DESC, c.id DESC",
	}[sort]
	var ids []int64
	err := f.db.Conn(f.ctx).Raw(`SELECT c.id FROM contributions c JOIN contribution_counters k ON k.contribution_id = c.id
		WHERE c.status = 'published' AND ` + where + ` ORDER BY ` + order).Scan(&ids).Error
	if err != nil {
		f.t.Fatal(err)
	}
	return ids
}

// walk follows the links of a list from its first page forward, or from its
// last page backward, and returns the ids in list order.
func (f *fixture) walk(flt query.Filter, r query.PageRequest, backward bool) []int64 {
	f.t.Helper()
	if backward {
		r.Number = 1 << 20 // past the end: the last page
	}
	var out []int64
	for range 1000 {
		p, err := f.query.IDs(f.ctx, flt, r)
		if err != nil {
			f.t.Fatalf("%+v: %v", r, err)
		}
		if len(p.IDs) > r.PerPage {
			f.t.Fatalf("page of %d rows", len(p.IDs))
		}
		if backward {
			out = append(slices.Clone(p.IDs), out...)
			if p.Prev == "" {
				if p.Number != 1 {
					f.t.Errorf("walked back to page %d without a previous page", p.Number)
				}
				return out
			}
			r.Before, r.After, r.Number = p.Prev, "", p.Number-1
		} else {
			out = append(out, p.IDs...)
			if p.Next == "" {
				if p.Number != p.Pages {
					f.t.Errorf("no next page after page %d of %d", p.Number, p.Pages)
				}
				return out
			}
			r.After, r.Before, r.Number = p.Next, "", p.Number+1
		}
	}
	f.t.Fatal("the walk does not end")
	return nil
}

// TestPagesFollowEveryOrder walks every order of lists with and without
// filters, forward from the first page and backward from the last, and
// compares with the order read straight from the contributions: no row
// lost, none twice, ties broken by id. Pages are reached by number too (the
// bounds of a deep walk are in TestPageReach); a number past the end gives
// the last page.
func TestPagesFollowEveryOrder(t *testing.T) {
	f := newFixture(t)
	f.bulkContributions(5000)
	axis2 := f.cons.Axes[1]
	views := []struct {
		name, query, where string
	}{
		{"everything", "", "true"},
		{"one axis (kept whole, then sorted)", "axe=" + axis2.Slug, fmt.Sprintf("c.axis_id = %d", axis2.ID)},
		{"axis and category", "axe=" + axis2.Slug + "&categorie=elu", fmt.Sprintf("c.axis_id = %d AND c.author_category = 'elu'", axis2.ID)},
		{"eight categories (sort index walked)", "categorie=elu&categorie=citoyen&categorie=association&categorie=autre&categorie=entreprise" +
			"&categorie=collectivite&categorie=administration&categorie=mediation-numerique",
			"c.author_category NOT IN ('corps-intermediaire')"},
	}
	for _, v := range views {
		vals, _ := url.ParseQuery(v.query)
		flt := query.Parse(vals, f.refs, true)
		for _, sort := range []query.Sort{query.SortRecent, query.SortSupports, query.SortDiscussed, query.SortRandom} {
			t.Run(v.name+"/"+string(sort), func(t *testing.T) {
				f := *f
				f.t = t
				r := query.PageRequest{Sort: sort, PerPage: 50, Seed: 42}
				forward, backward := f.walk(flt, r, false), f.walk(flt, r, true)
				if sort == query.SortRandom {
					want := f.truth(query.SortRecent, v.where)
					got := slices.Clone(forward)
					slices.Sort(got)
					slices.Sort(want)
					if !slices.Equal(got, want) {
						t.Fatalf("random order: %d rows, want the %d of the view once each", len(got), len(want))
					}
					if !slices.Equal(forward, backward) {
						t.Error("random order: backward walk differs")
					}
					other := f.walk(flt, query.PageRequest{Sort: sort, PerPage: 50, Seed: 43}, false)
					if slices.Equal(other, forward) {
						t.Error("two seeds give the same order")
					}
					return
				}
				want := f.truth(sort, v.where)
				if !slices.Equal(forward, want) {
					t.Errorf("forward walk: %d rows, want %d in order", len(forward), len(want))
				}
				if !slices.Equal(backward, want) {
					t.Errorf("backward walk: %d rows, want %d in order", len(backward), len(want))
				}
				pages := (len(want) + 49) / 50
				for _, n := range []int{1, 2, pages - 1, pages} {
					if n < 1 {
						continue
					}
					p, err := f.query.IDs(f.ctx, flt, query.PageRequest{Sort: sort, PerPage: 50, Number: n})
					if err != nil {
						t.Fatalf("page %d: %v", n, err)
					}
					lo, hi := (n-1)*50, min(n*50, len(want))
					if !slices.Equal(p.IDs, want[lo:hi]) || p.Number != n || p.Pages != pages || p.Total != len(want) {
						t.Errorf("page %d by number: %d rows, number %d of %d, total %d", n, len(p.IDs), p.Number, p.Pages, p.Total)
					}
				}
				if p, err := f.query.IDs(f.ctx, flt, query.PageRequest{Sort: sort, PerPage: 50, Number: pages + 10}); err != nil || p.Number != pages {
					t.Errorf("past the end: page %d, %v", p.Number, err)
				}
				// A page in the middle, by its number: read whole, or walked
				// within the bound of the walk.
				if n := pages / 2; n > 2 {
					p, err := f.query.IDs(f.ctx, flt, query.PageRequest{Sort: sort, PerPage: 50, Number: n})
					if err != nil {
						t.Fatalf("middle page %d: %v", n, err)
					}
					if lo := (n - 1) * 50; !slices.Equal(p.IDs, want[lo:lo+50]) || p.Number != n || p.Next == "" || p.Prev == "" {
						t.Errorf("middle page %d by number: %d rows, number %d, links %q %q", n, len(p.IDs), p.Number, p.Prev, p.Next)
					}
				}
			})
		}
	}
}
