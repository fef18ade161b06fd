package synthesis

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/french"
)

// extraStopWords complete the Snowball French list with frequent words that
// carry no theme.
var extraStopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a à afin ainsi alors après aussi autre autres aujourd avant avoir bien
		beaucoup car cela celle celles celui cet cette ceux chaque chez comme comment dont donc doit doivent
		elles encore entre est être fait faire faut font hors ici ils leurs lors moins notamment or où
		parce parmi peu peut peuvent plus plusieurs pourquoi pourrait quand quel quelle quelles quels
		sans selon ses si sous tant tel telle toujours tous tout toute toutes très trop ver vers via voire
		afin été etc cas ceci celle-ci celui-ci merci non oui qu quoi rien soit sont déjà d'un d'une l'on
		mieux même mêmes nos notre nous leur leurs lui elle il ils on y en le la les un une des du de et ou
		mais donc ni car ce ces cet au aux avec dans par pour sur chez dont que qui quoi quand bon bonne`) {
		extraStopWords[w] = true
	}
}

// isStopWord reports whether a lower-case word carries no theme.
func isStopWord(w string) bool { return french.IsStopWord(w) || extraStopWords[w] }

// words splits text into lower-case words of letters and digits; elisions
// (l', d', qu') become words of their own, dropped later as stop words.
// Punctuation and line ends give an empty word: a break in the text.
func words(text string, fn func(w string)) {
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		fn(strings.ToLower(text[start:end]))
		start = -1
	}
	for i, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
		if r != '\'' && r != '’' && r != '-' && (unicode.IsPunct(r) || r == '\n') {
			fn("") // a break between sentences or clauses
		}
	}
	flush(len(text))
}

// stemmer stems French words, with a cache: contributions reuse a small
// vocabulary, and stemming is the costly part of theme extraction.
type stemmer struct {
	cache map[string]string
}

func newStemmer() *stemmer { return &stemmer{cache: map[string]string{}} }

func (s *stemmer) stem(w string) string {
	if st, ok := s.cache[w]; ok {
		return st
	}
	st := french.Stem(w, true)
	if len(s.cache) < 200_000 {
		s.cache[w] = st
	}
	return st
}

// terms calls fn with each theme term of text: a stem (with the word it came
// from) for each word of at least three letters that is not a stop word.
// Consecutive terms with no stop word between them are adjacent (for
// two-word expressions): fn receives adjacent=false after a break.
func (s *stemmer) terms(text string, fn func(stem, word string, adjacent bool)) {
	adjacent := false
	words(withoutURLs(text), func(w string) {
		if w == "" {
			adjacent = false
			return
		}
		if utf8.RuneCountInString(w) < 3 || isStopWord(w) || isNumber(w) {
			adjacent = false
			return
		}
		fn(s.stem(w), w, adjacent)
		adjacent = true
	})
}

func isNumber(w string) bool {
	for _, r := range w {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// withoutURLs blanks out web addresses, which are no theme.
func withoutURLs(text string) string {
	if !strings.Contains(text, "http") && !strings.Contains(text, "www.") {
		return text
	}
	f := strings.Fields(text)
	for i, w := range f {
		if strings.HasPrefix(w, "http://") || strings.HasPrefix(w, "https://") || strings.HasPrefix(w, "www.") {
			f[i] = "."
		}
	}
	return strings.Join(f, " ")
}
