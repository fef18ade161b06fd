package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cnr-numerique/concertation/app/contribution"
)

// TestStoredPageInBrowser opens stored contribution pages in Chromium, which
// asks for gzip: the page joined from compressed parts must show whole,
// compressed on the wire. (Chromium does not check the gzip trailer's
// CRC-32, as a changed one showed; TestStoredPageAnswers decompresses with
// Go's standard library, which does.)
func TestStoredPageInBrowser(t *testing.T) {
	f := newPagesFixture(t)
	ctx := f.ctx
	hubID := f.hub()
	lea, jo, member := f.actor("Léa", 0), f.actor("Jo", 0), f.actor("Membre", hubID)
	proposal := f.proposal(member, jo, hubID, "Des lieux « ouverts » & accessibles", "Oui, partout.", "Nous retenons cette idée.")
	free := f.create(lea, contribution.Draft{Entry: contribution.EntryLibres, Title: "Former les agents d'accueil", Body: "Former."})
	for _, a := range []contribution.Actor{jo, member} {
		if _, err := f.s.Contributions.Support(ctx, a, free); err != nil {
			t.Fatal(err)
		}
	}
	f.render("rendering")
	b := newBrowser(t, f.a)
	for _, c := range []struct {
		id    int64
		title string
		shows []string
	}{
		{proposal, "Des lieux « ouverts » & accessibles", []string{"Réponse officielle", "Nous retenons cette idée.", "Oui, partout.", "Arguments (1)"}},
		{free, "Former les agents d'accueil", []string{"2 soutiens", "Proposée par Léa"}},
	} {
		b.run(chromedp.Navigate(fmt.Sprintf("%s/contributions/%d", b.base, c.id)), chromedp.WaitVisible(chromedp.CSS("h1")))
		if h1 := b.text("main h1"); h1 != c.title {
			t.Errorf("page %d: h1 %q, want %q", c.id, h1, c.title)
		}
		main := b.text("main")
		for _, want := range c.shows {
			if !strings.Contains(main, want) {
				t.Errorf("page %d lacks %q:\n%s", c.id, want, main)
			}
		}
		if !strings.Contains(b.text("footer"), "Accessibilité") {
			t.Errorf("page %d: the layout's end is missing", c.id)
		}
		// Compressed on the wire: fewer bytes received than the page holds.
		sizes := b.eval(`(() => { const n = performance.getEntriesByType('navigation')[0]; return n.encodedBodySize + '/' + n.decodedBodySize })()`)
		var enc, dec int
		if _, err := fmt.Sscanf(sizes, "%d/%d", &enc, &dec); err != nil || enc == 0 || enc*2 > dec {
			t.Errorf("page %d: %s bytes received/held, want it compressed", c.id, sizes)
		}
	}
}
