package contribution

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/cnr-numerique/concertation/app/consultation"
)

// Sorts of a list.
const (
	SortSupports  = "soutiens"
	SortRecent    = "recentes"
	SortRandom    = "hasard"
	SortDiscussed = "discutees"
)

// Sorts lists the sorts in display order.
var Sorts = []string{SortRecent, SortSupports, SortDiscussed, SortRandom}

// SortLabel returns the French label of a sort.
func SortLabel(s string) string {
	switch s {
	case SortSupports:
		return "Les plus soutenues"
	case SortRecent:
		return "Les plus récentes"
	case SortRandom:
		return "Au hasard"
	case SortDiscussed:
		return "Les plus discutées"
	}
	return ""
}

// Page sizes offered.
var PageSizes = []int{10, 20, 50}

// Filter selects contributions. Zero values mean "any".
type Filter struct {
	ConsultationID int64
	AxisID         int64
	Entry          string
	Category       string
	RegionID       int64
	DepartementID  int64
	HubID          int64
	ReactsToID     int64
	AuthorID       int64 // an author's page: their free contributions only
	// Query is the text searched (URL parameter q). The listing itself does not
	// search: the search engine turns Query into IDs.
	Query string
	IDs   []int64 // when not nil, only these ids (search results)
}

// ListQuery is a filter with its sort and page.
type ListQuery struct {
	Filter
	Sort    string
	Seed    int64 // for SortRandom
	Page    int   // from 1
	PerPage int
}

// URL parameter names of a list.
const (
	ParamAxis        = "axe"
	ParamEntry       = "entree"
	ParamCategory    = "categorie"
	ParamRegion      = "region"
	ParamDepartement = "departement"
	ParamHub         = "hub"
	ParamReactsTo    = "reagit_a"
	ParamQuery       = "q"
	ParamSort        = "tri"
	ParamSeed        = "graine"
	ParamPage        = "page"
	ParamPerPage     = "par"
)

// ParseListQuery reads a list query from URL values. Unknown values are
// ignored, and so is any repetition after the first value of a parameter: a
// shared address never fails. The page is clamped later, once the total is
// known.
func ParseListQuery(v url.Values, axes []consultation.Axis, refs *Reference) ListQuery {
	first := func(k string) string {
		if vs := v[k]; len(vs) > 0 {
			return strings.TrimSpace(vs[0])
		}
		return ""
	}
	q := ListQuery{Sort: SortRecent, Page: 1, PerPage: 20}
	for _, a := range axes {
		if a.Slug == first(ParamAxis) {
			q.AxisID = a.ID
		}
	}
	if e := first(ParamEntry); e == EntryHubs || e == EntryLibres {
		q.Entry = e
	}
	if c := first(ParamCategory); refs.CategoryLabel(c) != "" {
		q.Category = c
	}
	if t, ok := refs.TerritoryByCode("region", first(ParamRegion)); ok {
		q.RegionID = t.ID
	}
	if t, ok := refs.TerritoryByCode("departement", first(ParamDepartement)); ok {
		q.DepartementID = t.ID
	}
	if h, ok := refs.HubBySlug(first(ParamHub)); ok {
		q.HubID = h.ID
	}
	if id, err := strconv.ParseInt(first(ParamReactsTo), 10, 64); err == nil && id > 0 {
		q.ReactsToID = id
	}
	if s := first(ParamQuery); s != "" {
		if s, ok := CleanLine(s); ok && len(s) <= 200 {
			q.Query = s
		}
	}
	if SortLabel(first(ParamSort)) != "" {
		q.Sort = first(ParamSort)
	}
	if n, err := strconv.ParseInt(first(ParamSeed), 10, 64); err == nil && n > 0 && n < 1<<31 {
		q.Seed = n
	}
	if n, err := strconv.Atoi(first(ParamPage)); err == nil && n > 0 {
		q.Page = n
	}
	if n, err := strconv.Atoi(first(ParamPerPage)); err == nil {
		for _, size := range PageSizes {
			if n == size {
				q.PerPage = n
			}
		}
	}
	return q
}

// Values returns the URL parameters of q (without the page), in a stable
// order, so that a list view can be shared and its links rebuilt.
func (q ListQuery) Values(axes []consultation.Axis, refs *Reference) url.Values {
	v := url.Values{}
	for _, a := range axes {
		if a.ID == q.AxisID {
			v.Set(ParamAxis, a.Slug)
		}
	}
	if q.Entry != "" {
		v.Set(ParamEntry, q.Entry)
	}
	if q.Category != "" {
		v.Set(ParamCategory, q.Category)
	}
	if t, ok := refs.Territory(q.RegionID); ok {
		v.Set(ParamRegion, t.Code)
	}
	if t, ok := refs.Territory(q.DepartementID); ok {
		v.Set(ParamDepartement, t.Code)
	}
	if h, ok := refs.Hub(q.HubID); ok {
		v.Set(ParamHub, h.Slug)
	}
	if q.ReactsToID != 0 {
		v.Set(ParamReactsTo, strconv.FormatInt(q.ReactsToID, 10))
	}
	if q.Query != "" {
		v.Set(ParamQuery, q.Query)
	}
	if q.Sort != SortRecent {
		v.Set(ParamSort, q.Sort)
	}
	if q.Sort == SortRandom && q.Seed != 0 {
		v.Set(ParamSeed, strconv.FormatInt(q.Seed, 10))
	}
	if q.PerPage != 20 {
		v.Set(ParamPerPage, strconv.Itoa(q.PerPage))
	}
	return v
}

// Result is one page of a list.
type Result struct {
	Items   []View
	Facets  Facets
	Total   int
	Page    int
	Pages   int
	PerPage int
}

// base returns the conditions of f that are not facets, on the
// contributions aliased c, with their arguments.
func (f Filter) base() (string, []any) {
	conds := []string{"c.consultation_id = ?", "c.status = 'published'"}
	args := []any{f.ConsultationID}
	if f.AuthorID != 0 {
		conds = append(conds, "c.author_id = ?", "c.entry = 'libres'")
		args = append(args, f.AuthorID)
	}
	if f.IDs != nil {
		conds = append(conds, "c.id IN ?")
		args = append(args, f.IDs)
	}
	return strings.Join(conds, " AND "), args
}

// List returns one page of contributions with the facet counts and the
// total. Its number of queries does not depend on the page size: one for the
// ids of the page, one for the facets, one for the rows.
func (s *Store) List(ctx context.Context, q ListQuery) (Result, error) {
	facets, err := s.Facets(ctx, q.Filter)
	if err != nil {
		return Result{}, err
	}
	res := Result{Facets: facets, Total: facets.Total, PerPage: q.PerPage}
	res.Pages = (res.Total + q.PerPage - 1) / q.PerPage
	res.Page = min(max(q.Page, 1), max(res.Pages, 1))
	q.Page = res.Page
	ids, err := s.pageIDs(ctx, q)
	if err != nil {
		return Result{}, err
	}
	res.Items, err = s.views(ctx, ids)
	return res, err
}

func (s *Store) pageIDs(ctx context.Context, q ListQuery) ([]int64, error) {
	if q.IDs != nil { // search results: never cached
		return s.queryIDs(ctx, q)
	}
	key := fmt.Sprintf("ids|%s|%s|%d|%d|%d", q.Filter.key(), q.Sort, q.Seed, q.Page, q.PerPage)
	v, err := s.cache.fetch(ctx, key, s.cache.listTTL, func(ctx context.Context) (any, error) { return s.queryIDs(ctx, q) })
	if err != nil {
		return nil, err
	}
	return v.([]int64), nil
}

func (s *Store) queryIDs(ctx context.Context, q ListQuery) ([]int64, error) {
	where, args := q.Filter.base()
	fw, fargs := q.Filter.facetWhere()
	where += fw
	args = append(args, fargs...)
	join, order := "", "c.created_at DESC, c.id DESC"
	switch q.Sort {
	case SortSupports:
		join, order = " JOIN contribution_counters k ON k.contribution_id = c.id", "k.supports DESC, c.id DESC"
	case SortDiscussed:
		join = " JOIN contribution_counters k ON k.contribution_id = c.id"
		order = `(k.arguments_pour + k.arguments_contre + k.arguments_neutre + k.reactions_soutient + k.reactions_complete
			+ k.reactions_nuance + k.reactions_conteste) DESC, c.id DESC`
	case SortRandom:
		// A permutation of the ids chosen by the seed: stable for one visitor,
		// different between visitors, so no contribution always comes first.
		mul, add := 48271+q.Seed%1000003*7919, q.Seed%2147483647
		order = fmt.Sprintf("(c.id * %d + %d) %% 2147483647, c.id", mul, add)
	}
	args = append(args, q.PerPage, (q.Page-1)*q.PerPage)
	var ids []int64
	err := s.db.Conn(ctx).Raw(`SELECT c.id FROM contributions c`+join+` WHERE `+where+
		` ORDER BY `+order+` LIMIT ? OFFSET ?`, args...).Scan(&ids).Error
	if err != nil {
		return nil, fmt.Errorf("list ids: %w", err)
	}
	return ids, nil
}

// CacheList keeps what load derives from list results (a rendered list for
// anonymous visitors, say) as long as list orders are kept, computing it once
// for concurrent callers. Every change made through this store drops it.
// load runs in the caller's request, never later.
func (s *Store) CacheList(ctx context.Context, key string, load func(context.Context) (any, error)) (any, error) {
	return s.cache.fetchStale(ctx, "custom|"+key, s.cache.listTTL, false, load)
}

// CachedLists returns how many values kept by CacheList the cache holds: for
// tests and diagnostics.
func (s *Store) CachedLists() int { return s.cache.count("custom|") }

// key identifies f in the cache (not valid with IDs).
func (f Filter) key() string {
	return fmt.Sprintf("%d|%d|%s|%s|%d|%d|%d|%d|%d", f.ConsultationID, f.AxisID, f.Entry, f.Category,
		f.RegionID, f.DepartementID, f.HubID, f.ReactsToID, f.AuthorID)
}
