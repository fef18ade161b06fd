package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/synthesis/synthesistest"
)

// rapporteurBrowser opens a browser on a signed in as a new rapporteur; the
// permalinks of the platform point to the browser's address.
func rapporteurBrowser(t *testing.T, a *testApp, email, name string) *browser {
	t.Helper()
	u := a.newUser(email, name)
	if err := a.deps.Accounts.GrantRole(context.Background(), u.ID, account.RoleRapporteur); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, a)
	base, err := url.Parse(b.base)
	if err != nil {
		t.Fatal(err)
	}
	*a.deps.Config.BaseURL = *base
	sess, err := a.deps.Sessions.Create(context.Background(), &u.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	b.run(chromedp.Navigate(b.base+"/accessibilite"),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf("document.cookie = 'session=%s; path=/'", sess.Token)))
	return b
}

// TestSynthesisJourneyInBrowser follows a rapporteur who filters axis 3 and
// the category "élu·e", retains a contribution, tags it and reads the report;
// then the public statistics and open data pages; axe-core on each page.
func TestSynthesisJourneyInBrowser(t *testing.T) {
	a := newTestApp(t, nil)
	synthesistest.Load(t, a.deps.DB)
	b := rapporteurBrowser(t, a, "rapporteur@exemple.fr", "Rapporteur")

	b.run(chromedp.Navigate(b.base+"/synthese"), chromedp.WaitVisible(chromedp.CSS("h1")))
	b.checkA11y("workspace")
	b.run(chromedp.SetValue(chromedp.CSS("#f-axe"), "formation-structuration-filiere"),
		chromedp.SetValue(chromedp.CSS("#f-categorie"), "elu"),
		chromedp.Click(chromedp.CSS(`form.synthesis-filters button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a.fr-btn--tertiary[href="/synthese"]`)))
	if got := b.text(".fr-callout__title"); got != "Sélection : 1 contribution" {
		t.Fatalf("selection: %q", got)
	}
	b.run(chromedp.Click(chromedp.CSS(`.synthesis-list .fr-card__title a`)), chromedp.WaitVisible(chromedp.CSS("#etiquette")))
	b.checkA11y("workspace contribution")
	b.run(chromedp.SendKeys(chromedp.CSS("#etiquette"), "métiers"),
		chromedp.Click(chromedp.CSS(`form[action$="/etiquettes"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".fr-alert--success")))
	if !strings.Contains(b.text("main"), "métiers") {
		t.Error("tag not shown")
	}
	b.run(chromedp.Navigate(b.base+"/synthese/rapport?axe=3&categorie=elu"), chromedp.WaitVisible(chromedp.CSS("#rapport")))
	if !strings.Contains(b.text("#rapport"), "1 contribution, par 1 contributeur distinct") {
		t.Errorf("report: %q", b.text("#rapport"))
	}
	b.checkA11y("report")
	for _, page := range []string{"/statistiques", "/statistiques/definitions", "/donnees"} {
		b.run(chromedp.Navigate(b.base+page), chromedp.WaitVisible(chromedp.CSS("h1")))
		b.checkA11y(page)
	}
}
