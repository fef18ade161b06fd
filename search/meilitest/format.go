package meilitest

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// hit builds one hit: the attributes to retrieve (among the displayed
// ones) and, when something is highlighted or cropped, _formatted with
// those attributes formatted and the other retrieved ones as they are,
// numbers written as strings (v1.45.1 crates/meilisearch/src/search/mod.rs:
// compute_formatted_options, format_value).
func (ix *index) hit(c candidate, r searchRequest, pq parsedQuery) map[string]any {
	doc := c.doc.parsed()
	order := ix.fieldOrder(c.doc)
	displayed := func(a string) bool {
		return ix.applied.displayed == nil || slices.Contains(ix.applied.displayed, a)
	}
	retrieved := func(a string) bool {
		return displayed(a) && (r.retrieve == nil || slices.Contains(r.retrieve, "*") || slices.Contains(r.retrieve, a))
	}
	hit := map[string]any{}
	for _, a := range order {
		if retrieved(a) {
			hit[a] = doc[a]
		}
	}
	type opts struct {
		highlight bool
		crop      int // 0: none
	}
	formatted := map[string]opts{}
	for _, a := range r.highlight {
		for _, name := range order {
			if (a == "*" || a == name) && displayed(name) {
				formatted[name] = opts{highlight: true}
			}
		}
	}
	for _, a := range r.crop {
		name, length := a, r.cropLength
		if i := strings.LastIndexByte(a, ':'); i >= 0 {
			if n, err := strconv.Atoi(a[i+1:]); err == nil && n >= 0 {
				name, length = a[:i], n
			}
		}
		for _, n := range order {
			if (name == "*" || name == n) && displayed(n) {
				o := formatted[n]
				o.crop = length
				formatted[n] = o
			}
		}
	}
	if len(formatted) == 0 {
		return hit
	}
	f := map[string]any{}
	for _, a := range order {
		o, isFormatted := formatted[a]
		if !isFormatted && !retrieved(a) {
			continue
		}
		switch v := doc[a].(type) {
		case string:
			if isFormatted {
				f[a] = ix.format(v, o.highlight, o.crop, r, pq)
			} else {
				f[a] = v
			}
		default:
			if s, ok := facetValue(v); ok && !isString(v) && isNumber(v) {
				f[a] = s
			} else {
				f[a] = v
			}
		}
	}
	hit["_formatted"] = f
	return hit
}

func isString(v any) bool { _, ok := v.(string); return ok }
func isNumber(v any) bool { _, ok := number(v); return ok }

// span is a part of a text to highlight, in bytes.
type span struct{ start, end int }

// matchSpans finds the words of text that match the query: a whole word,
// or only the matched beginning of a word found as a prefix.
func (ix *index) matchSpans(toks []token, text string, pq parsedQuery) []span {
	var out []span
	for _, t := range pq.terms {
		if t.word == "" {
			for i := range toks {
				if toks[i].norm != t.phrase[0] && t.phrase[0] != "" {
					continue
				}
				ok := i+len(t.phrase) <= len(toks)
				for k := 1; ok && k < len(t.phrase); k++ {
					ok = toks[i+k].pos == toks[i].pos+k && (t.phrase[k] == "" || toks[i+k].norm == t.phrase[k])
				}
				if ok {
					for k := range t.phrase {
						out = append(out, span{toks[i+k].start, toks[i+k].end})
					}
				}
			}
			continue
		}
		for _, tok := range toks {
			n := typos(t.word, tok.norm, t.budget, t.prefix)
			if n < 0 {
				continue
			}
			end := tok.end
			if n == 0 && t.prefix && tok.norm != t.word && strings.HasPrefix(tok.norm, t.word) {
				end = prefixEnd(text[tok.start:tok.end], utf8.RuneCountInString(t.word)) + tok.start
			}
			out = append(out, span{tok.start, end})
		}
		for _, alt := range t.synonym {
			for i := range toks {
				ok := i+len(alt) <= len(toks)
				for k := 0; ok && k < len(alt); k++ {
					ok = toks[i+k].norm == alt[k]
				}
				if ok {
					for k := range alt {
						out = append(out, span{toks[i+k].start, toks[i+k].end})
					}
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b span) int { return a.start - b.start })
	return out
}

// prefixEnd returns the byte length of the beginning of word whose
// normalized form has n runes.
func prefixEnd(word string, n int) int {
	count := 0
	for i, r := range word {
		if count >= n {
			return i
		}
		count += utf8.RuneCountInString(normalize(string(r)))
	}
	return len(word)
}

// format highlights and crops one text. The crop keeps cropLength words
// around the first match (from the start when nothing matches), with the
// crop marker where the text was cut.
func (ix *index) format(text string, highlight bool, cropLength int, r searchRequest, pq parsedQuery) string {
	toks := tokenize(text)
	spans := ix.matchSpans(toks, text, pq)
	from, to := 0, len(text)
	prefix, suffix := "", ""
	if cropLength > 0 && len(toks) > cropLength {
		first := 0
		if len(spans) > 0 {
			for i, t := range toks {
				if t.start >= spans[0].start {
					first = i
					break
				}
			}
		}
		start := max(0, min(first-cropLength/2, len(toks)-cropLength))
		end := start + cropLength
		from, to = toks[start].start, toks[end-1].end
		if start > 0 {
			prefix = r.cropMarker
		}
		if end < len(toks) {
			suffix = r.cropMarker
		}
	} else if cropLength > 0 && len(toks) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(prefix)
	at := from
	if highlight {
		for _, s := range spans {
			if s.start < at || s.end > to {
				continue
			}
			b.WriteString(text[at:s.start])
			b.WriteString(r.preTag)
			b.WriteString(text[s.start:s.end])
			b.WriteString(r.postTag)
			at = s.end
		}
	}
	b.WriteString(text[at:to])
	b.WriteString(suffix)
	return b.String()
}
