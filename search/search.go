// Package search finds contributions. It holds the search engine interface,
// its PostgreSQL full-text engine (the default, postgres*.go) and its
// Meilisearch engine (meili*.go, the only importer of meilisearch-go).
//
// A search returns contribution ids, a total, facet counts and highlighted
// excerpts; pages then load the rows from PostgreSQL, which stays the truth
// and decides what is visible.
package search

import (
	"context"
	"errors"
	"html"
	"html/template"
	"strings"
	"unicode/utf8"
)

// Engine indexes search documents and searches them.
type Engine interface {
	// Name is the engine's key: "postgres" or "meilisearch".
	Name() string
	// Search runs q. An unknown filter value finds nothing, it is no error.
	Search(ctx context.Context, q Query) (Result, error)
	// Index adds or replaces documents in the live index.
	Index(ctx context.Context, docs []Document) error
	// Delete removes documents from the live index; unknown ids are ignored.
	Delete(ctx context.Context, ids []int64) error
}

// Rebuilder is an engine that can rebuild its index into a new one while the
// live index keeps answering, then swap the new one in (concertation reindex).
type Rebuilder interface {
	// NewTarget names a new target index.
	NewTarget() string
	// Prepare creates the target index with its settings, or reopens it when
	// an interrupted rebuild resumes.
	Prepare(ctx context.Context, target string) error
	// IndexInto and DeleteFrom write to the target index only.
	IndexInto(ctx context.Context, target string, docs []Document) error
	DeleteFrom(ctx context.Context, target string, ids []int64) error
	// Swap makes target the live index and drops the previous one.
	Swap(ctx context.Context, target string) error
}

// Sort orders the results.
type Sort string

// The orders of the results. Relevance with no text falls back to Date.
const (
	SortRelevance Sort = "pertinence"
	SortSupports  Sort = "soutiens"
	SortDate      Sort = "date" // newest first
)

// ParseSort reads the sort of a URL; anything else is relevance.
func ParseSort(s string) Sort {
	switch Sort(s) {
	case SortSupports, SortDate:
		return Sort(s)
	}
	return SortRelevance
}

// Status values of a contribution (contributions.status).
const (
	StatusPublished = "published"
	StatusWithdrawn = "withdrawn"
	StatusHidden    = "hidden"
)

// Filters narrow a search; a zero field does not filter.
type Filters struct {
	ConsultationID int64
	AxisID         int64
	Entry          string // "hubs" or "libres"
	AuthorCategory string // author_categories.code
	RegionID       int64
	DepartementID  int64
	HubID          int64
	// Statuses: published only when empty (moderators may ask for others).
	Statuses []string
}

func (f Filters) statuses() []string {
	if len(f.Statuses) == 0 {
		return []string{StatusPublished}
	}
	return f.Statuses
}

// Query is one search.
type Query struct {
	Text    string // as typed: words, "a phrase", -exclusion
	Filters Filters
	Sort    Sort
	Page    int // from 1
	PerPage int // DefaultPerPage when 0, at most MaxPerPage
}

// Paging limits.
const (
	DefaultPerPage = 20
	MaxPerPage     = 100
	// MaxTotal bounds counting: beyond it, totals are "more than MaxTotal"
	// (Result.TotalExact false) and pages stop there.
	MaxTotal = 10000
)

// Normalize returns q with its paging, sort and text made valid.
func (q Query) Normalize() Query {
	q.Text = strings.TrimSpace(q.Text)
	if len(q.Text) > 200 {
		q.Text = q.Text[:200]
		for !utf8.ValidString(q.Text) {
			q.Text = q.Text[:len(q.Text)-1]
		}
	}
	if q.PerPage <= 0 {
		q.PerPage = DefaultPerPage
	}
	if q.PerPage > MaxPerPage {
		q.PerPage = MaxPerPage
	}
	if q.Page < 1 {
		q.Page = 1
	}
	if maxPage := (MaxTotal + q.PerPage - 1) / q.PerPage; q.Page > maxPage {
		q.Page = maxPage
	}
	switch q.Sort {
	case SortSupports, SortDate:
	default:
		q.Sort = SortRelevance
	}
	if q.Sort == SortRelevance && q.Text == "" {
		q.Sort = SortDate
	}
	return q
}

// Offset is the number of hits before the page.
func (q Query) Offset() int { return (q.Page - 1) * q.PerPage }

// Facet names a facet: the filter attribute whose values are counted.
type Facet string

// The facets counted by every search. Values are decimal ids, entry kinds,
// author category codes and statuses.
const (
	FacetAxis           Facet = "axis_id"
	FacetEntry          Facet = "entry"
	FacetAuthorCategory Facet = "author_category"
	FacetRegion         Facet = "region_id"
	FacetDepartement    Facet = "departement_id"
	FacetHub            Facet = "hub_id"
	FacetStatus         Facet = "status"
)

// Facets is the list of facets, in display order.
var Facets = []Facet{FacetAxis, FacetEntry, FacetAuthorCategory, FacetRegion, FacetDepartement, FacetHub, FacetStatus}

// Result is one page of results.
type Result struct {
	Hits []Hit
	// Total is the number of matching contributions, exact when TotalExact;
	// otherwise there are more than Total (counting stops at MaxTotal).
	Total      int
	TotalExact bool
	// Reachable is how many hits the pages can show (size the pagination
	// with it): Total, or less when the order ranks a bounded set.
	Reachable int
	// Page is the page served: the one asked, or, when the engine bounds
	// how deep an order reaches, the last page within reach. Zero means
	// the page asked.
	Page int
	// Facets counts the matching contributions per value of each facet
	// (over the first MaxTotal matches when TotalExact is false).
	Facets map[Facet]map[string]int
	// Corrected is the text actually searched when the query as typed found
	// nothing (PostgreSQL engine): misspelled words replaced by known ones,
	// and/or the most common words of a long query left out; "" otherwise.
	// (Meilisearch leaves words out itself, by its matching strategy.)
	Corrected string
}

// IDs returns the ids of the hits, in order.
func (r Result) IDs() []int64 {
	ids := make([]int64, len(r.Hits))
	for i, h := range r.Hits {
		ids[i] = h.ID
	}
	return ids
}

// Hit is one found contribution. Title and Excerpt are plain text where the
// matched words sit between HighlightStart and HighlightEnd; Excerpt is
// empty when the query has no text. Show them with Highlight.
type Hit struct {
	ID      int64
	Title   string
	Excerpt string
}

// Highlight markers: private-use characters, removed from the indexed texts.
const (
	HighlightStart = "\uE000"
	HighlightEnd   = "\uE001"
)

// stripMarkers removes the highlight markers from a stored text.
func stripMarkers(s string) string {
	if !strings.ContainsAny(s, HighlightStart+HighlightEnd) {
		return s
	}
	return strings.NewReplacer(HighlightStart, "", HighlightEnd, "").Replace(s)
}

// Highlight escapes a highlighted text for HTML and turns its markers into
// <mark> elements (unbalanced markers are dropped).
func Highlight(s string) template.HTML {
	var b strings.Builder
	open := false
	for s != "" {
		i := strings.IndexAny(s, HighlightStart+HighlightEnd)
		if i < 0 {
			b.WriteString(html.EscapeString(s))
			break
		}
		b.WriteString(html.EscapeString(s[:i]))
		start := strings.HasPrefix(s[i:], HighlightStart)
		switch {
		case start && !open:
			b.WriteString("<mark>")
			open = true
		case !start && open:
			b.WriteString("</mark>")
			open = false
		}
		s = s[i+len(HighlightStart):] // both markers are 3 bytes
	}
	if open {
		b.WriteString("</mark>")
	}
	return template.HTML(b.String())
}

// ErrTimeout is returned when a search took longer than its bound: the web
// layer may ask the person to narrow it (a word less common, a filter).
var ErrTimeout = errors.New("search took too long")

// TargetCounter is a Rebuilder that can count the documents of a target
// index: the rebuild swaps only when the count is what PostgreSQL says.
type TargetCounter interface {
	Count(ctx context.Context, target string) (int64, error)
}
