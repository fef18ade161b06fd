package search

import (
	"fmt"
	"strconv"
	"strings"
)

// sampleMode is how a search finds its sample m, the first CountLimit+1
// matches that give the count and the facets.
type sampleMode int

const (
	// sampleByIndex: through the full-text index (GIN bitmap). Right for a
	// query that few contributions match; costly for a common word, whose
	// posting list is read whole before the first row.
	sampleByIndex sampleMode = iota
	// sampleByScan: the text is checked on the first ScanLimit rows of the
	// filters (in the order of their cheapest path). Right for a query that
	// many contributions match: the sample fills after a few thousand rows.
	// When it does not fill and more rows match the filters, the query is
	// sparse and the search runs again by index.
	sampleByScan
	// sampleAll: the filters select at most ScanLimit rows (the planner's
	// estimate): the text is checked on every one of them, so the count, the
	// facets and every order are exact, without walking a sort index of the
	// whole table for the few rows of a small territory.
	sampleAll
)

// rumIndexExpr is the expression of the RUM index (migration
// 00040_search_rum.sql): the search vector concatenated with an empty one,
// so that only the ranked query below, written with the same expression,
// uses it; every other full-text condition keeps the GIN index.
const rumIndexExpr = "(c.search_vector || ''::tsvector)"

// statement builds the one statement of a search, whose single row holds
// the count of the sample m, whether more rows match the filters than a
// scan reads (sampleByScan), the facets of m as JSON [[facet, value, n], …]
// and the page as JSON [[id, title, excerpt], …].
//
// The page comes from m when m holds every match (an exact count), else
// from a query of its own: the listing indexes for the date and supports
// orders; for relevance, m itself ranked (sampleByScan: a common query,
// whose matches are too many to rank), the RUM index's order when it exists
// (ranking inside the index), or else a bounded set of candidates (the
// first title matches and m). Only one branch runs: their one-time filters
// on the count. A sparse scan (no branch) returns no page.
func (p *Postgres) statement(w *where, q Query, mode sampleMode, rum bool) string {
	var b strings.Builder
	limit := fmt.Sprintf("LIMIT %d OFFSET %d", q.PerPage, q.Offset())
	var exact, inexact string
	switch mode {
	case sampleAll:
		exact, inexact = "(SELECT NOT more FROM n)", fmt.Sprintf("(SELECT more AND total > %d FROM n)", p.CountLimit)
	default:
		exact = fmt.Sprintf("(SELECT total <= %d AND NOT more FROM n)", p.CountLimit)
		inexact = fmt.Sprintf("(SELECT total > %d FROM n)", p.CountLimit)
	}
	cols := "c.id, c.created_at, c.axis_id, c.entry, c.author_category, c.region_id, c.departement_id, c.hub_id, c.status"
	// One ranking function per engine: RUM's distance when the index ranks
	// (smaller is better), ts_rank_cd otherwise.
	rank := "ts_rank_cd(c.search_vector, $1::tsquery, 1)::float8"
	if rum {
		rank = "-(c.search_vector <=> $1::tsquery)::float8"
	}
	switch mode {
	case sampleByScan, sampleAll:
		sample, when := p.CountLimit+1, fmt.Sprintf("total > %d", p.CountLimit) // more is needed only when the sample is short
		if mode == sampleAll {
			sample, when = p.ScanLimit, "false"
		}
		// The rows of the filters: every row of a few cells (sampleAll) comes
		// from the listing, ids by an index-only scan then rows by primary
		// key (OFFSET 0 keeps the planner from reading them through a bitmap
		// of the text or filters), the filters checked again on the rows; a
		// sample of many rows comes from the table in the order of its
		// cheapest path, which does not favour some cells, and with narrow
		// filters from a lazy walk of the index of one of them (plansOff).
		filter := w.filterSQL()
		if walksFilters(w, mode) {
			filter = strings.Join(w.walk, " AND ")
		}
		rows := fmt.Sprintf("SELECT %s, c.search_vector FROM contributions c WHERE %s LIMIT %d", cols, filter, p.ScanLimit)
		count := fmt.Sprintf("SELECT 1 FROM contributions c WHERE %s LIMIT %d", w.filterSQL(), p.ScanLimit+1)
		text := w.text
		if mode == sampleAll {
			rows = fmt.Sprintf("SELECT %s, c.consultation_id, c.search_vector FROM (%s) l JOIN contributions c ON c.id = l.contribution_id OFFSET 0",
				cols, w.listingSQL(p.ScanLimit))
			count = w.listingSQL(p.ScanLimit + 1)
			text += " AND " + w.filterSQL()
		}
		// Whether the filters keep more rows than the scan reads: known
		// from the cells when the scan samples, counted when it reads all.
		more := fmt.Sprintf("(SELECT count(*) FROM (%s) x) > %d", count, p.ScanLimit)
		if mode == sampleByScan && w.filterRows >= 0 {
			more = strconv.FormatBool(w.filterRows > p.ScanLimit)
		}
		// Relevance is ranked on the rows read, rather than on rows read again.
		mcols := cols
		if q.Sort == SortRelevance {
			mcols += ", " + rank + " AS rank"
		}
		fmt.Fprintf(&b, `WITH m AS MATERIALIZED (
	SELECT %[1]s FROM (%[2]s) c
	WHERE %[3]s LIMIT %[4]d),
n AS MATERIALIZED (SELECT total, CASE WHEN %[5]s THEN false
	ELSE %[6]s END AS more
	FROM (SELECT count(*) AS total FROM m) t),
f AS (`, mcols, rows, text, sample, when, more)
	default:
		cond := w.sql()
		if w.index != "" {
			cond = w.index + " AND " + w.filterSQL()
		}
		fmt.Fprintf(&b, `WITH m AS MATERIALIZED (
	SELECT %s FROM contributions c WHERE %s LIMIT %d),
n AS MATERIALIZED (SELECT count(*) AS total, false AS more FROM m),
f AS (`, cols, cond, p.CountLimit+1)
	}
	for i, f := range Facets {
		if i > 0 {
			b.WriteString("\n\tUNION ALL ")
		}
		fmt.Fprintf(&b, "SELECT '%s' AS facet, %s::text AS value, count(*) AS n FROM m WHERE %[2]s IS NOT NULL AND (SELECT NOT more OR total > %d FROM n) GROUP BY 2", f, f, p.CountLimit)
	}
	b.WriteString("),\n")
	// page: (id, k1, k2, k3), ordered by k1 DESC, k2 DESC, k3 DESC.
	switch {
	case q.Sort == SortRelevance && mode != sampleByIndex:
		fmt.Fprintf(&b, `page AS (
	SELECT m.id, m.rank AS k1, m.created_at AS k2, m.id AS k3
	FROM m WHERE %s OR %s
	ORDER BY 2 DESC, 3 DESC, 4 DESC %s),
`, exact, inexact, limit)
	case q.Sort == SortRelevance && rum:
		fmt.Fprintf(&b, `page AS (
	(SELECT m.id, %[6]s AS k1, m.created_at AS k2, m.id AS k3
	FROM m JOIN contributions c ON c.id = m.id WHERE %[1]s
	ORDER BY 2 DESC, 3 DESC, 4 DESC %[3]s)
	UNION ALL
	(SELECT c.id, -(%[5]s <=> $1::tsquery)::float8, c.created_at, c.id FROM contributions c
	WHERE %[2]s AND %[5]s @@ $1::tsquery AND %[4]s
	ORDER BY %[5]s <=> $1::tsquery %[3]s)),
`, exact, inexact, limit, w.filterSQL(), rumIndexExpr, rank)
	case q.Sort == SortRelevance:
		fmt.Fprintf(&b, `page AS (
	(SELECT m.id, ts_rank_cd(c.search_vector, $1::tsquery, 1)::float8 AS k1, m.created_at AS k2, m.id AS k3
	FROM m JOIN contributions c ON c.id = m.id WHERE %[1]s
	ORDER BY 2 DESC, 3 DESC, 4 DESC %[3]s)
	UNION ALL
	(SELECT c.id, ts_rank_cd(c.search_vector, $1::tsquery, 1)::float8, c.created_at, c.id FROM (
		(SELECT t.id FROM (
			SELECT c.id, c.search_vector FROM contributions c
			WHERE %[2]s AND to_tsvector('fr_unaccent'::regconfig, c.title) @@ $1::tsquery AND %[4]s
			LIMIT %[6]d OFFSET 0) t
		WHERE t.search_vector @@ $1::tsquery LIMIT %[5]d)
		UNION
		(SELECT m.id FROM m WHERE %[2]s LIMIT %[5]d)) cand
	JOIN contributions c ON c.id = cand.id
	ORDER BY 2 DESC, 3 DESC, 4 DESC %[3]s)),
`, exact, inexact, limit, w.filterSQL(), p.RankLimit/2, p.RankLimit)
	case q.Sort == SortSupports:
		fmt.Fprintf(&b, `page AS (
	(SELECT m.id, cc.supports::float8 AS k1, m.id AS k2, 0 AS k3
	FROM m JOIN contribution_counters cc ON cc.contribution_id = m.id WHERE %[1]s
	ORDER BY cc.supports DESC, m.id DESC %[3]s)
	UNION ALL
	(SELECT c.id, cc.supports::float8, c.id, 0 FROM contributions c
	JOIN contribution_counters cc ON cc.contribution_id = c.id
	WHERE %[2]s AND %[4]s ORDER BY cc.supports DESC, cc.contribution_id DESC %[3]s)),
`, exact, inexact, limit, w.sql())
	default:
		fmt.Fprintf(&b, `page AS (
	(SELECT m.id, 0::float8 AS k1, m.created_at AS k2, m.id AS k3 FROM m WHERE %[1]s
	ORDER BY m.created_at DESC, m.id DESC %[3]s)
	UNION ALL
	(SELECT c.id, 0, c.created_at, c.id FROM contributions c
	WHERE %[2]s AND %[4]s ORDER BY c.created_at DESC, c.id DESC %[3]s)),
`, exact, inexact, limit, w.sql())
	}
	title, excerpt := "c.title", "''"
	if w.text != "" {
		title = fmt.Sprintf("ts_headline('fr_unaccent', translate(c.title, '%s%s', ''), $1::tsquery, '%s')", HighlightStart, HighlightEnd, pgTitleHeadline)
		excerpt = fmt.Sprintf("ts_headline('fr_unaccent', translate(c.body, '%s%s', ''), $1::tsquery, '%s')", HighlightStart, HighlightEnd, pgBodyHeadline)
	}
	fmt.Fprintf(&b, `hits AS (
	SELECT json_build_array(page.id, %s, %s) AS hit, page.k1, page.k2, page.k3
	FROM page JOIN contributions c ON c.id = page.id)
SELECT (SELECT total FROM n), (SELECT more FROM n), %s,
	(SELECT coalesce(json_agg(json_build_array(facet, value, n)), '[]') FROM f)::text,
	(SELECT coalesce(json_agg(hit ORDER BY k1 DESC, k2 DESC, k3 DESC), '[]') FROM hits)::text`, title, excerpt, exact)
	return b.String()
}
