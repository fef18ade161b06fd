package meilitest

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
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

type searchRequest struct {
	q                 string
	offset, limit     int
	page, hitsPerPage int // 0: not set (offset/limit mode)
	finite            bool
	retrieve          []string // nil: every displayed attribute
	crop              []string
	cropLength        int
	cropMarker        string
	highlight         []string
	preTag, postTag   string
	filter            any
	sort              []string
	facets            []string
	facetsSet         bool
	strategy          string
}

func readSearchRequest(o *jsonObject) searchRequest {
	r := searchRequest{limit: 20, cropLength: 10, cropMarker: "…", preTag: "<em>", postTag: "</em>", strategy: "last"}
	v := o.vals
	r.q, _ = v["q"].(string)
	r.offset = uintOf(v["offset"], 0)
	r.limit = uintOf(v["limit"], 20)
	if p, ok := v["page"]; ok && p != nil {
		r.finite, r.page = true, uintOf(p, 1)
	}
	if h, ok := v["hitsPerPage"]; ok && h != nil {
		r.finite, r.hitsPerPage = true, uintOf(h, 20)
	} else {
		r.hitsPerPage = 20
	}
	if r.finite && r.page == 0 {
		if _, ok := v["page"]; !ok || v["page"] == nil {
			r.page = 1
		}
	}
	if a, ok := v["attributesToRetrieve"]; ok && a != nil {
		r.retrieve = strings_(a)
	}
	r.crop, r.highlight = strings_(v["attributesToCrop"]), strings_(v["attributesToHighlight"])
	r.cropLength = uintOf(v["cropLength"], 10)
	if s, ok := v["cropMarker"].(string); ok {
		r.cropMarker = s
	}
	if s, ok := v["highlightPreTag"].(string); ok {
		r.preTag = s
	}
	if s, ok := v["highlightPostTag"].(string); ok {
		r.postTag = s
	}
	r.filter = v["filter"]
	r.sort = strings_(v["sort"])
	if f, ok := v["facets"]; ok && f != nil {
		r.facets, r.facetsSet = strings_(f), true
	}
	if s, ok := v["matchingStrategy"].(string); ok {
		r.strategy = s
	}
	return r
}

// qterm is a term of the query: a word or a phrase.
type qterm struct {
	word    string   // normalized word; "" for a phrase
	phrase  []string // normalized words of a phrase, "" for a stop word
	prefix  bool
	budget  int // typos allowed
	synonym [][]string
}

type parsedQuery struct {
	terms           []qterm // words and phrases, in order
	negWords        []string
	negPhrases      [][]string
	highlightPrefix map[string]bool
}

// parseQuery splits q as parse_query.rs does (simplified: one pass over
// the characters, quotes open and close phrases, a "-" after a space or
// at the start negates the next word or phrase).
func parseQuery(q string, s settings) parsedQuery {
	var pq parsedQuery
	type tok struct {
		word     string
		inPhrase int // phrase number, 0: none
		negative bool
	}
	var toks []tok
	phrase, phrases := 0, 0
	negNext, negPhrase := false, false
	afterSpace := true
	for i := 0; i < len(q); {
		r, size := utf8.DecodeRuneInString(q[i:])
		switch {
		case r == '"':
			if phrase > 0 {
				phrase, negPhrase = 0, false
			} else {
				phrases++
				phrase, negPhrase, negNext = phrases, negNext, false
			}
			i += size
			afterSpace = false
		case isWordRune(r):
			j := i
			for j < len(q) {
				r2, s2 := utf8.DecodeRuneInString(q[j:])
				if !isWordRune(r2) {
					break
				}
				j += s2
			}
			t := tok{word: normalize(q[i:j]), inPhrase: phrase}
			if phrase > 0 {
				t.negative = negPhrase
			} else {
				t.negative, negNext = negNext, false
			}
			toks = append(toks, t)
			i = j
			afterSpace = false
		default:
			negNext = phrase == 0 && r == '-' && afterSpace
			if isHardSeparator(r) && phrase > 0 {
				phrases++
				phrase = phrases
			}
			afterSpace = r == ' ' || r == '\t' || r == '\n'
			i += size
		}
	}
	endsWithSpace := strings.HasSuffix(q, " ") || strings.HasSuffix(q, "\t")
	for k := 0; k < len(toks); k++ {
		t := toks[k]
		if t.inPhrase > 0 {
			var words []string
			for ; k < len(toks) && toks[k].inPhrase == t.inPhrase; k++ {
				w := toks[k].word
				if s.stopWords[w] {
					w = ""
				}
				words = append(words, w)
			}
			k--
			if t.negative {
				pq.negPhrases = append(pq.negPhrases, words)
			} else {
				pq.terms = append(pq.terms, qterm{phrase: words})
			}
			continue
		}
		if t.negative {
			pq.negWords = append(pq.negWords, t.word)
			continue
		}
		last := k == len(toks)-1 && !endsWithSpace
		if s.stopWords[t.word] && !last {
			continue
		}
		pq.terms = append(pq.terms, qterm{word: t.word, prefix: last, budget: typoBudget(t.word, s)})
	}
	// Synonyms of one word or of up to three consecutive words.
	for i := range pq.terms {
		for n := 1; n <= 3 && i+n <= len(pq.terms); n++ {
			words := make([]string, 0, n)
			for _, t := range pq.terms[i : i+n] {
				words = append(words, t.word)
			}
			if slices.Contains(words, "") {
				break
			}
			if alts, ok := s.synonyms[strings.Join(words, " ")]; ok {
				for k := i; k < i+n; k++ {
					pq.terms[k].synonym = append(pq.terms[k].synonym, alts...)
				}
			}
		}
	}
	return pq
}

func typoBudget(w string, s settings) int {
	n := utf8.RuneCountInString(w)
	switch {
	case !s.typoEnabled || n < s.oneTypo || s.exactWords[w] || s.exactNumbers && isNumberWord(w):
		return 0
	case n < s.twoTypos:
		return 1
	}
	return 2
}

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
