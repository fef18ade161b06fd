package web

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/app/indexing"
	"github.com/cnr-numerique/concertation/search"
)

// TestSearchInTheList searches the list as the newcomer would: words
// without accents, a typo, a phrase with an exclusion, combined with an axis
// and a région in the URL, and a search that finds nothing.
func TestSearchInTheList(t *testing.T) {
	a := newTestApp(t, nil)
	u := a.newUser("lea@example.org", "Léa")
	a.signIn(u.ID)
	axe1, axe3 := "gouvernance-finances-modeles-economiques", "formation-structuration-filiere"
	propose := func(axis, territory, title, body string) string {
		return a.propose(url.Values{"entree": {"libres"}, "axe": {axis}, "territoire": {territory}, "titre": {title}, "texte": {body}})
	}
	mediateurs := propose(axe3, "region:53", "Former les médiateurs numériques", "Les médiateurs numériques ont besoin d'une formation reconnue et d'un vrai métier.")
	conseillers := propose(axe3, "region:76", "Pérenniser les conseillers numériques", "Les conseillers numériques doivent être financés dans la durée.")
	coordinateurs := propose(axe3, "region:53", "Des coordinateurs pour les conseillers numériques", "Les conseillers numériques et leurs coordinateurs travaillent ensemble.")
	financement := propose(axe1, "region:53", "Un fonds pour les territoires", "Hybrider les financements publics et privés.")

	// serve runs the outbox worker: it also feeds the dictionary of known
	// words that corrects typing mistakes.
	w := &indexing.Worker{DB: a.deps.DB.SQL(), Engine: search.NewPostgres(a.deps.DB.SQL())}
	for {
		n, err := w.Drain(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}

	contains := func(body, path string) bool { return strings.Contains(body, `href="`+path+`"`) }
	tests := []struct {
		name      string
		query     url.Values
		want, not []string
		text      []string
	}{
		{"accents ignored", url.Values{"q": {"mediateur"}}, []string{mediateurs}, []string{conseillers, financement}, []string{"<mark>"}},
		{"typo corrected", url.Values{"q": {"formaton"}}, []string{mediateurs}, nil, []string{"Résultats pour « <strong>formation</strong> »"}},
		{"phrase and exclusion", url.Values{"q": {`"conseillers numériques" -coordinateurs`}}, []string{conseillers}, []string{coordinateurs, mediateurs}, nil},
		{"with axis and région", url.Values{"q": {"numériques"}, "axe": {axe3}, "region": {"53"}}, []string{mediateurs, coordinateurs}, []string{conseillers, financement}, nil},
		{"nothing found", url.Values{"q": {"zythum"}}, nil, []string{mediateurs, conseillers, coordinateurs, financement}, []string{"Aucun résultat pour « zythum »", "Vérifiez l'orthographe"}},
		{"hostile text is escaped", url.Values{"q": {`"><script>alert(1)</script>`}}, nil, nil, []string{"&lt;script&gt;alert(1)&lt;/script&gt;"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := a.get("/contributions?" + tt.query.Encode())
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			for _, p := range tt.want {
				if !contains(body, p) {
					t.Errorf("%s not found", p)
				}
			}
			for _, p := range tt.not {
				if contains(body, p) {
					t.Errorf("%s found, should not be", p)
				}
			}
			for _, s := range tt.text {
				if !strings.Contains(body, s) {
					t.Errorf("page lacks %q", s)
				}
			}
			if strings.Contains(body, "<script>alert(1)") {
				t.Error("unescaped script in the page")
			}
		})
	}

	// The search box keeps the text, and the share link reproduces the view.
	_, body := a.get("/contributions?q=conseillers&tri=soutiens")
	if !strings.Contains(body, `name="q" value="conseillers"`) {
		t.Error("the search box does not keep the text")
	}
	if !strings.Contains(body, "q=conseillers") || !strings.Contains(body, "tri=soutiens") {
		t.Error("the share link loses the search or the sort")
	}
	// A withdrawn contribution disappears from the results: the database decides.
	resp, _ := a.post(mediateurs+"/retirer", nil)
	if resp.StatusCode >= 400 {
		t.Fatalf("withdraw: %d", resp.StatusCode)
	}
	_, body = a.get("/contributions?q=mediateur")
	if contains(body, mediateurs) {
		t.Error("a withdrawn contribution is still found")
	}
}
