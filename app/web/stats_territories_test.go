package web

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/app/synthesis/synthesistest"
)

func TestStatisticsShowParticipationPerInhabitant(t *testing.T) {
	a := newTestApp(t, nil)
	synthesistest.Load(t, a.deps.DB)
	stats := a.statistics("/statistiques?axe=3")
	for _, want := range []string{"<caption>Participation par région, pour 100 000 habitants</caption>",
		`href="/statistiques/territoires?axe=formation-structuration-filiere"`} {
		if !strings.Contains(stats, want) {
			t.Errorf("statistics page lacks %q", want)
		}
	}
	if strings.Contains(stats, "Finistère (29) : ") {
		t.Error("the map weighs on the statistics page: it belongs to the territories page")
	}
	body := a.statistics("/statistiques/territoires")
	for _, want := range []string{
		"pour 100 000 habitants", "<svg", "Finistère (29) : ", "Mayotte", "La Réunion", // map with the overseas insets
		"INSEE, populations légales millésimées 2023", "CC BY 4.0", // source and credit
		"<caption>Participation par département, pour 100 000 habitants</caption>", "933\u00a0455", // the table: Finistère's population
		"aucune contribution", // legend
	} {
		if !strings.Contains(body, want) {
			t.Errorf("territories page lacks %q", want)
		}
	}
}

// The statistics page is rendered once for all anonymous visitors of a view
// for a couple of seconds; a change made through the platform shows at once.
func TestStatisticsPageKeptForAnonymousVisitorsAndDroppedOnChange(t *testing.T) {
	a := newTestApp(t, nil)
	synthesistest.Load(t, a.deps.DB)
	visitor := &testApp{t: t, app: a.app, deps: a.deps, jar: map[string]string{}}
	published := int(a.count(`SELECT count(*) FROM contributions WHERE status = 'published'`))
	lead := func(n int) string { return strconv.Itoa(n) + " contributions publiées" }
	_, first := visitor.get("/statistiques")
	_, second := visitor.get("/statistiques")
	for _, body := range []string{first, second} {
		if !strings.Contains(body, lead(published)) || strings.Count(body, "<h1") != 1 || !strings.Contains(body, "</footer>") {
			t.Fatalf("statistics page, first or kept: lacks %q or is not one whole page", lead(published))
		}
	}
	a.signIn(a.newUser("u@exemple.fr", "Ulysse").ID)
	a.propose(url.Values{"entree": {"libres"}, "axe": {"gouvernance-finances-modeles-economiques"},
		"titre": {"Une contribution de plus"}, "texte": {"Texte"}})
	if _, after := visitor.get("/statistiques"); !strings.Contains(after, lead(published+1)) {
		t.Errorf("a new contribution is missing from the statistics anonymous visitors see: want %q", lead(published+1))
	}
}
