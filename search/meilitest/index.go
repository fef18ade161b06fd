package meilitest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// index is one index of the double: its documents, by primary key value,
// and its settings.
type index struct {
	uid        string
	primaryKey string
	createdAt  time.Time
	updatedAt  time.Time
	docs       map[string]*document
	nextID     int // internal document ids, as milli assigns them
	settings   *jsonObject
	applied    settings
}

// document is one stored document: its JSON and its internal id (ties in
// the ranking are broken by it, as in milli).
type document struct {
	internal int
	raw      []byte
	fields   map[string]any // parsed on demand
	words    map[string][]token
}

func (d *document) parsed() map[string]any {
	if d.fields == nil {
		v, _ := decodeJSON(d.raw)
		o, _ := v.(*jsonObject)
		d.fields = map[string]any{}
		if o != nil {
			d.fields = o.vals
		}
	}
	return d.fields
}

func newIndex(uid, primaryKey string, now time.Time) *index {
	ix := &index{uid: uid, primaryKey: primaryKey, createdAt: now, updatedAt: now, docs: map[string]*document{},
		settings: &jsonObject{vals: map[string]any{}}}
	return ix
}

// settings are an index's settings as the search uses them.
type settings struct {
	rankingRules      []string
	searchable        []string // nil: every attribute
	displayed         []string // nil: every attribute
	filterable        []string
	sortable          []string
	stopWords         map[string]bool
	synonyms          map[string][][]string // normalized words joined by spaces → alternatives
	typoEnabled       bool
	oneTypo, twoTypos int
	exactWords        map[string]bool
	exactAttributes   map[string]bool
	exactNumbers      bool
	maxTotalHits      int
	maxValuesPerFacet int
	facetSort         map[string]string
}

// defaults per v1.45.1 crates/meilisearch-types/src/settings.rs (schema
// defaults) and crates/milli/src/index.rs.
func defaultSettings(sc *schema) settings {
	return settings{
		rankingRules: sc.defaultRules, stopWords: map[string]bool{}, synonyms: map[string][][]string{},
		typoEnabled: true, oneTypo: 5, twoTypos: 9, exactWords: map[string]bool{}, exactAttributes: map[string]bool{},
		maxTotalHits: 1000, maxValuesPerFacet: 100, facetSort: map[string]string{"*": "alpha"},
	}
}

// mergeSettings applies a PATCH of settings: each top-level field sent
// replaces the current one (null resets it); the fields of typoTolerance,
// faceting and pagination are merged one by one, as Setting<T> does.
func mergeSettings(cur, patch *jsonObject) *jsonObject {
	out := &jsonObject{vals: map[string]any{}}
	set := func(k string, v any) {
		if _, ok := out.vals[k]; !ok {
			out.keys = append(out.keys, k)
		}
		out.vals[k] = v
	}
	for _, k := range cur.keys {
		set(k, cur.vals[k])
	}
	for _, k := range patch.keys {
		v := patch.vals[k]
		switch {
		case v == nil:
			delete(out.vals, k)
			out.keys = slices.DeleteFunc(out.keys, func(s string) bool { return s == k })
		case k == "typoTolerance" || k == "faceting" || k == "pagination":
			old, _ := out.vals[k].(*jsonObject)
			if old == nil {
				old = &jsonObject{vals: map[string]any{}}
			}
			set(k, mergeSettings(old, v.(*jsonObject)))
		default:
			set(k, v)
		}
	}
	return out
}

func strings_(v any) []string {
	arr, _ := v.([]any)
	out := make([]string, 0, len(arr))
	for _, e := range arr {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func uintOf(v any, def int) int {
	n, ok := v.(json.Number)
	if !ok {
		return def
	}
	i, err := strconv.Atoi(n.String())
	if err != nil {
		return def
	}
	return i
}

// validateSettings checks what deserr checks beyond types: the ranking
// rules (crates/milli/src/criterion.rs and settings.rs validate_settings)
// and minWordSizeForTypos (settings.rs validate_min_word_size_for_typo_setting).
func validateSettings(sc *schema, s *jsonObject) *apiError {
	if v, ok := s.vals["rankingRules"]; ok && v != nil {
		var attribute, rankOrPosition bool
		for i, r := range strings_(v) {
			name, dir, custom := strings.Cut(r, ":")
			switch {
			case custom && (dir == "asc" || dir == "desc") && name != "":
			case !custom && slices.Contains(sc.rankingRules, r):
				attribute = attribute || r == "attribute"
				rankOrPosition = rankOrPosition || r == "attributeRank" || r == "wordPosition"
			default:
				return valueError("invalid_settings_ranking_rules", pointer(".rankingRules").index(i),
					fmt.Sprintf("`%s` ranking rule is invalid. Valid ranking rules are words, typo, sort, proximity, attribute, exactness and custom ranking rules.", r))
			}
		}
		if attribute && rankOrPosition {
			return newError("invalid_settings_ranking_rules", "Mixed usage of the attribute, attributeRank, and wordPosition ranking rules. You must either use the attribute ranking rule alone or the attributeRank and wordPosition ranking rules.")
		}
	}
	if typo, ok := s.vals["typoTolerance"].(*jsonObject); ok {
		if mw, ok := typo.vals["minWordSizeForTypos"].(*jsonObject); ok {
			one, two := uintOf(mw.vals["oneTypo"], -1), uintOf(mw.vals["twoTypos"], -1)
			if one >= 0 && two >= 0 && one > two {
				return valueError("invalid_settings_typo_tolerance", ".typoTolerance.minWordSizeForTypos",
					fmt.Sprintf("`minWordSizeForTypos` setting is invalid. `oneTypo` and `twoTypos` fields should be between `0` and `255`, and `twoTypos` should be greater or equals to `oneTypo` but found `oneTypo: %d` and twoTypos: %d`.", one, two))
			}
		}
	}
	return nil
}

// apply derives the settings the search uses from the stored ones.
func (ix *index) apply(sc *schema) {
	s := defaultSettings(sc)
	v := ix.settings.vals
	if r, ok := v["rankingRules"]; ok {
		s.rankingRules = strings_(r)
	}
	attrs := func(k string) []string {
		a, ok := v[k]
		if !ok {
			return nil
		}
		out := strings_(a)
		if slices.Contains(out, "*") {
			return nil
		}
		return out
	}
	s.searchable, s.displayed = attrs("searchableAttributes"), attrs("displayedAttributes")
	if f, ok := v["filterableAttributes"].([]any); ok {
		for _, e := range f {
			switch t := e.(type) {
			case string:
				s.filterable = append(s.filterable, t)
			case *jsonObject:
				s.filterable = append(s.filterable, strings_(t.vals["attributePatterns"])...)
			}
		}
	}
	s.sortable = strings_(v["sortableAttributes"])
	for _, w := range strings_(v["stopWords"]) {
		s.stopWords[normalizeWords(w)] = true
	}
	if syn, ok := v["synonyms"].(*jsonObject); ok {
		for _, k := range syn.keys {
			key := normalizeWords(k)
			for _, alt := range strings_(syn.vals[k]) {
				if words := strings.Fields(normalizeWords(alt)); len(words) > 0 {
					s.synonyms[key] = append(s.synonyms[key], words)
				}
			}
		}
	}
	if typo, ok := v["typoTolerance"].(*jsonObject); ok {
		if e, ok := typo.vals["enabled"].(bool); ok {
			s.typoEnabled = e
		}
		if mw, ok := typo.vals["minWordSizeForTypos"].(*jsonObject); ok {
			s.oneTypo, s.twoTypos = uintOf(mw.vals["oneTypo"], s.oneTypo), uintOf(mw.vals["twoTypos"], s.twoTypos)
		}
		for _, w := range strings_(typo.vals["disableOnWords"]) {
			s.exactWords[normalize(w)] = true
		}
		for _, a := range strings_(typo.vals["disableOnAttributes"]) {
			s.exactAttributes[a] = true
		}
		s.exactNumbers, _ = typo.vals["disableOnNumbers"].(bool)
	}
	if p, ok := v["pagination"].(*jsonObject); ok {
		s.maxTotalHits = uintOf(p.vals["maxTotalHits"], s.maxTotalHits)
	}
	if f, ok := v["faceting"].(*jsonObject); ok {
		s.maxValuesPerFacet = uintOf(f.vals["maxValuesPerFacet"], s.maxValuesPerFacet)
		if by, ok := f.vals["sortFacetValuesBy"].(*jsonObject); ok {
			for _, k := range by.keys {
				s.facetSort[k], _ = by.vals[k].(string)
			}
		}
	}
	ix.applied = s
	for _, d := range ix.docs {
		d.words = nil // tokenized again with the new searchable attributes
	}
}

// matchesPattern reports whether attr matches an attribute pattern ("*",
// "prefix*", "*suffix" or a name), as filterable patterns do.
func matchesPattern(pattern, attr string) bool {
	switch {
	case pattern == "*":
		return true
	case strings.HasPrefix(pattern, "*") && strings.HasSuffix(pattern, "*") && len(pattern) > 1:
		return strings.Contains(attr, strings.Trim(pattern, "*"))
	case strings.HasSuffix(pattern, "*"):
		return strings.HasPrefix(attr, strings.TrimSuffix(pattern, "*"))
	case strings.HasPrefix(pattern, "*"):
		return strings.HasSuffix(attr, strings.TrimPrefix(pattern, "*"))
	}
	return pattern == attr
}

func (s settings) isFilterable(attr string) bool {
	for _, p := range s.filterable {
		if matchesPattern(p, attr) {
			return true
		}
	}
	return false
}

// documentID reads the primary key of a document: an integer or a string
// of alphanumerics, hyphens and underscores of at most 511 bytes
// (crates/milli/src/documents/primary_key.rs, error messages of
// crates/milli/src/error.rs).
func documentID(doc *jsonObject, pk string) (string, *apiError) {
	v, ok := doc.vals[pk]
	if !ok {
		b, _ := marshal(doc)
		return "", newErrorf("missing_document_id", "Document doesn't have a `%s` attribute: `%s`.", pk, b)
	}
	invalid := func() *apiError {
		b, _ := marshal(v)
		return newErrorf("invalid_document_id", "Document identifier `%s` is invalid. A document identifier can be of type integer or string, only composed of alphanumeric characters (a-z A-Z 0-9), hyphens (-) and underscores (_), and can not be more than 511 bytes.", b)
	}
	switch t := v.(type) {
	case json.Number:
		if _, err := strconv.ParseInt(t.String(), 10, 64); err != nil {
			return "", invalid()
		}
		return t.String(), nil
	case string:
		if t == "" || len(t) > 511 {
			return "", invalid()
		}
		for _, r := range t {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return "", invalid()
			}
		}
		return t, nil
	}
	return "", invalid()
}
