package query

import (
	"context"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cnr-numerique/concertation/app/contribution"
)

// URL parameters of a list page, beside those of its filter.
const (
	ParamSort    = "tri"
	ParamSeed    = "graine"
	ParamPage    = "page"
	ParamPerPage = "par"
	ParamAfter   = "apres"
	ParamBefore  = "avant"
	ParamText    = "q"
)

// ParseRequest reads the order and page of a list from URL values. Unknown
// values are ignored (the defaults apply); repetitions after the first value
// too. With a text, the default order is relevance.
func ParseRequest(v url.Values) PageRequest {
	r := PageRequest{Sort: ParseSort(first(v, ParamSort)), PerPage: defaultPerPage}
	if r.Sort == "" || (r.Sort == SortRelevance && first(v, ParamText) == "") {
		r.Sort = SortRecent
		if first(v, ParamText) != "" && first(v, ParamSort) == "" {
			r.Sort = SortRelevance
		}
	}
	if n, err := strconv.ParseInt(first(v, ParamSeed), 10, 64); err == nil && n > 0 && n < 1<<31 {
		r.Seed = n
	}
	if n, err := strconv.Atoi(first(v, ParamPage)); err == nil && n > 0 {
		r.Number = n
	}
	if n, err := strconv.Atoi(first(v, ParamPerPage)); err == nil {
		for _, size := range PageSizes {
			if n == size {
				r.PerPage = n
			}
		}
	}
	if c, ok := parseCursor(first(v, ParamAfter)); ok {
		r.After = c.String()
	} else if c, ok := parseCursor(first(v, ParamBefore)); ok {
		r.Before = c.String()
	}
	return r.normalize()
}

// Values returns the URL parameters of the order and page size of r (not the
// page), to build the links of a list.
func (r PageRequest) Values(text bool) url.Values {
	v := url.Values{}
	if r.Sort != SortRecent && !(text && r.Sort == SortRelevance) {
		v.Set(ParamSort, string(r.Sort))
	}
	if text && r.Sort == SortRecent {
		v.Set(ParamSort, string(SortRecent)) // with a text, the default is relevance
	}
	if r.Sort == SortRandom && r.Seed != 0 {
		v.Set(ParamSeed, strconv.FormatInt(r.Seed, 10))
	}
	if r.PerPage != defaultPerPage {
		v.Set(ParamPerPage, strconv.Itoa(r.PerPage))
	}
	return v
}

// List is one page of a public list: its rows with their counters, the
// facet counts, and what a text search adds.
type List struct {
	IDPage
	Items  []contribution.View
	Facets Facets
	Search *SearchInfo // when the list answers a text
}

// SearchInfo is what a text search adds to a list.
type SearchInfo struct {
	Text      string
	Corrected string // the words actually searched when the typed ones found nothing
	Approx    bool   // Total is an estimate
	TooBroad  bool   // the search hit its time bound
	Titles    map[int64]template.HTML
	Excerpts  map[int64]template.HTML
}

// List returns the page r of the published contributions of f, with the
// facets of f: the one entry point of the public lists (the contributions
// page, an axis, a Hub, an author). A text goes to the search engine, which
// finds; the rows always come from PostgreSQL, which decides what is shown.
func (s *Service) List(ctx context.Context, f Filter, r PageRequest) (List, error) {
	f.Public, f.Statuses = true, []string{StatusPublished}
	if f.Text != "" {
		return s.search(ctx, f, r)
	}
	page, err := s.IDs(ctx, f, r)
	if err != nil {
		return List{}, err
	}
	out := List{IDPage: page}
	if out.Facets, err = s.Facets(ctx, f); err != nil {
		return List{}, err
	}
	out.Items, err = s.views(ctx, page)
	return out, err
}

// CacheList keeps what load derives from a list (its rendered page for
// anonymous visitors, say) for ttl, computed once for concurrent callers, and
// dropped by any change made through this process. load runs in the
// caller's request, never later.
func (s *Service) CacheList(ctx context.Context, key string, ttl time.Duration, load func(context.Context) (any, error)) (any, error) {
	return s.pages.fetch(ctx, key, ttl, false, load)
}

// CachedLists returns how many values kept by CacheList the cache holds: for
// tests and diagnostics.
func (s *Service) CachedLists() int { return s.pages.count("") }

// key identifies f and r in a cache: the canonical parameters of both.
func key(f Filter, r PageRequest) string {
	var b strings.Builder
	b.WriteString(f.QueryString())
	b.WriteString("|" + strconv.FormatInt(f.ConsultationID, 10) + "|" + strconv.FormatInt(f.Author, 10))
	b.WriteString("|" + string(r.Sort) + "|" + strconv.FormatInt(r.Seed, 10) + "|" + strconv.Itoa(r.Number) + "|" +
		strconv.Itoa(r.PerPage) + "|" + r.After + "|" + r.Before)
	return b.String()
}
