package contribution

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// FacetValue is a filter value with the number of contributions it would
// give; Label is set for reaction targets (the Hub proposal's title).
type FacetValue struct {
	Key   string
	Label string
	Count int
}

// Facets are the counts beside each filter value. Each dimension is counted
// with the other filters applied but not its own, so that the counts of the
// other values of a chosen filter stay visible.
type Facets struct {
	Axis        map[int64]int
	Entry       map[string]int
	Category    map[string]int
	Region      map[int64]int
	Departement map[int64]int
	Hub         map[int64]int
	ReactsTo    []FacetValue // the most reacted-to Hub proposals, at most maxTargets
	Total       int
}

const maxTargets = 20

// facetDim is one filter dimension: its name, column and condition.
type facetDim struct {
	name   string
	column string
	active bool
	arg    any
}

func (f Filter) dims() []facetDim {
	return []facetDim{
		{"axe", "axis_id", f.AxisID != 0, f.AxisID},
		{"entree", "entry", f.Entry != "", f.Entry},
		{"categorie", "author_category", f.Category != "", f.Category},
		{"region", "region_id", f.RegionID != 0, f.RegionID},
		{"departement", "departement_id", f.DepartementID != 0, f.DepartementID},
		{"hub", "hub_id", f.HubID != 0, f.HubID},
		{"cible", "reacts_to_id", f.ReactsToID != 0, f.ReactsToID},
	}
}

// facetWhere returns the conditions of the active facet dimensions, each
// preceded by " AND ".
func (f Filter) facetWhere() (string, []any) {
	var b strings.Builder
	var args []any
	for _, d := range f.dims() {
		if d.active {
			b.WriteString(" AND c." + d.column + " = ?")
			args = append(args, d.arg)
		}
	}
	return b.String(), args
}

type facetRow struct {
	Dim   string
	Key   string
	Label string
	N     int
}

// Facets counts the contributions matching f by filter value, in one query:
// a single scan keeps the rows that fail at most one filter, then each
// dimension counts the rows that pass every other filter.
func (s *Store) Facets(ctx context.Context, f Filter) (Facets, error) {
	if f.IDs != nil { // search results: never cached
		return s.queryFacets(ctx, f)
	}
	v, err := s.cache.fetch(ctx, "facets|"+f.key(), s.cache.facetTTL, func(ctx context.Context) (any, error) { return s.queryFacets(ctx, f) })
	if err != nil {
		return Facets{}, err
	}
	return v.(Facets), nil
}

func (s *Store) queryFacets(ctx context.Context, f Filter) (Facets, error) {
	dims := f.dims()
	where, baseArgs := f.base()
	var args []any // the columns' arguments come before the WHERE's
	var cols, misses []string
	for i, d := range dims {
		m := "true"
		if d.active {
			m = "COALESCE(c." + d.column + " = ?, false)"
			args = append(args, d.arg)
			misses = append(misses, fmt.Sprintf("(NOT m%d)::int", i))
		}
		cols = append(cols, fmt.Sprintf("c.%s, %s AS m%d", d.column, m, i))
	}
	filter := ""
	if len(misses) > 0 {
		filter = " WHERE " + strings.Join(misses, " + ") + " <= 1"
	}
	others := func(skip int) string {
		var ms []string
		for i, d := range dims {
			if i != skip && d.active {
				ms = append(ms, fmt.Sprintf("m%d", i))
			}
		}
		if len(ms) == 0 {
			return "true"
		}
		return strings.Join(ms, " AND ")
	}
	var parts []string
	for i, d := range dims {
		if d.name == "cible" {
			parts = append(parts, fmt.Sprintf(`(SELECT 'cible', g.key::text, COALESCE(t.title, ''), g.n
				FROM (SELECT %[1]s AS key, count(*) AS n FROM f WHERE %[2]s AND %[1]s IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT %[3]d) g
				JOIN contributions t ON t.id = g.key)`, d.column, others(i), maxTargets))
			continue
		}
		parts = append(parts, fmt.Sprintf(`SELECT '%s', %s::text, '', count(*) FROM f WHERE %s AND %s IS NOT NULL GROUP BY 2`,
			d.name, d.column, others(i), d.column))
	}
	parts = append(parts, "SELECT 'total', '', '', count(*) FROM f WHERE "+others(-1))
	sql := "WITH f AS MATERIALIZED (SELECT * FROM (SELECT " + strings.Join(cols, ", ") +
		" FROM contributions c WHERE " + where + ") s" + filter + ")\n" + strings.Join(parts, "\nUNION ALL ")
	args = append(args, baseArgs...)
	var rows []facetRow
	if err := s.db.Conn(ctx).Raw("SELECT dim, key, label, n FROM ("+sql+") x(dim, key, label, n)", args...).Scan(&rows).Error; err != nil {
		return Facets{}, fmt.Errorf("facets: %w", err)
	}
	out := Facets{Axis: map[int64]int{}, Entry: map[string]int{}, Category: map[string]int{},
		Region: map[int64]int{}, Departement: map[int64]int{}, Hub: map[int64]int{}}
	for _, r := range rows {
		id, _ := strconv.ParseInt(r.Key, 10, 64)
		switch r.Dim {
		case "axe":
			out.Axis[id] = r.N
		case "entree":
			out.Entry[r.Key] = r.N
		case "categorie":
			out.Category[r.Key] = r.N
		case "region":
			out.Region[id] = r.N
		case "departement":
			out.Departement[id] = r.N
		case "hub":
			out.Hub[id] = r.N
		case "cible":
			out.ReactsTo = append(out.ReactsTo, FacetValue{Key: r.Key, Label: r.Label, Count: r.N})
		case "total":
			out.Total = r.N
		}
	}
	sort.SliceStable(out.ReactsTo, func(i, j int) bool { return out.ReactsTo[i].Count > out.ReactsTo[j].Count })
	return out, nil
}
