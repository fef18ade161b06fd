package web

import (
	"bytes"
	"html/template"
	"strings"
	"testing"
)

// TestCardsHTMLEqualTemplates checks that the cards written by Go are byte
// for byte those of the templates, on texts made to be escaped and on every
// combination of the flags that change the markup.
func TestCardsHTMLEqualTemplates(t *testing.T) {
	r, err := NewRenderer(viewsFS(), templateFuncs())
	if err != nil {
		t.Fatal(err)
	}
	tpl := r.pages[tplContributionList]
	hostile := []string{"", "Médiation & <b>inclusion</b>", `"guillemets" et 'apostrophes' + plus`, "nul\x00octet", "é€😀 > fin",
		"<script>alert(1)</script>", "a+b=c&d"}
	backs := []string{"/contributions?axe=1&tri=soutiens", "/contributions?q=m%C3%A9diation+num%C3%A9rique&page=2", `/x?"'<>`, "/"}
	var cards []card
	i := 0
	for _, flags := range []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 15, 16, 31, 32, 34, 44, 63, 64, 96, 127, 160, 224, 255} {
		for _, text := range hostile {
			i++
			c := card{ID: int64(i), Title: text + " titre", Excerpt: text, HubProposal: flags&1 != 0, Assisted: flags&2 != 0,
				Byline: "Hub « Bretagne » " + text, Details: "Finistère · 29 novembre 2026 · 3 arguments",
				Support: supportView{ID: int64(i), Count: i * 7, Unit: "soutiens", Supported: flags&4 != 0, Own: flags&8 != 0,
					SignedIn: flags&16 != 0, Open: flags&32 != 0, CSRF: "jeton+/=" + text, Back: backs[i%len(backs)]}}
			if flags&64 != 0 {
				c.AxisLabel, c.ReactionLabel, c.ReactsToTitle = "Axe 1 : "+text, "complète", text+" réaction"
			}
			if flags&128 != 0 {
				c.TitleHTML = template.HTML("<mark>Médiation</mark> " + template.HTMLEscapeString(text))
				c.ExcerptHTML = template.HTML("… la <mark>médiation</mark> …")
			}
			cards = append(cards, c)
		}
	}
	var want bytes.Buffer
	for _, c := range cards {
		if err := tpl.ExecuteTemplate(&want, "contribution-card", c); err != nil {
			t.Fatal(err)
		}
	}
	got := string(listView{Cards: cards}.CardsHTML())
	sameHTML(t, "cards", got, want.String())
	if !strings.Contains(got, "&lt;script&gt;") || strings.Contains(got, "<script>") || !strings.Contains(got, "/connexion?retour=%2fcontributions%3faxe%3d1%26tri%3dsoutiens") {
		t.Error("escaping not exercised as expected")
	}
}
