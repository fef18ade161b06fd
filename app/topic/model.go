package topic

import (
	"cmp"
	"errors"
	"math"
	"slices"
	"strings"
)

// Doc is one text to fit or assign.
type Doc struct {
	ID   int64
	Text string
}

// Options tune a fit; zero values take the defaults.
type Options struct {
	Themes     int     // number of themes (default 12)
	MinDF      int     // a term must occur in at least this many texts of the sample (default max(3, n/2000))
	MaxDFShare float64 // a term in more than this share of the texts is no theme (default 0.4)
	MaxTerms   int     // vocabulary size, most frequent first (default 20,000)
	Iterations int     // NMF iterations at most (default 100)
	Seed       uint64  // seed of the initialisation (default 1)
	Progress   func(done, total int)
}

func (o *Options) defaults(n int) {
	if o.Themes <= 0 {
		o.Themes = 12
	}
	if o.MinDF <= 0 {
		o.MinDF = max(3, n/2000)
	}
	if o.MaxDFShare <= 0 {
		o.MaxDFShare = 0.4
	}
	if o.MaxTerms <= 0 {
		o.MaxTerms = 20_000
	}
	if o.Iterations <= 0 {
		o.Iterations = 100
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
}

// Term is one term of a theme: a stem or an expression, as most often
// written, with its weight in the theme.
type Term struct {
	Label  string
	Weight float64
	Phrase bool // two or three words
}

// Theme is one theme found by a fit: its most telling terms (expressions
// first subsume their own words) and a label made of the first three.
type Theme struct {
	Label string
	Terms []Term
}

// Model is a fitted theme model: the expressions, the vocabulary with its
// IDF weights, and the theme-term matrix H. It is read-only once fitted and
// safe for concurrent use; each goroutine assigns through its own Assigner.
type Model struct {
	Themes  []Theme
	Docs    int // texts of the sample
	Terms   int // vocabulary size
	phrases Phrases
	vocab   map[string]int32
	idf     []float32
	k       int
	ht      []float64 // terms × k
	hh      []float64 // H·Hᵀ, k × k
}

// ErrTooFew is returned when the sample has too few texts with words that
// carry a theme to find the themes asked for.
var ErrTooFew = errors.New("topic: too few texts for this number of themes")

// Fit learns the expressions, the vocabulary and the themes of docs.
func Fit(docs []Doc, o Options) (*Model, error) {
	o.defaults(len(docs))
	tk := NewTokenizer()
	var tbuf []token
	us := make([][]unit, len(docs))
	for i, d := range docs {
		tbuf = tk.tokens(d.Text, tbuf)
		us[i] = append([]unit(nil), units(tbuf, nil)...)
	}
	m := &Model{Docs: len(docs), k: o.Themes}
	m.phrases = learnPhrases(us, max(4, len(docs)/1000))
	df := map[string]int{}
	surfaces := map[string]map[string]int{}
	for i := range us {
		us[i] = m.phrases.apply(us[i])
		seen := map[string]bool{}
		for _, u := range us[i] {
			s := surfaces[u.key]
			if s == nil {
				s = map[string]int{}
				surfaces[u.key] = s
			}
			s[u.surface]++
			if !seen[u.key] {
				seen[u.key] = true
				df[u.key]++
			}
		}
	}
	var cands []termCand
	maxDF := int(o.MaxDFShare * float64(len(docs)))
	for k, n := range df {
		if n >= o.MinDF && n <= max(maxDF, o.MinDF) {
			cands = append(cands, termCand{k, n})
		}
	}
	slices.SortFunc(cands, func(a, b termCand) int {
		if c := cmp.Compare(b.df, a.df); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
	if len(cands) > o.MaxTerms {
		cands = cands[:o.MaxTerms]
	}
	m.vocab = make(map[string]int32, len(cands))
	m.idf = make([]float32, len(cands))
	labels := make([]string, len(cands))
	for j, c := range cands {
		m.vocab[c.key] = int32(j)
		m.idf[j] = float32(math.Log(float64(1+len(docs))/float64(1+c.df)) + 1)
		labels[j] = mostFrequent(surfaces[c.key])
	}
	m.Terms = len(cands)
	x := &sparse{ptr: make([]int, 1, len(docs)+1), cols: len(cands)}
	counts := map[int32]int{}
	for _, d := range us {
		idx, val := m.vector(d, counts, nil, nil)
		if len(idx) == 0 {
			continue
		}
		x.idx = append(x.idx, idx...)
		x.val = append(x.val, val...)
		x.ptr = append(x.ptr, len(x.idx))
	}
	if x.rows() < 2*o.Themes || x.cols < o.Themes {
		return nil, ErrTooFew
	}
	// NMF finds a local optimum: keep the best of a few starts.
	var f factors
	bestErr := math.Inf(1)
	starts := 3
	if x.rows() > 10_000 {
		starts = 1 // a large sample makes the start stable enough
	}
	for start := range starts {
		var progress func(done, total int)
		if o.Progress != nil {
			progress = func(done, total int) { o.Progress(start*total+done, starts*total) }
		}
		g := fitNMF(x, o.Themes, o.Iterations, o.Seed+uint64(start), progress)
		if e := g.err; e < bestErr {
			f, bestErr = g, e
		}
	}
	m.ht = f.ht
	m.hh = make([]float64, o.Themes*o.Themes)
	gram(m.ht, x.cols, o.Themes, m.hh)
	m.Themes = make([]Theme, o.Themes)
	for l := range o.Themes {
		m.Themes[l] = m.describe(l, cands, labels)
	}
	return m, nil
}

type termCand struct {
	key string
	df  int
}

// describe lists the most telling terms of theme l: an expression hides the
// words it contains, and the label is the first three terms.
func (m *Model) describe(l int, cands []termCand, labels []string) Theme {
	k := m.k
	order := make([]int, len(cands))
	for j := range order {
		order[j] = j
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(m.ht[b*k+l], m.ht[a*k+l]) })
	var th Theme
	var keys []string
	for _, j := range order {
		if len(th.Terms) == 8 || m.ht[j*k+l] <= 1e-4 {
			break
		}
		key := cands[j].key
		covered := false
		for _, other := range keys {
			if containsWords(other, key) || containsWords(key, other) {
				covered = true
				break
			}
		}
		if covered {
			continue
		}
		keys = append(keys, key)
		th.Terms = append(th.Terms, Term{Label: labels[j], Weight: m.ht[j*k+l], Phrase: strings.Contains(key, " ")})
	}
	// Expressions first: "conseillers numériques" says more than "conseiller".
	shown := slices.Clone(th.Terms)
	slices.SortStableFunc(shown[:min(len(shown), 5)], func(a, b Term) int {
		if a.Phrase != b.Phrase {
			if a.Phrase {
				return -1
			}
			return 1
		}
		return 0
	})
	var parts []string
	for _, t := range shown[:min(3, len(shown))] {
		parts = append(parts, t.Label)
	}
	th.Label = strings.Join(parts, ", ")
	return th
}

// containsWords reports whether the expression key a holds every word of b.
func containsWords(a, b string) bool {
	if !strings.Contains(a, " ") {
		return false
	}
	words := strings.Fields(a)
	for _, w := range strings.Fields(b) {
		if !slices.Contains(words, w) {
			return false
		}
	}
	return true
}

func mostFrequent(m map[string]int) string {
	best, n := "", -1
	for s, c := range m {
		if c > n || c == n && s < best {
			best, n = s, c
		}
	}
	return best
}

// vector returns the TF-IDF vector of a text's units, of unit length, with
// sorted indices: (1 + ln tf) × idf.
func (m *Model) vector(us []unit, counts map[int32]int, idx []int32, val []float32) ([]int32, []float32) {
	clear(counts)
	for _, u := range us {
		if j, ok := m.vocab[u.key]; ok {
			counts[j]++
		}
	}
	idx, val = idx[:0], val[:0]
	for j := range counts {
		idx = append(idx, j)
	}
	slices.Sort(idx)
	norm := 0.0
	for _, j := range idx {
		v := (1 + math.Log(float64(counts[j]))) * float64(m.idf[j])
		val = append(val, float32(v))
		norm += v * v
	}
	norm = math.Sqrt(norm)
	for i := range val {
		val[i] = float32(float64(val[i]) / norm)
	}
	return idx, val
}

// Weight is the weight of a text in one theme (the index in Model.Themes).
type Weight struct {
	Theme  int
	Weight float64
}

// Membership thresholds: a text belongs to a theme when its weight there is
// at least MinWeight and at least MinShare of its strongest theme; at most
// MaxThemes themes per text.
const (
	MinWeight = 0.12
	MinShare  = 0.35
	MaxThemes = 4
)

// Assigner places texts in the themes of a model. It is not safe for
// concurrent use: each goroutine makes its own.
type Assigner struct {
	m      *Model
	tk     *Tokenizer
	tbuf   []token
	ubuf   []unit
	counts map[int32]int
	idx    []int32
	val    []float32
	a, w   []float64
}

// NewAssigner returns an Assigner on m.
func (m *Model) NewAssigner() *Assigner {
	return &Assigner{m: m, tk: NewTokenizer(), counts: map[int32]int{}, a: make([]float64, m.k), w: make([]float64, m.k)}
}

// Weights returns the non-negative weights of text on every theme (the
// least-squares fit of its TF-IDF vector by the themes), or nil when the
// text has no term of the vocabulary. The slice is reused by the next call.
func (as *Assigner) Weights(text string) []float64 {
	m, k := as.m, as.m.k
	as.tbuf = as.tk.tokens(text, as.tbuf)
	as.ubuf = m.phrases.apply(units(as.tbuf, as.ubuf))
	as.idx, as.val = m.vector(as.ubuf, as.counts, as.idx, as.val)
	if len(as.idx) == 0 {
		return nil
	}
	clear(as.a)
	for p, j := range as.idx {
		h := m.ht[int(j)*k : int(j)*k+k]
		for l := range k {
			as.a[l] += float64(as.val[p]) * h[l]
		}
	}
	for l := range k {
		as.w[l] = math.Max(0, as.a[l])
	}
	updateRow(as.w, as.a, m.hh, k, 25, 0)
	return as.w
}

// Assign returns the themes text belongs to, strongest first.
func (as *Assigner) Assign(text string) []Weight {
	return Members(as.Weights(text), nil)
}

// Members applies the membership thresholds to the weights of one text,
// appending to out, strongest first.
func Members(w []float64, out []Weight) []Weight {
	out = out[:0]
	top := 0.0
	for _, v := range w {
		top = math.Max(top, v)
	}
	for l, v := range w {
		if v >= MinWeight && v >= MinShare*top {
			out = append(out, Weight{l, v})
		}
	}
	slices.SortFunc(out, func(a, b Weight) int { return cmp.Compare(b.Weight, a.Weight) })
	if len(out) > MaxThemes {
		out = out[:MaxThemes]
	}
	return out
}

// Phrases returns the number of expressions the model learnt.
func (m *Model) Phrases() int { return m.phrases.Count() }
