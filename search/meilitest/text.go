package meilitest

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// token is one word of a text: its normalized form, where it sits in the
// original text (bytes) and its position (words, with a gap after a hard
// separator, as charabia and milli count them).
type token struct {
	norm       string
	start, end int
	pos        int
	hardBefore bool // a hard separator (. ! ? ; : newline) precedes it
}

// hardSeparatorGap is the position gap a hard separator adds (milli adds 8
// in documents, 7 in queries: phrases never span one).
const hardSeparatorGap = 8

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

func isHardSeparator(r rune) bool {
	return strings.ContainsRune(".!?;:\n\r…", r)
}

// tokenize splits s into words. Letters and digits make words; everything
// else separates them ("l'emploi" is "l" and "emploi", "tiers-lieux" is
// "tiers" and "lieux"), as charabia's Latin segmenter does.
func tokenize(s string) []token {
	var out []token
	pos, start := -1, -1
	hard := false
	flush := func(end int) {
		if start < 0 {
			return
		}
		pos++
		if hard && len(out) > 0 {
			pos += hardSeparatorGap - 1
		}
		out = append(out, token{norm: normalize(s[start:end]), start: start, end: end, pos: pos, hardBefore: hard})
		start, hard = -1, false
	}
	for i, r := range s {
		if isWordRune(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
		if isHardSeparator(r) {
			hard = true
		}
	}
	flush(len(s))
	return out
}

// normalize is charabia's normalization for Latin text: lower case,
// diacritics removed, ligatures split ("Œuvre" is "oeuvre").
func normalize(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		switch r = unicode.ToLower(r); r {
		case 'œ':
			b.WriteString("oe")
		case 'æ':
			b.WriteString("ae")
		case 'ß':
			b.WriteString("ss")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// normalizeWords normalizes a text into its words joined by one space
// (synonyms, stop words and disableOnWords are compared this way).
func normalizeWords(s string) string {
	toks := tokenize(s)
	words := make([]string, len(toks))
	for i, t := range toks {
		words[i] = t.norm
	}
	return strings.Join(words, " ")
}

// isNumberWord is milli's DisabledTyposTerms::is_exact test for
// disableOnNumbers: only digits or ASCII punctuation.
func isNumberWord(w string) bool {
	for _, r := range w {
		if !unicode.IsDigit(r) && !(r < 128 && unicode.IsPunct(r)) {
			return false
		}
	}
	return w != ""
}

// osa is the optimal string alignment distance (Levenshtein with adjacent
// transpositions), the distance of milli's Levenshtein automata.
func osa(a, b []rune) int {
	n, m := len(a), len(b)
	prev2 := make([]int, m+1)
	prev := make([]int, m+1)
	cur := make([]int, m+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= n; i++ {
		cur[0] = i
		for j := 1; j <= m; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[m]
}

// typos returns the number of typos with which the document word d matches
// the query word w, or -1. With prefix, d may continue after a match of w.
// A typo on the first letter counts as two (milli's
// find_one_two_typo_derivations in search/new/query_term/compute_derivations.rs).
func typos(w, d string, budget int, prefix bool) int {
	if d == w || prefix && strings.HasPrefix(d, w) {
		return 0
	}
	if budget == 0 {
		return -1
	}
	rw, rd := []rune(w), []rune(d)
	best := -1
	try := func(cand []rune) {
		dist := osa(rw, cand)
		if len(cand) > 0 && len(rw) > 0 && cand[0] != rw[0] {
			dist = max(dist, 2)
		}
		if dist <= budget && (best < 0 || dist < best) {
			best = dist
		}
	}
	if !prefix {
		try(rd)
		return best
	}
	for k := max(0, len(rw)-budget); k <= min(len(rd), len(rw)+budget); k++ {
		try(rd[:k])
	}
	return best
}
