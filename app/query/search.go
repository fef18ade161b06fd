package query

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"strconv"
	"time"

	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/search"
)

// searchHitsForDBFilters bounds the engine hits narrowed down by filters that
// only the database knows (reaction target, author, several values of one
// dimension).
const searchHitsForDBFilters = search.MaxPerPage

// search answers a list with a text: the engine gives the ids of the page, the
// facet counts and the highlighted excerpts; the rows come from PostgreSQL.
func (s *Service) search(ctx context.Context, f Filter, r PageRequest) (List, error) {
	r = r.normalize()
	info := &SearchInfo{Text: f.Text, Titles: map[int64]template.HTML{}, Excerpts: map[int64]template.HTML{}}
	single := func(ids []int64) int64 {
		if len(ids) == 1 {
			return ids[0]
		}
		return 0
	}
	one := func(s []string) string {
		if len(s) == 1 {
			return s[0]
		}
		return ""
	}
	sq := search.Query{
		Text: f.Text,
		Filters: search.Filters{
			ConsultationID: f.ConsultationID, AxisID: single(f.Axes), Entry: one(f.Entries), AuthorCategory: one(f.Categories),
			RegionID: single(f.Regions), DepartementID: single(f.Departements), HubID: single(f.Hubs),
		},
		Sort: engineSort(r.Sort), Page: r.Number, PerPage: r.PerPage,
	}
	several := len(f.Axes) > 1 || len(f.Entries) > 1 || len(f.Categories) > 1 || len(f.Regions) > 1 ||
		len(f.Departements) > 1 || len(f.Hubs) > 1
	// The engine's documents do not carry the assisted dimension: the
	// database applies it.
	dbFilters := f.ReactsTo != 0 || f.Author != 0 || several || len(f.Assisted) > 0
	if dbFilters {
		sq.Page, sq.PerPage = 1, searchHitsForDBFilters
	}
	sq = sq.Normalize()
	res, err := s.searchCached(ctx, sq)
	if err == nil && !dbFilters {
		// A page past the last one the order reaches is the last one, as
		// in the lists: asked again at that page.
		if res.Page > 0 {
			sq.Page = res.Page
		}
		// Nothing found is the same answer on every page: no second search
		// (a phrase of common words that never follow each other, as
		// "accès aux droits", costs the engine hundreds of milliseconds).
		if last := max((res.Reachable+sq.PerPage-1)/sq.PerPage, 1); sq.Page > last {
			sq.Page = last
			if res.Total > 0 {
				res, err = s.searchCached(ctx, sq)
			}
		}
	}
	if errors.Is(err, search.ErrTimeout) {
		info.TooBroad = true
		return List{IDPage: IDPage{Number: 1, Pages: 1, PerPage: r.PerPage, Exact: true}, Search: info, Facets: newFacets()}, nil
	}
	if err != nil {
		return List{}, err
	}
	info.Corrected = res.Corrected
	for _, h := range res.Hits {
		info.Titles[h.ID] = search.Highlight(h.Title)
		info.Excerpts[h.ID] = search.Highlight(h.Excerpt)
	}
	if dbFilters {
		// The database applies the filters the engine does not have, on the
		// best hits, with its own order and facets.
		f.Text = ""
		f.ids = res.IDs()
		out, err := s.List(ctx, f, r)
		out.Search = info
		return out, err
	}
	page := IDPage{IDs: res.IDs(), Total: res.Total, Exact: res.TotalExact, Number: sq.Page, PerPage: sq.PerPage,
		Pages: max((res.Reachable+sq.PerPage-1)/sq.PerPage, 1), from: s.counting(ctx, res.IDs())}
	items, err := s.views(ctx, page)
	if err != nil {
		return List{}, err
	}
	info.Approx = !res.TotalExact
	out := List{
		IDPage: page,
		Items:  items, Facets: facetsFromSearch(res.Facets, res.Total), Search: info,
	}
	return out, nil
}

// searchTTL is how long the engine's answer to a search is reused: searches
// follow a steep frequency law (a few queries make most of them), and a new
// contribution reaches the index about as late anyway (search outbox).
const searchTTL = 30 * time.Second

// searchCached asks the engine, or reuses its answer to the same query for
// searchTTL (the rows themselves are always read fresh, with their status).
// A person who has just written asks the engine.
func (s *Service) searchCached(ctx context.Context, sq search.Query) (search.Result, error) {
	if db.OnPrimary(ctx) {
		return s.engineSearch(ctx, sq)
	}
	key := fmt.Sprintf("search|%q|%+v|%s|%d|%d", sq.Text, sq.Filters, sq.Sort, sq.Page, sq.PerPage)
	v, err := s.searches.fetch(ctx, key, searchTTL, true, func(ctx context.Context) (any, error) { return s.engineSearch(ctx, sq) })
	if err != nil {
		return search.Result{}, err
	}
	return v.(search.Result), nil
}

// engineSearch asks the engine, waiting for one of the engine's slots when
// it has a bound (engineSlots).
func (s *Service) engineSearch(ctx context.Context, sq search.Query) (search.Result, error) {
	if s.engineSlots != nil {
		select {
		case s.engineSlots <- struct{}{}:
			defer func() { <-s.engineSlots }()
		case <-ctx.Done():
			return search.Result{}, ctx.Err()
		}
	}
	return s.engine.Search(ctx, sq)
}

// engineSort maps the list's order to the engine's: most supported and most
// recent keep their meaning, any other becomes relevance.
func engineSort(s Sort) search.Sort {
	switch s {
	case SortSupports:
		return search.SortSupports
	case SortRecent:
		return search.SortDate
	}
	return search.SortRelevance
}

// facetsFromSearch turns the engine's facet counts into the list's.
func facetsFromSearch(f map[search.Facet]map[string]int, total int) Facets {
	ids := func(m map[string]int) map[int64]int {
		out := make(map[int64]int, len(m))
		for k, n := range m {
			if id, err := strconv.ParseInt(k, 10, 64); err == nil {
				out[id] = n
			}
		}
		return out
	}
	out := Facets{
		Axis:        ids(f[search.FacetAxis]),
		Entry:       f[search.FacetEntry],
		Category:    f[search.FacetAuthorCategory],
		Region:      ids(f[search.FacetRegion]),
		Departement: ids(f[search.FacetDepartement]),
		Hub:         ids(f[search.FacetHub]),
		Total:       total,
	}
	if out.Entry == nil {
		out.Entry = map[string]int{}
	}
	if out.Category == nil {
		out.Category = map[string]int{}
	}
	return out
}
