package meilitest

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// A search request and its query as the double reads them (search.go names
// the sources they follow).

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
