package topic

import (
	"math"
	"strings"
)

// linkers may stand between the words of an expression: "accès aux droits",
// "formation des aidants", "lieu de médiation".
var linkers = map[string]bool{"de": true, "du": true, "des": true, "d'": true, "à": true, "au": true, "aux": true,
	"la": true, "le": true, "les": true, "l'": true, "en": true}

// unit is a term of a text: a stem, or an expression of two or three words
// joined by a space in key; surface is the text as written.
type unit struct {
	key     string
	surface string
	lead    string // linkers written between the previous unit and this one
	words   int
	brk     bool // no expression across this unit and the previous one
}

// units turns tokens into terms: stems of the words that carry a theme;
// two terms are adjacent when at most two linkers stand between them in
// the same clause.
func units(toks []token, buf []unit) []unit {
	out := buf[:0]
	gap := 0
	brk := true
	lead := ""
	for _, t := range toks {
		if t.brk {
			brk, gap, lead = true, 0, ""
		}
		if t.stem == "" {
			if linkers[t.word] && gap < 2 {
				gap++
				lead = glue(lead, t.word)
			} else {
				brk, lead = true, ""
			}
			continue
		}
		out = append(out, unit{key: t.stem, surface: t.word, lead: lead, words: 1, brk: brk})
		gap, brk, lead = 0, false, ""
	}
	return out
}

// glue appends word to text, with no space after an elided word ("d'").
func glue(text, word string) string {
	switch {
	case word == "":
		return text
	case text == "":
		return word
	case strings.HasSuffix(text, "'"):
		return text + word
	}
	return text + " " + word
}

func pairKey(a, b unit) string { return a.key + " " + b.key }

// Phrases are the expressions learnt from a sample of texts: pairs of
// adjacent terms that occur together far more often than chance would have
// them (normalised pointwise mutual information), in two rounds so that
// expressions of three words are found too.
type Phrases struct {
	rounds []map[string]float64 // accepted pair keys with their score, per round
}

// phraseCounts counts terms and adjacent pairs over the sample.
type phraseCounts struct {
	terms map[string]int
	pairs map[string]int
	total int
}

func (pc *phraseCounts) add(us []unit) {
	for i, u := range us {
		pc.terms[u.key]++
		pc.total++
		if i > 0 && !u.brk && us[i-1].words+u.words <= 3 {
			pc.pairs[pairKey(us[i-1], u)]++
		}
	}
}

// accept keeps the pairs seen at least minCount times whose normalised PMI
// reaches minNPMI.
func (pc *phraseCounts) accept(minCount int, minNPMI float64) map[string]float64 {
	out := map[string]float64{}
	n := float64(pc.total)
	if n == 0 {
		return out
	}
	for k, c := range pc.pairs {
		if c < minCount {
			continue
		}
		a, b := splitPair(k, pc.terms)
		ca, cb := pc.terms[a], pc.terms[b]
		if ca == 0 || cb == 0 {
			continue
		}
		pab := float64(c) / n
		pmi := math.Log(pab / (float64(ca) / n * float64(cb) / n))
		if npmi := pmi / -math.Log(pab); npmi >= minNPMI {
			out[k] = npmi * math.Log(float64(c))
		}
	}
	return out
}

// splitPair finds the two terms of a pair key: the split point is the space
// where both halves are known terms.
func splitPair(k string, terms map[string]int) (string, string) {
	for i := 0; i < len(k); i++ {
		if k[i] == ' ' {
			if _, ok := terms[k[:i]]; ok {
				if _, ok := terms[k[i+1:]]; ok {
					return k[:i], k[i+1:]
				}
			}
		}
	}
	return k, ""
}

// merge joins the accepted pairs of one round, left to right; when two
// accepted pairs overlap (a b, b c), the one with the better score wins.
func merge(us []unit, accepted map[string]float64) []unit {
	if len(accepted) == 0 {
		return us
	}
	score := func(i int) float64 {
		if i+1 >= len(us) || us[i+1].brk {
			return 0
		}
		return accepted[pairKey(us[i], us[i+1])]
	}
	out := us[:0]
	for i := 0; i < len(us); i++ {
		u := us[i]
		if s := score(i); s > 0 && s >= score(i+1) {
			v := us[i+1]
			u = unit{key: pairKey(u, v), surface: glue(glue(u.surface, v.lead), v.surface), lead: u.lead, words: u.words + v.words, brk: u.brk}
			i++
		}
		out = append(out, u)
	}
	return out
}

// learnPhrases finds the expressions of texts (already tokenised).
func learnPhrases(docs [][]unit, minCount int) Phrases {
	var p Phrases
	cur := make([][]unit, len(docs))
	for i, d := range docs {
		cur[i] = append([]unit(nil), d...)
	}
	for round := range 2 {
		pc := phraseCounts{terms: map[string]int{}, pairs: map[string]int{}}
		for _, d := range cur {
			pc.add(d)
		}
		// Three-word expressions must be rarer by chance still.
		acc := pc.accept(minCount*(1+round), 0.4+0.15*float64(round))
		p.rounds = append(p.rounds, acc)
		for i, d := range cur {
			cur[i] = merge(d, acc)
		}
	}
	return p
}

// apply merges the expressions into the units of one text.
func (p Phrases) apply(us []unit) []unit {
	for _, acc := range p.rounds {
		us = merge(us, acc)
	}
	return us
}

// Count returns the number of expressions learnt.
func (p Phrases) Count() int {
	n := 0
	for _, r := range p.rounds {
		n += len(r)
	}
	return n
}
