package web

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/cnr-numerique/concertation/app/synthesis"
	"github.com/cnr-numerique/concertation/app/synthesis/synthesistest"
)

// TestThemesJourneyInBrowser follows a rapporteur who asks for an analysis
// of the themes, reads the proposed themes once the background job is done,
// renames one, validates it and finds it in the report; axe-core on each page.
func TestThemesJourneyInBrowser(t *testing.T) {
	a := newTestApp(t, nil)
	synthesistest.LoadCorpus(t, a.deps.DB, 0)
	b := rapporteurBrowser(t, a, "rapporteuse@exemple.fr", "Rapporteuse")

	b.run(chromedp.Navigate(b.base+"/synthese"), chromedp.WaitVisible(chromedp.CSS("h1")),
		chromedp.Click(chromedp.CSS(`a[href^="/synthese/themes"]`)), chromedp.WaitVisible(chromedp.CSS("#nombre")))
	b.checkA11y("themes, before any analysis")
	b.run(chromedp.SetValue(chromedp.CSS("#nombre"), "8"),
		chromedp.Click(chromedp.CSS(`form[action="/synthese/themes/analyses"] button`)),
		chromedp.WaitVisible(chromedp.CSS("progress")))
	if !strings.Contains(b.text("main"), "en attente") {
		t.Errorf("the waiting analysis is not shown: %q", b.text("main"))
	}
	// The background worker of serve runs it; here the test plays its part.
	if ran, err := synthesis.NewStore(a.deps.DB, nil).RunNextThemeJob(context.Background()); err != nil || !ran {
		t.Fatalf("run: %v %v", ran, err)
	}
	b.run(chromedp.Click(chromedp.CSS(`a.fr-btn[href="/synthese/themes"]`)), chromedp.WaitVisible(chromedp.CSS(".fr-card__title a")))
	b.checkA11y("themes of an analysis")
	b.run(chromedp.Click(chromedp.CSS(`.fr-card__title a`)), chromedp.WaitVisible(chromedp.CSS("#libelle")))
	b.checkA11y("one theme")
	b.run(chromedp.SetValue(chromedp.CSS("#libelle"), "Accompagnement de proximité"),
		chromedp.Click(chromedp.CSS(`form[action$="/renommer"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".fr-alert--success")),
		chromedp.Click(chromedp.CSS(`label[for="statut-valide"]`)),
		chromedp.Click(chromedp.CSS(`form[action$="/statut"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".fr-badges-group .fr-badge--success"))) // only once validated
	if main := b.text("main"); !strings.Contains(main, "Thème validé") || !strings.Contains(main, "renommé de") {
		t.Errorf("theme page after the edits: %q", main)
	}
	b.run(chromedp.Navigate(b.base+"/synthese/rapport"), chromedp.WaitVisible(chromedp.CSS("#rapport")))
	if !strings.Contains(b.text("#rapport"), "Accompagnement de proximité") {
		t.Error("the validated theme is not in the report")
	}
}
