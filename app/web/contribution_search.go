package web

import (
	"context"
	"errors"
	"html/template"
	"strconv"

	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/search"
)

// searchInfo is what a text search adds to a list page.
type searchInfo struct {
	Text      string
	Corrected string // the words actually searched when the typed ones found nothing
	Approx    bool   // Total is an estimate
	TooBroad  bool   // the search hit its time bound
	Titles    map[int64]template.HTML
	Excerpts  map[int64]template.HTML
}

// searchHitsForDBFilters bounds the engine hits narrowed down by filters
// that only the database knows (reaction target, author).
const searchHitsForDBFilters = search.MaxPerPage

// searchList answers a list query that has a text: the search engine gives
// the ids of the page, the facet counts and the highlighted excerpts; the rows
// come from PostgreSQL, which decides what is visible.
func (s *Server) searchList(ctx context.Context, q contribution.ListQuery) (contribution.Result, *searchInfo, error) {
	info := &searchInfo{Text: q.Query, Titles: map[int64]template.HTML{}, Excerpts: map[int64]template.HTML{}}
	sq := search.Query{
		Text: q.Query,
		Filters: search.Filters{
			ConsultationID: q.ConsultationID, AxisID: q.AxisID, Entry: q.Entry, AuthorCategory: q.Category,
			RegionID: q.RegionID, DepartementID: q.DepartementID, HubID: q.HubID,
		},
		Sort: searchSort(q.Sort), Page: q.Page, PerPage: q.PerPage,
	}
	dbFilters := q.ReactsToID != 0 || q.AuthorID != 0
	if dbFilters {
		sq.Page, sq.PerPage = 1, searchHitsForDBFilters
	}
	res, err := s.Search.Search(ctx, sq.Normalize())
	if errors.Is(err, search.ErrTimeout) {
		info.TooBroad = true
		return contribution.Result{Page: 1, PerPage: q.PerPage}, info, nil
	}
	if err != nil {
		return contribution.Result{}, nil, err
	}
	info.Corrected = res.Corrected
	for _, h := range res.Hits {
		info.Titles[h.ID] = search.Highlight(h.Title)
		info.Excerpts[h.ID] = search.Highlight(h.Excerpt)
	}
	if dbFilters {
		// The database applies the filters the engine does not have, on the
		// best hits, with its own sort and facets.
		q.IDs = res.IDs()
		if q.IDs == nil {
			q.IDs = []int64{}
		}
		out, err := s.Contributions.List(ctx, q)
		return out, info, err
	}
	items, err := s.Contributions.Views(ctx, res.IDs())
	if err != nil {
		return contribution.Result{}, nil, err
	}
	info.Approx = !res.TotalExact
	norm := sq.Normalize()
	out := contribution.Result{
		Items: items, Total: res.Total, Page: norm.Page, PerPage: norm.PerPage,
		Pages:  (res.Reachable + norm.PerPage - 1) / norm.PerPage,
		Facets: facetsFromSearch(res.Facets, res.Total),
	}
	return out, info, nil
}

// sortRelevance is the list's sort by relevance, offered only with a text.
const sortRelevance = "pertinence"

// searchSort maps the list's sort to the engine's: most supported and most
// recent keep their meaning, any other order becomes relevance.
func searchSort(sort string) search.Sort {
	switch sort {
	case contribution.SortSupports:
		return search.SortSupports
	case contribution.SortRecent:
		return search.SortDate
	}
	return search.SortRelevance
}

// facetsFromSearch turns the engine's facet counts into the list's.
func facetsFromSearch(f map[search.Facet]map[string]int, total int) contribution.Facets {
	ids := func(m map[string]int) map[int64]int {
		out := make(map[int64]int, len(m))
		for k, n := range m {
			if id, err := strconv.ParseInt(k, 10, 64); err == nil {
				out[id] = n
			}
		}
		return out
	}
	return contribution.Facets{
		Axis:        ids(f[search.FacetAxis]),
		Entry:       f[search.FacetEntry],
		Category:    f[search.FacetAuthorCategory],
		Region:      ids(f[search.FacetRegion]),
		Departement: ids(f[search.FacetDepartement]),
		Hub:         ids(f[search.FacetHub]),
		Total:       total,
	}
}
