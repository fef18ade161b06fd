package meilitest

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// The search of the double: simple matching, but with the rules of
// Meilisearch that the engine relies on, read in v1.45.1:
//   - crates/milli/src/search/new/query_term/parse_query.rs: words, "phrases"
//     and -negations; stop words are dropped except the last word; the last
//     word is a prefix;
//   - parse_query.rs number_of_typos_allowed: 0 below oneTypo letters, 1
//     below twoTypos, else 2; none for disableOnWords (and, per
//     crates/milli/src/disabled_typos_terms.rs, for numbers with
//     disableOnNumbers); compute_derivations.rs: a typo on the first
//     letter counts as two;
//   - crates/milli/src/search/new/query_graph.rs: the matching strategies
//     (last: words dropped from the end; frequency: the most frequent
//     first; phrases are never dropped; all: nothing dropped);
//   - crates/meilisearch/src/search/mod.rs: page/hitsPerPage and
//     offset/limit, maxTotalHits, facetDistribution over every candidate,
//     _formatted (highlight, crop, numbers as strings).
// Ranking follows the index's ranking rules with simple measures per rule
// (words, typo, proximity, attribute, exactness, sort); ties go to the
// older document.

// termMatch is how a document matches one term.
type termMatch struct {
	ok       bool
	typos    int
	attr     int // index of the first searchable attribute holding it
	pos      int // position of that match
	exact    bool
	synonyms bool
}

// field is one searchable attribute of a document, tokenized.
type docField struct {
	name   string
	text   string
	tokens []token
	at     map[int]int // position → token index
}

func (ix *index) searchableFields(d *document) []docField {
	f := d.parsed()
	names := ix.applied.searchable
	if names == nil {
		names = ix.fieldOrder(d)
	}
	out := make([]docField, 0, len(names))
	for _, n := range names {
		var text string
		switch t := f[n].(type) {
		case string:
			text = t
		case fmt.Stringer:
			text = t.String()
		default:
			continue
		}
		toks := tokenize(text)
		at := make(map[int]int, len(toks))
		for i, t := range toks {
			at[t.pos] = i
		}
		out = append(out, docField{name: n, text: text, tokens: toks, at: at})
	}
	return out
}

// fieldOrder lists a document's attributes in the order they came.
func (ix *index) fieldOrder(d *document) []string {
	v, _ := decodeJSON(d.raw)
	if o, ok := v.(*jsonObject); ok {
		return o.keys
	}
	return nil
}

func hasPhrase(f docField, words []string) (int, bool) {
	for i, t := range f.tokens {
		if words[0] != "" && t.norm != words[0] {
			continue
		}
		ok := true
		for k := 1; k < len(words); k++ {
			j, found := f.at[t.pos+k]
			if !found || words[k] != "" && f.tokens[j].norm != words[k] {
				ok = false
				break
			}
		}
		if ok {
			return i, true
		}
	}
	return 0, false
}

func (ix *index) matchTerm(fields []docField, t qterm) termMatch {
	best := termMatch{typos: math.MaxInt}
	for ai, f := range fields {
		if t.word == "" {
			if i, ok := hasPhrase(f, t.phrase); ok {
				return termMatch{ok: true, attr: ai, pos: f.tokens[i].pos, exact: true}
			}
			continue
		}
		budget := t.budget
		if ix.applied.exactAttributes[f.name] {
			budget = 0
		}
		for _, tok := range f.tokens {
			n := typos(t.word, tok.norm, budget, t.prefix)
			if n < 0 || n > best.typos || n == best.typos && best.ok {
				continue
			}
			best = termMatch{ok: true, typos: n, attr: ai, pos: tok.pos, exact: n == 0 && tok.norm == t.word}
		}
		for _, alt := range t.synonym {
			if i, ok := hasPhrase(f, alt); ok && (!best.ok || best.typos > 0) {
				best = termMatch{ok: true, attr: ai, pos: f.tokens[i].pos, exact: true, synonyms: true}
			}
		}
	}
	if !best.ok {
		return termMatch{}
	}
	return best
}

func (ix *index) excluded(fields []docField, pq parsedQuery) bool {
	for _, f := range fields {
		for _, tok := range f.tokens {
			if slices.Contains(pq.negWords, tok.norm) {
				return true
			}
		}
		for _, p := range pq.negPhrases {
			if len(p) > 0 {
				if _, ok := hasPhrase(f, p); ok {
					return true
				}
			}
		}
	}
	return false
}

// candidate is a document that matched, with what the ranking reads.
type candidate struct {
	doc     *document
	id      string
	matches []termMatch
	bucket  int // removal steps of the matching strategy needed to match it
}

// search runs a search request on the index.
func (ix *index) search(r searchRequest) (map[string]any, *apiError) {
	s := ix.applied
	filter, err := parseFilter(r.filter)
	if err != nil {
		return nil, err
	}
	for _, a := range filter.attrs(nil) {
		if !s.isFilterable(a.s) {
			// crates/milli/src/search/facet/filter/mod.rs FilterError::AttributeNotFilterable
			avail := " This index does not have configured filterable attributes."
			if len(s.filterable) > 0 {
				sorted := slices.Clone(s.filterable)
				slices.Sort(sorted)
				avail = " Available filterable attribute patterns are: " + quoteList(sorted) + "."
			}
			return nil, newErrorf("invalid_search_filter", "Index `%s`: Attribute `%s` is not filterable.%s\n%d:%d %s",
				ix.uid, a.s, avail, a.start+1, a.end+1, filterText(r.filter))
		}
	}
	type sortKey struct {
		attr string
		desc bool
	}
	var sorts []sortKey
	for _, e := range r.sort {
		attr, dir, ok := strings.Cut(e, ":")
		if !ok || dir != "asc" && dir != "desc" {
			return nil, newErrorf("invalid_search_sort", "Invalid syntax for the sort parameter: expected expression ending by `:asc` or `:desc`, found `%s`.", e)
		}
		if !slices.Contains(s.sortable, attr) {
			return nil, newErrorf("invalid_search_sort", "Index `%s`: Attribute `%s` is not sortable. Available sortable attributes are: `%s`.", ix.uid, attr, strings.Join(s.sortable, ", "))
		}
		sorts = append(sorts, sortKey{attr, dir == "desc"})
	}
	if len(sorts) > 0 && !slices.Contains(s.rankingRules, "sort") {
		return nil, newErrorf("invalid_search_sort", "Index `%s`: You must specify where `sort` is listed in the rankingRules setting to use the sort parameter at search time.", ix.uid)
	}
	var notFilterable []string
	for _, f := range r.facets {
		if f != "*" && !s.isFilterable(f) {
			notFilterable = append(notFilterable, f)
		}
	}
	if len(notFilterable) == 1 {
		return nil, newErrorf("invalid_search_facets", "Invalid facet distribution: Attribute `%s` is not filterable. %s", notFilterable[0], availableFilterable(s))
	} else if len(notFilterable) > 1 {
		return nil, newErrorf("invalid_search_facets", "Invalid facet distribution: Attributes `%s` are not filterable. %s", strings.Join(notFilterable, ", "), availableFilterable(s))
	}

	pq := parseQuery(r.q, s)
	placeholder := len(pq.terms) == 0
	docs := make([]*document, 0, len(ix.docs))
	ids := map[*document]string{}
	for id, d := range ix.docs {
		docs = append(docs, d)
		ids[d] = id
	}
	slices.SortFunc(docs, func(a, b *document) int { return cmp.Compare(a.internal, b.internal) })

	var cands []candidate
	for _, d := range docs {
		if !filter.match(d.parsed()) {
			continue
		}
		c := candidate{doc: d, id: ids[d]}
		if !placeholder || len(pq.negWords)+len(pq.negPhrases) > 0 {
			fields := ix.searchableFields(d)
			if ix.excluded(fields, pq) {
				continue
			}
			c.matches = make([]termMatch, len(pq.terms))
			for i, t := range pq.terms {
				c.matches[i] = ix.matchTerm(fields, t)
			}
		}
		cands = append(cands, c)
	}
	if !placeholder {
		freq := func(i int) int {
			n := 0
			for _, c := range cands {
				if c.matches[i].ok {
					n++
				}
			}
			return n
		}
		groups := removalGroups(pq, r.strategy, freq)
		removed := map[int]int{} // term → removal step
		for step, g := range groups {
			for _, i := range g {
				removed[i] = step + 1
			}
		}
		kept := cands[:0]
		for _, c := range cands {
			bucket := 0
			ok := true
			for i, m := range c.matches {
				if m.ok {
					continue
				}
				step, removable := removed[i]
				if !removable {
					ok = false
					break
				}
				bucket = max(bucket, step)
			}
			if ok {
				c.bucket = bucket
				kept = append(kept, c)
			}
		}
		cands = kept
	}

	rank := func(a, b candidate) int {
		for _, rule := range s.rankingRules {
			var c int
			switch rule {
			case "sort":
				for _, k := range sorts {
					if c = compareField(a.doc.parsed()[k.attr], b.doc.parsed()[k.attr], k.desc); c != 0 {
						break
					}
				}
			case "words":
				c = cmp.Compare(a.bucket, b.bucket)
			case "typo":
				c = cmp.Compare(sumTypos(a), sumTypos(b))
			case "proximity":
				c = cmp.Compare(proximity(a), proximity(b))
			case "attribute", "attributeRank":
				c = cmp.Compare(sumAttr(a), sumAttr(b))
			case "wordPosition":
				c = cmp.Compare(sumPos(a), sumPos(b))
			case "exactness":
				c = cmp.Compare(exactCount(b), exactCount(a))
			default:
				if attr, dir, ok := strings.Cut(rule, ":"); ok {
					c = compareField(a.doc.parsed()[attr], b.doc.parsed()[attr], dir == "desc")
				}
			}
			if c != 0 {
				return c
			}
		}
		return cmp.Compare(a.doc.internal, b.doc.internal)
	}
	slices.SortStableFunc(cands, rank)

	hitsCount := min(len(cands), s.maxTotalHits)
	offset, limit := r.offset, r.limit
	if r.finite {
		page := r.page
		if page == 0 {
			offset, limit = 0, 0
		} else {
			offset, limit = (page-1)*r.hitsPerPage, r.hitsPerPage
		}
	}
	offset = min(offset, s.maxTotalHits)
	limit = min(limit, s.maxTotalHits-offset)
	var hits []any
	for i := offset; i < min(offset+limit, len(cands)); i++ {
		hits = append(hits, ix.hit(cands[i], r, pq))
	}
	if hits == nil {
		hits = []any{}
	}
	resp := map[string]any{"hits": hits, "query": r.q, "processingTimeMs": 0}
	if r.finite {
		pages := 0
		if r.hitsPerPage > 0 {
			pages = (hitsCount + r.hitsPerPage - 1) / r.hitsPerPage
		}
		resp["hitsPerPage"], resp["page"], resp["totalPages"], resp["totalHits"] = r.hitsPerPage, r.page, pages, hitsCount
	} else {
		resp["limit"], resp["offset"], resp["estimatedTotalHits"] = r.limit, r.offset, hitsCount
	}
	if r.facetsSet {
		dist, stats := ix.facetDistribution(cands, r.facets)
		resp["facetDistribution"], resp["facetStats"] = dist, stats
	}
	return resp, nil
}
