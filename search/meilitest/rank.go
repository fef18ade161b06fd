package meilitest

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
)

// The ranking rules and the facet distribution of a search (search.go
// names the sources they follow).

// removalGroups returns the groups of word terms in the order the
// matching strategy drops them, and whether the last group may be dropped
// too (query_graph.rs removal_order_for_terms_matching_strategy).
func removalGroups(pq parsedQuery, strategy string, freq func(int) int) [][]int {
	var words []int
	mandatory := false
	for i, t := range pq.terms {
		if t.word == "" {
			mandatory = true
			continue
		}
		words = append(words, i)
	}
	if strategy == "all" || len(words) == 0 {
		return nil
	}
	cost := map[int]int{}
	switch strategy {
	case "last":
		if len(pq.terms) < 2 {
			return nil
		}
		for _, i := range words {
			cost[i] = len(pq.terms) - i
		}
	case "frequency":
		type tf struct{ i, f int }
		var fs []tf
		for _, i := range words {
			f := freq(i)
			if f == 0 {
				f = math.MaxInt
			}
			fs = append(fs, tf{i, f})
		}
		slices.SortStableFunc(fs, func(a, b tf) int { return cmp.Compare(b.f, a.f) })
		w := 1
		for k, e := range fs {
			if k > 0 && fs[k-1].f != e.f {
				w++
			}
			cost[e.i] = w
		}
	}
	byCost := map[int][]int{}
	var costs []int
	for _, i := range words {
		c := cost[i]
		if _, ok := byCost[c]; !ok {
			costs = append(costs, c)
		}
		byCost[c] = append(byCost[c], i)
	}
	slices.Sort(costs)
	groups := make([][]int, 0, len(costs))
	for _, c := range costs {
		groups = append(groups, byCost[c])
	}
	if !mandatory {
		groups = groups[:len(groups)-1]
	}
	return groups
}

func availableFilterable(s settings) string {
	if len(s.filterable) == 0 {
		return "This index does not have configured filterable attributes."
	}
	sorted := slices.Clone(s.filterable)
	slices.Sort(sorted)
	return "Available filterable attributes patterns are: `" + strings.Join(sorted, ", ") + "`."
}

func filterText(f any) string {
	if s, ok := f.(string); ok {
		return s
	}
	return compact(f)
}

func sumTypos(c candidate) int {
	n := 0
	for _, m := range c.matches {
		if m.ok {
			n += m.typos
		}
	}
	return n
}

func sumAttr(c candidate) int {
	n := 0
	for _, m := range c.matches {
		if m.ok {
			n += m.attr
		}
	}
	return n
}

func sumPos(c candidate) int {
	n := 0
	for _, m := range c.matches {
		if m.ok {
			n += m.pos
		}
	}
	return n
}

func exactCount(c candidate) int {
	n := 0
	for _, m := range c.matches {
		if m.ok && m.exact {
			n++
		}
	}
	return n
}

// proximity sums the distances between consecutive matched terms, 8 when
// they sit in different attributes (milli caps the proximity cost at 8).
func proximity(c candidate) int {
	n := 0
	var prev *termMatch
	for i := range c.matches {
		m := &c.matches[i]
		if !m.ok {
			continue
		}
		if prev != nil {
			d := 8
			if prev.attr == m.attr {
				d = min(8, max(1, m.pos-prev.pos))
				if m.pos < prev.pos {
					d = min(8, prev.pos-m.pos+1)
				}
			}
			n += d
		}
		prev = m
	}
	return n
}

// compareField orders two values of a sort: numbers before strings,
// missing values last whatever the direction.
func compareField(a, b any, desc bool) int {
	fa, okA := number(a)
	fb, okB := number(b)
	sa, sOKA := a.(string)
	sb, sOKB := b.(string)
	rank := func(num, str bool) int {
		switch {
		case num:
			return 0
		case str:
			return 1
		}
		return 2
	}
	ra, rb := rank(okA, sOKA), rank(okB, sOKB)
	if ra != rb {
		return cmp.Compare(ra, rb)
	}
	var c int
	switch ra {
	case 0:
		c = cmp.Compare(fa, fb)
	case 1:
		c = cmp.Compare(strings.ToLower(sa), strings.ToLower(sb))
	default:
		return 0
	}
	if desc {
		return -c
	}
	return c
}

// facetValue is the string under which a value is counted.
func facetValue(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case bool:
		return strconv.FormatBool(t), true
	}
	if f, ok := number(v); ok {
		return strconv.FormatFloat(f, 'f', -1, 64), true
	}
	return "", false
}

func (ix *index) facetDistribution(cands []candidate, facets []string) (map[string]any, map[string]any) {
	s := ix.applied
	if slices.Contains(facets, "*") {
		facets = slices.Clone(s.filterable)
	}
	dist, stats := map[string]any{}, map[string]any{}
	for _, f := range facets {
		counts := map[string]int{}
		first := map[string]string{}
		lo, hi, numeric := math.Inf(1), math.Inf(-1), false
		for _, c := range cands {
			seen := map[string]bool{}
			v := c.doc.parsed()[f]
			values := []any{v}
			if arr, ok := v.([]any); ok {
				values = arr
			}
			for _, e := range values {
				if n, ok := number(e); ok {
					lo, hi, numeric = min(lo, n), max(hi, n), true
				}
				sv, ok := facetValue(e)
				if !ok {
					continue
				}
				key := strings.ToLower(sv)
				if seen[key] {
					continue
				}
				seen[key] = true
				if _, ok := first[key]; !ok {
					first[key] = sv
				}
				counts[key]++
			}
		}
		keys := make([]string, 0, len(counts))
		for k := range counts {
			keys = append(keys, k)
		}
		order := s.facetSort[f]
		if order == "" {
			order = s.facetSort["*"]
		}
		slices.SortFunc(keys, func(a, b string) int {
			if order == "count" {
				if c := cmp.Compare(counts[b], counts[a]); c != 0 {
					return c
				}
			}
			return cmp.Compare(a, b)
		})
		if len(keys) > s.maxValuesPerFacet {
			keys = keys[:s.maxValuesPerFacet]
		}
		out := make(map[string]int, len(keys))
		for _, k := range keys {
			out[first[k]] = counts[k]
		}
		dist[f] = out
		if numeric {
			stats[f] = map[string]float64{"min": lo, "max": hi}
		}
	}
	return dist, stats
}
