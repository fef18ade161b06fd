package topic

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// syntheticDocs mixes the sentences of the test corpus into n texts.
func syntheticDocs(t testing.TB, n int) []Doc {
	var sentences []string
	for _, c := range loadCorpus(t) {
		for _, s := range strings.SplitAfter(c.Body, ". ") {
			sentences = append(sentences, s)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	docs := make([]Doc, n)
	for i := range docs {
		var b strings.Builder
		for range 2 + r.IntN(4) {
			b.WriteString(sentences[r.IntN(len(sentences))])
		}
		docs[i] = Doc{ID: int64(i), Text: b.String()}
	}
	return docs
}

func BenchmarkFit30k(b *testing.B) {
	docs := syntheticDocs(b, 30_000)
	b.ResetTimer()
	for range b.N {
		if _, err := Fit(docs, Options{Themes: 12}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAssign(b *testing.B) {
	docs := syntheticDocs(b, 30_000)
	m, err := Fit(docs, Options{Themes: 12})
	if err != nil {
		b.Fatal(err)
	}
	as := m.NewAssigner()
	b.ResetTimer()
	for i := range b.N {
		as.Assign(docs[i%len(docs)].Text)
	}
}
