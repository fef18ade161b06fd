package synthesis

import (
	"math"
	"sort"

	"github.com/cnr-numerique/concertation/app/topic"
)

// Theme is a recurring two-word expression of a view (or a word), weighted
// by TF-IDF, with the contributions behind it. Words are read by the
// tokenizer of the topic package (elisions split, stop words and stop
// phrases dropped), as for the themes of the analyses.
type Theme struct {
	Label         string  // the words as first written
	Score         float64 // sum over contributions of tf × idf
	Contributions int     // number of contributions that use it
	Examples      []Excerpt
	exampleIDs    []int64
}

// themeExamples is how many contributions are kept behind each theme.
const themeExamples = 5

type termStat struct {
	label string
	df    int
	tf    float64 // sum of the term's relative frequency in each document
	ids   []int64
}

// termKey identifies a stem (b = 0) or a two-word expression (a, b): stems
// are interned as small numbers from 1, so that counting allocates nothing.
type termKey struct{ a, b int32 }

// themeCounter accumulates document frequencies in one pass over the texts.
// Its memory grows with the vocabulary, not with the number of texts: when
// the vocabulary passes a bound, terms seen in one text only are dropped.
type themeCounter struct {
	st     *topic.Tokenizer
	ids    map[string]int32 // stem → id
	docs   int
	terms  map[termKey]*termStat
	local  map[termKey]int
	labels map[termKey]string
}

const maxTerms = 400_000

func newThemeCounter() *themeCounter {
	return &themeCounter{st: topic.NewTokenizer(), ids: map[string]int32{}, terms: map[termKey]*termStat{},
		local: map[termKey]int{}, labels: map[termKey]string{}}
}

func (tc *themeCounter) id(stem string) int32 {
	id, ok := tc.ids[stem]
	if !ok {
		id = int32(len(tc.ids) + 1)
		tc.ids[stem] = id
	}
	return id
}

// add counts the text of contribution id.
func (tc *themeCounter) add(id int64, text string) {
	tc.docs++
	clear(tc.local)
	clear(tc.labels)
	n := 0
	var prev int32
	prevWord := ""
	tc.st.Terms(text, func(stem, word string, adjacent bool) {
		n++
		cur := tc.id(stem)
		k := termKey{cur, 0}
		tc.local[k]++
		if _, ok := tc.labels[k]; !ok {
			tc.labels[k] = word
		}
		if adjacent && prev != cur {
			bk := termKey{prev, cur}
			tc.local[bk]++
			if _, ok := tc.labels[bk]; !ok {
				tc.labels[bk] = prevWord + "\x00" + word
			}
		}
		prev, prevWord = cur, word
	})
	if n == 0 {
		return
	}
	for key, count := range tc.local {
		t := tc.terms[key]
		if t == nil {
			label := tc.labels[key]
			if key.b != 0 {
				for i := 0; i < len(label); i++ {
					if label[i] == 0 {
						label = label[:i] + " " + label[i+1:]
						break
					}
				}
			} else {
				label = string([]byte(label)) // own the bytes: the text goes away
			}
			t = &termStat{label: label}
			tc.terms[key] = t
		}
		t.df++
		t.tf += float64(count) / float64(n)
		if len(t.ids) < themeExamples {
			t.ids = append(t.ids, id)
		}
	}
	if len(tc.terms) > maxTerms {
		for k, t := range tc.terms {
			if t.df == 1 {
				delete(tc.terms, k)
			}
		}
	}
}

// top returns the best terms (words when bigrams is false, two-word
// expressions otherwise) used by at least two contributions, best first.
func (tc *themeCounter) top(n int, bigrams bool) []Theme {
	var out []Theme
	for key, t := range tc.terms {
		if t.df < 2 || (key.b != 0) != bigrams {
			continue
		}
		idf := math.Log(float64(tc.docs) / float64(t.df))
		if idf <= 0 {
			continue // in every contribution: not a distinguishing theme
		}
		out = append(out, Theme{Label: t.label, Score: t.tf * idf, Contributions: t.df, exampleIDs: t.ids})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Label < out[j].Label
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}
