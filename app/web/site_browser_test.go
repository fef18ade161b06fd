package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestSiteJourneyInBrowser follows a newcomer: the home page with its axes,
// an axis, the Hubs and one Hub, with axe-core on each page.
func TestSiteJourneyInBrowser(t *testing.T) {
	a := newTestApp(t, nil)
	b := newBrowser(t, a)

	b.run(chromedp.Navigate(b.base + "/"))
	if h1 := b.text("h1"); !strings.Contains(h1, "inclusion numérique") {
		t.Errorf("home h1 = %q", h1)
	}
	b.checkA11y("home")

	b.run(chromedp.Click(chromedp.CSS(`a[href="/axes/formation-structuration-filiere"]`)), chromedp.WaitVisible(chromedp.CSS("h1")))
	if h1 := b.text("h1"); h1 != "Formation et structuration de la filière professionnelle" {
		t.Errorf("axis h1 = %q", h1)
	}
	b.checkA11y("axis")

	b.run(chromedp.Navigate(b.base+"/hubs"), chromedp.Click(chromedp.CSS(`a[href="/hubs/rhinocc"]`)), chromedp.WaitVisible(chromedp.CSS("h1")))
	if h1 := b.text("h1"); h1 != "RhinOcc" {
		t.Errorf("hub h1 = %q", h1)
	}
	if !strings.Contains(b.text("main"), "Région Occitanie") {
		t.Error("hub page does not list its territory")
	}
	b.checkA11y("hub")

	b.run(chromedp.Navigate(b.base + "/hubs"))
	b.checkA11y("hubs")
	b.run(chromedp.Navigate(b.base + "/nulle-part"))
	if h1 := b.text("h1"); h1 != "Page non trouvée" {
		t.Errorf("404 h1 = %q", h1)
	}
	b.checkA11y("404")
}
