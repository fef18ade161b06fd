package contribution

import (
	"strings"
	"testing"
)

// excerptByRunes is the first definition of Excerpt, over a copy of the
// characters: the reference of the single walk that replaced it.
func excerptByRunes(body string) string {
	r := []rune(body)
	if len(r) <= 220 {
		return body
	}
	cut := 220
	for cut > 160 && r[cut] != ' ' && r[cut] != '\n' {
		cut--
	}
	return string(r[:cut]) + "…"
}

func TestExcerpt(t *testing.T) {
	words := []string{"médiation", "numérique", "à", "l'école", "ça", "💡", "France", "services", "\n", "a"}
	var bodies []string
	for n := 0; n < 300; n++ { // every length around the cut, in characters
		bodies = append(bodies, strings.Repeat("é", n), strings.Repeat("a", n))
	}
	for seed := 0; seed < 400; seed++ { // words of different widths, spaces anywhere near the cut
		var b strings.Builder
		for i := uint(seed); b.Len() < 200+seed*2; i = i*7 + 3 {
			b.WriteString(words[i%uint(len(words))])
			if i%3 != 0 {
				b.WriteByte(' ')
			}
		}
		bodies = append(bodies, b.String())
	}
	bodies = append(bodies, strings.Repeat("a", 170)+" "+strings.Repeat("b", 100), // the space nearest the cut
		strings.Repeat("x", 300)) // no space at all: cut at 220
	for _, body := range bodies {
		if got, want := (View{Contribution: Contribution{Body: body}}).Excerpt(), excerptByRunes(body); got != want {
			t.Fatalf("Excerpt(%q)\n = %q\nwant %q", body, got, want)
		}
	}
	if got := (View{Contribution: Contribution{Body: strings.Repeat("a", 170) + " " + strings.Repeat("b", 100)}}).Excerpt(); got != strings.Repeat("a", 170)+"…" {
		t.Errorf("cut on the last space before 220 characters: %q", got)
	}
}

func BenchmarkExcerpt(b *testing.B) {
	v := View{Contribution: Contribution{Body: strings.Repeat("La médiation numérique à l'école ", 8)}}
	for b.Loop() {
		_ = v.Excerpt()
	}
}

func BenchmarkExcerptByRunes(b *testing.B) {
	body := strings.Repeat("La médiation numérique à l'école ", 8)
	for b.Loop() {
		_ = excerptByRunes(body)
	}
}
