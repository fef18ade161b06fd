package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestModerationJourneyInBrowser follows a citizen who reports a
// contribution, a moderator who hides it then restores it from the public
// log, and an administrator reading the audit log; axe-core on each page.
func TestModerationJourneyInBrowser(t *testing.T) {
	f := newModFix(t)
	author := f.user("Autrice")
	citizen := f.user("Citoyen")
	mod := f.user("Modératrice", "moderator")
	admin := f.user("Administrateur", "admin")
	c := f.contribution(author, "Une contribution à examiner")
	b := newBrowser(t, f.testApp)
	// Forms are checked against BASE_URL's origin: make it the served one
	// (the running server shares this *url.URL).
	base, err := url.Parse(b.base)
	if err != nil {
		t.Fatal(err)
	}
	*f.deps.Config.BaseURL = *base
	signInAs := func(id int64) {
		sess, err := f.deps.Sessions.Create(context.Background(), &id, nil)
		if err != nil {
			t.Fatal(err)
		}
		// The page's script may set the cookie: the server reads it the same.
		b.run(chromedp.Navigate(b.base+"/accessibilite"),
			chromedp.Evaluate[chromedp.Void](fmt.Sprintf("document.cookie = 'session=%s; path=/'", sess.Token)))
	}

	signInAs(citizen)
	b.run(chromedp.Navigate(fmt.Sprintf("%s/contributions/%d/signaler", b.base, c)), chromedp.WaitVisible(chromedp.CSS("h1")))
	b.checkA11y("report form")
	b.run(chromedp.Click(chromedp.CSS(`label[for="raison-spam"]`)),
		chromedp.Click(chromedp.CSS(`main button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(`main a[href="/moderation/journal"]`)))
	if h1 := b.text("h1"); !strings.Contains(h1, "Merci") {
		t.Fatalf("after report: %q", h1)
	}
	b.checkA11y("report done")

	signInAs(mod)
	b.run(chromedp.Navigate(b.base+"/moderation"), chromedp.WaitVisible(chromedp.CSS("h1")))
	if !strings.Contains(b.text("main"), "Une contribution à examiner") {
		t.Fatal("the reported contribution is not in the queue")
	}
	b.checkA11y("queue")
	anchor := fmt.Sprintf("#contribution-%d", c)
	b.run(chromedp.SetValue(chromedp.CSS(anchor+"-motif"), "hors-sujet"),
		chromedp.SendKeys(chromedp.CSS(anchor+"-precision"), "sans rapport avec l'axe"),
		chromedp.Click(chromedp.CSS(anchor+` form[action$="/masquer"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".fr-alert--success")))
	if got := f.text(`SELECT hidden_reason FROM contributions WHERE id = ?`, c); got != "hors sujet (sans rapport avec l'axe)" {
		t.Errorf("hidden reason %q", got)
	}

	b.run(chromedp.Navigate(b.base+"/moderation/journal"), chromedp.WaitVisible(chromedp.CSS("h1")))
	if !strings.Contains(b.text("table"), "masquée par la modération : hors sujet (sans rapport avec l'axe)") {
		t.Errorf("journal: %q", b.text("table"))
	}
	b.checkA11y("journal")
	b.run(chromedp.Click(chromedp.CSS(`form[action$="/retablir"] button`)), chromedp.WaitVisible(chromedp.CSS(".fr-alert--success")))
	if got := f.text(`SELECT status FROM contributions WHERE id = ?`, c); got != "published" {
		t.Errorf("after restore from the journal: %s", got)
	}

	signInAs(author)
	b.run(chromedp.Navigate(b.base+"/compte/notifications"), chromedp.WaitVisible(chromedp.CSS("h1")))
	if !strings.Contains(b.text("main"), "de nouveau visible") {
		t.Errorf("notifications: %q", b.text("main"))
	}
	b.checkA11y("notifications")

	signInAs(admin)
	b.run(chromedp.Navigate(b.base+"/admin/journal"), chromedp.WaitVisible(chromedp.CSS("h1")))
	if text := b.text("table"); !strings.Contains(text, "Masquage par la modération") || !strings.Contains(text, "Rétablissement") {
		t.Errorf("audit: %q", text)
	}
	b.checkA11y("audit")
}
