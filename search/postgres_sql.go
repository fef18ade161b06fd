package search

import (
	"fmt"
	"strings"
)

// statement builds the one statement of a search, whose single row holds
// the count of the first CountLimit+1 matches, their facets as JSON
// [[facet, value, n], …] and the page as JSON [[id, title, excerpt], …].
//
// The page comes from the sample m when it holds every match (an exact
// count), else from a query of its own: the listing indexes for the date
// and supports orders, a bounded set of candidates for relevance. Only one
// of the two branches runs (its one-time filter on the count).
func (p *Postgres) statement(w *where, q Query) string {
	var b strings.Builder
	limit := fmt.Sprintf("LIMIT %d OFFSET %d", q.PerPage, q.Offset())
	exact := fmt.Sprintf("(SELECT total FROM n) <= %d", p.CountLimit)
	inexact := fmt.Sprintf("(SELECT total FROM n) > %d", p.CountLimit)
	fmt.Fprintf(&b, `WITH m AS MATERIALIZED (
	SELECT c.id, c.created_at, c.axis_id, c.entry, c.author_category, c.region_id, c.departement_id, c.hub_id, c.status
	FROM contributions c WHERE %s LIMIT %d),
n AS MATERIALIZED (SELECT count(*) AS total FROM m),
f AS (`, w.sql(), p.CountLimit+1)
	for i, f := range Facets {
		if i > 0 {
			b.WriteString("\n\tUNION ALL ")
		}
		fmt.Fprintf(&b, "SELECT '%s' AS facet, %s::text AS value, count(*) AS n FROM m WHERE %[2]s IS NOT NULL GROUP BY 2", f, f)
	}
	b.WriteString("),\n")
	// page: (id, k1, k2, k3), ordered by k1 DESC, k2 DESC, k3 DESC.
	switch q.Sort {
	case SortRelevance:
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
	case SortSupports:
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
SELECT (SELECT total FROM n),
	(SELECT coalesce(json_agg(json_build_array(facet, value, n)), '[]') FROM f)::text,
	(SELECT coalesce(json_agg(hit ORDER BY k1 DESC, k2 DESC, k3 DESC), '[]') FROM hits)::text`, title, excerpt)
	return b.String()
}
