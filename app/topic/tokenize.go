// Package topic finds the themes of a body of French texts: a tokenizer
// (elisions split, stop words and stop phrases dropped, Snowball stems),
// multi-word expressions learnt from the texts themselves (collocations scored
// by normalised pointwise mutual information), TF-IDF vectors held as sparse
// rows, and a non-negative matrix factorisation (NMF) whose factors give each
// text a weight on every theme, so that one text may belong to several.
//
// It knows nothing of the database: callers feed it texts and ids. A model is
// fitted on a sample (Fit), then every text is assigned (Model.Assign), so
// the cost of fitting does not grow with the corpus.
package topic

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/french"
)

// elisions are the elided words that an apostrophe glues to the next word:
// "l'accès" is "l'" + "accès".
var elisions = map[string]bool{
	"l": true, "d": true, "qu": true, "j": true, "n": true, "s": true, "c": true, "m": true, "t": true,
	"jusqu": true, "lorsqu": true, "puisqu": true, "quoiqu": true, "presqu": true,
}

// wholeWords keep their apostrophe: they are one word.
var wholeWords = map[string]bool{"aujourd'hui": true, "prud'hommes": true, "prud'homme": true}

// extraStopWords complete Snowball's French list with words that carry no
// theme in a consultation: auxiliaries and modal verbs, connectives, vague
// nouns and adverbs.
var extraStopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a à afin ainsi alors après aujourd'hui auprès aussi autre autres avant avoir
		beaucoup bien bon bonne bonnes bons car cela celle celles celui cependant certain certaines certains ceci cet cette ceux
		chaque chez chose choses comme comment concerne concernant dont donc doit doivent déjà davantage
		elles encore entre est être etc exemple fait faire faits faut font fois hors ici ils jamais leurs lors
		moins mieux même mêmes notamment or où parce parmi partout peu peut peuvent plus plusieurs pourquoi pourrait pourraient
		quand quel quelle quelles quels quelque quelques rien sans selon ses si sinon sous souvent tant tel telle tels telles
		toujours tous tout toute toutes très trop vers via voire vraiment également enfin surtout ensuite
		non oui merci afin cas ceci celle-ci celui-ci soit sont sera seront serait seraient été étaient était
		nos notre nous leur lui elle il on y en le la les un une des du de et ou mais ni ce ces au aux avec dans par pour sur
		que qui quoi dont bonjour madame monsieur cordialement svp nombreux nombreuses nombre grand grande grands grandes
		petit petite petits petites nouveau nouvelle nouveaux nouvelles vrai vraie réel réelle réels réelles
		chacun chacune aucun aucune autant tellement vis-à-vis pendant depuis durant contre face lieu lorsque puisque
		proposer propose proposons proposition propositions demande demandons demander souhaite souhaitons souhaiter
		pense pensons penser crois croyons estime estimons idée idées besoin besoins important importante importants importantes
		nécessaire nécessaires essentiel essentielle essentiels essentielles indispensable indispensables
		mettre mis mise place permettre permet permettrait permettant rendre rend pouvoir devoir falloir aller va vont
		donner donne aider aide aides avoir ont avons avez eu être sommes êtes étais été
		plan niveau façon manière moyen part partie sens effet cadre travers matière ailleurs tard tôt
		an ans année années jour jours mois semaine temps aujourd hui près loin sait savent savoir trouver trouvent
		reste restent existe existent`) {
		extraStopWords[w] = true
	}
}

// IsStopWord reports whether the lower-case word w carries no theme.
func IsStopWord(w string) bool { return french.IsStopWord(w) || extraStopWords[w] }

// stopPhrases are word sequences dropped before anything else: turns of
// phrase that every contribution uses ("il faut", "mettre en place",
// "bonnes pratiques") and that would otherwise become fake expressions.
var stopPhrases = map[string][][]string{} // by first word

func init() {
	for _, p := range []string{
		"il faut", "il faudrait", "il est nécessaire", "il est important", "il est essentiel", "il serait", "il y a", "il existe",
		"nous proposons", "je propose", "nous demandons", "je demande", "je pense", "nous pensons", "nous souhaitons", "je souhaite",
		"mettre en place", "mise en place", "mettre en œuvre", "mise en œuvre", "mettre en oeuvre", "mise en oeuvre",
		"en effet", "par exemple", "de plus", "en particulier", "en outre", "par ailleurs", "en revanche", "tout le monde",
		"au niveau", "en matière", "dans le cadre", "d'une part", "d'autre part", "à travers", "à la fois", "bien sûr",
		"bonnes pratiques", "bonne pratique", "les besoins restent", "besoins restent", "de manière", "de façon", "en lien avec",
		"à l'échelle", "faute de", "afin de", "grâce à", "plus de", "moins de", "de plus en plus", "prendre en compte",
		"prise en compte", "tenir compte", "à partir", "au moins", "au détriment", "en fin", "en dehors", "se faire", "qui ne", "faire en sorte", "avoir accès", "ne pas", "n'est pas", "c'est", "qu'il",
	} {
		w := rawWords(p)
		stopPhrases[w[0]] = append(stopPhrases[w[0]], w)
	}
}

// token is one word of a text, lower case, with its stem; stop words have
// an empty stem. A token with brk set starts a new clause.
type token struct {
	word string
	stem string
	brk  bool
}

// rawWords splits lower-cased text into words: letters and digits, with the
// elided prefixes kept as words of their own ("l'", "qu'"), "aujourd'hui"
// whole. Punctuation between words becomes a "" word: a clause break.
func rawWords(text string) []string { return appendRawWords(nil, text) }

// appendRawWords is rawWords appending to out.
func appendRawWords(out []string, text string) []string {
	emit := func(w string) {
		if w == "" {
			if len(out) > 0 && out[len(out)-1] != "" {
				out = append(out, "")
			}
			return
		}
		out = append(out, w)
	}
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		splitWord(strings.ToLower(text[start:end]), emit)
		start = -1
	}
	for i, r := range text {
		if r < utf8.RuneSelf && asciiWord[r] || r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '’' || r == 'ʼ' || unicode.Is(unicode.Mn, r)) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
		if r == '-' || unicode.IsSpace(r) && r != '\n' {
			continue
		}
		emit("") // punctuation, symbols and line ends break the clause
	}
	flush(len(text))
	return out
}

// asciiWord tells the ASCII characters that belong to a word: letters,
// digits and the apostrophe (the rest of Unicode is asked to package unicode).
var asciiWord = func() (t [utf8.RuneSelf]bool) {
	for r := range t {
		t[r] = 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '\''
	}
	return t
}()

// splitWord splits one run of letters with apostrophes and calls emit for
// each word: "l'accès" gives "l'" and "accès", "jusqu'à" gives "jusqu'" and
// "à", "aujourd'hui" stays whole.
func splitWord(w string, emit func(string)) {
	if strings.Contains(w, "’") || strings.Contains(w, "ʼ") { // faster than ContainsAny on non-ASCII sets
		w = apostrophes.Replace(w)
	}
	for w != "" {
		w = strings.Trim(w, "'")
		if w == "" {
			return
		}
		if wholeWords[w] {
			emit(w)
			return
		}
		i := strings.IndexByte(w, '\'')
		if i < 0 {
			emit(w)
			return
		}
		head := w[:i]
		if elisions[head] {
			emit(head + "'")
		} else {
			// An apostrophe inside a word that is no elision: keep the word
			// before it as such ("prud" from an unknown form is rare).
			emit(head)
		}
		w = w[i+1:]
	}
}

// apostrophes are the typographic apostrophes, read as "'".
var apostrophes = strings.NewReplacer("’", "'", "ʼ", "'")

// Tokenizer turns French texts into tokens. It caches stems: contributions
// reuse a small vocabulary and stemming is the costly part. A Tokenizer is
// not safe for concurrent use: give each goroutine its own.
type Tokenizer struct {
	stems map[string]string
	words []string // reused by Terms
	toks  []token  // reused by Terms
}

// NewTokenizer returns a Tokenizer.
func NewTokenizer() *Tokenizer { return &Tokenizer{stems: map[string]string{}} }

// Stem returns the Snowball stem of the lower-case word w.
func (t *Tokenizer) Stem(w string) string {
	if s, ok := t.stems[w]; ok {
		return s
	}
	s := french.Stem(w, false)
	if len(t.stems) < 500_000 {
		t.stems[w] = s
	}
	return s
}

// tokens returns the words of text with their stems; stop words, stop
// phrases, numbers, one- and two-letter words and web addresses have an
// empty stem (they are kept as separators, so that an expression never
// spans them).
func (t *Tokenizer) tokens(text string, buf []token) []token {
	words := appendRawWords(t.words[:0], withoutURLs(text))
	t.words = words[:0]
	out := buf[:0]
	brk := true
	for i := 0; i < len(words); i++ {
		w := words[i]
		if w == "" {
			brk = true
			continue
		}
		if n := stopPhraseAt(words, i); n > 0 {
			i += n - 1
			brk = true
			continue
		}
		tok := token{word: w, brk: brk}
		brk = false
		if keep(w) {
			tok.stem = t.Stem(w)
		}
		out = append(out, tok)
	}
	return out
}

// keep reports whether w can carry a theme.
func keep(w string) bool {
	if utf8.RuneCountInString(w) < 3 || strings.HasSuffix(w, "'") || IsStopWord(w) {
		return false
	}
	for _, r := range w {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false // a number
}

// stopPhraseAt returns the length of the stop phrase starting at words[i], or 0.
func stopPhraseAt(words []string, i int) int {
	best := 0
	for _, p := range stopPhrases[words[i]] {
		if len(p) <= best || i+len(p) > len(words) {
			continue
		}
		match := true
		for j := 1; j < len(p); j++ {
			if words[i+j] != p[j] {
				match = false
				break
			}
		}
		if match {
			best = len(p)
		}
	}
	return best
}

// withoutURLs blanks out web and e-mail addresses, which are no theme.
func withoutURLs(text string) string {
	if !strings.Contains(text, "http") && !strings.Contains(text, "www.") && !strings.Contains(text, "@") {
		return text
	}
	f := strings.Fields(text)
	for i, w := range f {
		if strings.HasPrefix(w, "http://") || strings.HasPrefix(w, "https://") || strings.HasPrefix(w, "www.") || strings.Contains(w, "@") {
			f[i] = "."
		}
	}
	return strings.Join(f, " ")
}

// Terms calls fn with each word of text that can carry a theme: its stem and
// the word as written (lower case). adjacent is true when the previous
// such word came right before it in the same clause, with no stop word or
// stop phrase between them (for two-word expressions).
func (t *Tokenizer) Terms(text string, fn func(stem, word string, adjacent bool)) {
	adjacent := false
	t.toks = t.tokens(text, t.toks)
	for _, tok := range t.toks {
		if tok.brk || tok.stem == "" {
			adjacent = false
			if tok.stem == "" {
				continue
			}
		}
		fn(tok.stem, tok.word, adjacent)
		adjacent = true
	}
}
