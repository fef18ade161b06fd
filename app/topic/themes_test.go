package topic

import (
	"bufio"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

type labelled struct {
	ID       int64    `json:"id"`
	Title    string   `json:"title"`
	Body     string   `json:"body"`
	Subjects []string `json:"subjects"`
}

func loadCorpus(t testing.TB) []labelled {
	t.Helper()
	f, err := os.Open("testdata/contributions.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var c labelled
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

func TestRawWordsSplitsElisions(t *testing.T) {
	got := rawWords("L'accès aux droits, aujourd'hui : jusqu'à l’État qu'il n'a pas ; lorsqu'on puisqu'elle s'inscrit d'abord c'est m'aider t'aider j'ai e-administration")
	want := []string{"l'", "accès", "aux", "droits", "", "aujourd'hui", "", "jusqu'", "à", "l'", "état", "qu'", "il", "n'", "a", "pas", "",
		"lorsqu'", "on", "puisqu'", "elle", "s'", "inscrit", "d'", "abord", "c'", "est", "m'", "aider", "t'", "aider", "j'", "ai", "e", "administration"}
	if !slices.Equal(got, want) {
		t.Errorf("rawWords:\n got %q\nwant %q", got, want)
	}
}

func TestTokensDropStopWordsAndPhrases(t *testing.T) {
	tk := NewTokenizer()
	var stems []string
	for _, tok := range tk.tokens("Aujourd'hui, il faut mettre en place les bonnes pratiques de la médiation numérique en 2026 : https://exemple.fr", nil) {
		if tok.stem != "" {
			stems = append(stems, tok.word)
		}
	}
	if !slices.Equal(stems, []string{"médiation", "numérique"}) {
		t.Errorf("theme words %q, want only médiation numérique", stems)
	}
}

func TestPhrasesKeepTheirLinkers(t *testing.T) {
	var docs []Doc
	verbs := []string{"Faciliter", "Garantir", "Améliorer", "Simplifier", "Défendre", "Protéger", "Élargir", "Ouvrir", "Rétablir", "Préserver"}
	whose := []string{"des habitants", "des familles", "des retraités", "de tous", "des jeunes", "des salariés", "des patients", "des usagers"}
	for i := range 40 {
		docs = append(docs, Doc{ID: int64(i), Text: verbs[i%10] + " l'accès aux droits " + whose[i%8] + ". Les conseillers numériques viennent le " + []string{"lundi", "mardi", "jeudi"}[i%3] + "."})
		docs = append(docs, Doc{ID: int64(100 + i), Text: "Les habitants du village parlent du marché, des écoles, des droits et du bus. L'accès est facile."})
	}
	tk := NewTokenizer()
	var us [][]unit
	for _, d := range docs {
		us = append(us, units(tk.tokens(d.Text, nil), nil))
	}
	p := learnPhrases(us, 3)
	var surfaces []string
	for _, u := range p.apply(units(tk.tokens(docs[0].Text, nil), nil)) {
		surfaces = append(surfaces, u.surface)
	}
	if !slices.Contains(surfaces, "accès aux droits") || !slices.Contains(surfaces, "conseillers numériques") {
		t.Errorf("expressions %q, want « accès aux droits » and « conseillers numériques »", surfaces)
	}
}

// TestThemesRecoverSubjects fits eight themes on the hand-written corpus
// (336 contributions on eight subjects, 64 of them on two subjects) and
// checks, for each subject, the theme that matches it best: precision (its
// members on the subject) and recall (the subject's contributions in it).
//
// Measured when written (eight themes, seed 1): precision 1.00 for seven
// subjects and 0.96 for "données"; recall 1.00 (médiation, formation), 0.98
// (données, accessibilité), 0.96 (financement), 0.94 (jeunesse), 0.92
// (équipement, cybersécurité). The bound of 0.85 leaves room for small changes
// of the stop words, not for a broken pipeline.
func TestThemesRecoverSubjects(t *testing.T) {
	corpus := loadCorpus(t)
	if len(corpus) < 300 {
		t.Fatalf("corpus of %d contributions, want at least 300", len(corpus))
	}
	docs := make([]Doc, len(corpus))
	subjectDocs := map[string]map[int64]bool{}
	for i, c := range corpus {
		docs[i] = Doc{ID: c.ID, Text: c.Title + "\n" + c.Body}
		for _, s := range c.Subjects {
			if subjectDocs[s] == nil {
				subjectDocs[s] = map[int64]bool{}
			}
			subjectDocs[s][c.ID] = true
		}
	}
	m, err := Fit(docs, Options{Themes: 8})
	if err != nil {
		t.Fatal(err)
	}
	members := make([]map[int64]bool, len(m.Themes))
	for l := range members {
		members[l] = map[int64]bool{}
	}
	as := m.NewAssigner()
	multi := 0
	for _, d := range docs {
		ws := as.Assign(d.Text)
		if len(ws) > 1 {
			multi++
		}
		for _, w := range ws {
			members[w.Theme][d.ID] = true
		}
	}
	for l, th := range m.Themes {
		t.Logf("theme %d (%d): %s", l, len(members[l]), th.Label)
		if strings.Contains(th.Label, "hui") || th.Label == "" {
			t.Errorf("theme %d label %q", l, th.Label)
		}
	}
	for _, s := range []string{"mediation", "financement", "formation", "donnees", "accessibilite", "equipement", "cybersecurite", "jeunesse"} {
		want := subjectDocs[s]
		bestF, bestP, bestR, bestL := 0.0, 0.0, 0.0, -1
		for l := range m.Themes {
			hit := 0
			for id := range members[l] {
				if want[id] {
					hit++
				}
			}
			if hit == 0 {
				continue
			}
			p, r := float64(hit)/float64(len(members[l])), float64(hit)/float64(len(want))
			if f := 2 * p * r / (p + r); f > bestF {
				bestF, bestP, bestR, bestL = f, p, r, l
			}
		}
		t.Logf("%-14s theme %d precision %.2f recall %.2f", s, bestL, bestP, bestR)
		if bestP < 0.85 || bestR < 0.85 {
			t.Errorf("subject %s: best theme %d has precision %.2f, recall %.2f; want both >= 0.85", s, bestL, bestP, bestR)
		}
	}
	// Contributions written on two subjects land in both often enough.
	if multi < 40 {
		t.Errorf("%d contributions in several themes, want at least 40 (64 were written on two subjects)", multi)
	}
}

func TestTermsSkipStopWordsAndBreakAtPunctuation(t *testing.T) {
	var got []string
	NewTokenizer().Terms("Les médiateurs numériques, pour l'inclusion des personnes. Voir https://exemple.fr/x aujourd'hui", func(stem, word string, adjacent bool) {
		if adjacent {
			got = append(got, "+"+word)
		} else {
			got = append(got, word)
		}
	})
	want := "médiateurs +numériques inclusion personnes voir"
	if strings.Join(got, " ") != want {
		t.Errorf("terms %q, want %q", strings.Join(got, " "), want)
	}
}
