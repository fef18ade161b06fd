package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestMediatorJourneyOnAPhoneInBrowser follows a médiateur on a phone-sized
// screen (375 × 667) with a person at their side: their space, the form
// (refused without the person's consent, then published), the receipt with
// its code, printed (print styles and a real PDF), the public page of the
// contribution, then the person's support recorded from it. axe-core checks
// every page; no page scrolls sideways; every field has a visible label and
// an example.
func TestMediatorJourneyOnAPhoneInBrowser(t *testing.T) {
	f := newMedFix(t)
	author := f.user("Autrice")
	other := f.contribution(author, "Des bornes dans les mairies")
	b := newAccountBrowser(t, f.testApp)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	sess, err := f.deps.Sessions.Create(context.Background(), &f.mediator, nil)
	if err != nil {
		t.Fatal(err)
	}
	b.run(chromedp.EmulateViewport(375, 667, chromedp.EmulateMobile),
		chromedp.Navigate(b.base+"/accessibilite"),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf("document.cookie = 'session=%s; path=/'", sess.Token)))
	fits := func(page string) {
		t.Helper()
		if w := b.eval(`String(document.documentElement.scrollWidth <= window.innerWidth) + ' ' + document.documentElement.scrollWidth`); !strings.HasPrefix(w, "true") {
			t.Errorf("%s scrolls sideways on a phone: %s px", page, w)
		}
	}
	labelled := func(page string) {
		t.Helper()
		var problems []string
		if err := json.Unmarshal([]byte(b.eval(fieldsWithoutLabelOrHint)), &problems); err != nil {
			t.Fatal(err)
		}
		if len(problems) > 0 {
			t.Errorf("%s:\n  %s", page, strings.Join(problems, "\n  "))
		}
	}

	b.run(chromedp.Navigate(b.base+"/mediation"), chromedp.WaitVisible(css("h1")))
	if h1 := b.text("h1"); h1 != "Espace médiateur numérique" {
		t.Fatalf("h1 %q", h1)
	}
	b.checkA11y("médiateur space")
	fits("médiateur space")
	if wide := b.eval(`String(document.querySelector('main a[href="/mediation/contribution"]').getBoundingClientRect().width >= 100)`); wide != "true" {
		t.Error("the main button shows its icon only: its words are hidden")
	}

	b.run(chromedp.Click(css(`main a[href="/mediation/contribution"]`)), chromedp.WaitVisible(css("#accord")))
	b.checkA11y("assisted form")
	fits("assisted form")
	labelled("assisted form")
	b.run(
		chromedp.SendKeys(css("#prenom"), "Marie"),
		chromedp.SetValue(css("#categorie"), "citoyen"),
		chromedp.SetValue(css("#axe"), axisForm),
		chromedp.SendKeys(css("#titre"), "Une aide pour mes papiers"),
		chromedp.SendKeys(css("#texte"), "Je n'ai pas d'ordinateur. J'ai besoin d'aide près de chez moi."),
		chromedp.Click(css(`main form button[type="submit"]`)),
		chromedp.WaitVisible(css(".fr-alert--error")),
	)
	if msg := b.text(".fr-alert--error"); !strings.Contains(msg, "Sans l'accord de la personne, rien n'est enregistré") {
		t.Errorf("without consent: %q", msg)
	}
	b.checkA11y("assisted form with its problems")
	if n := f.scalar(`SELECT count(*) FROM contributions WHERE assisted`); n != 0 {
		t.Fatal("published without consent")
	}
	b.run(chromedp.Click(css(`label[for="accord"]`)), chromedp.Click(css(`main form button[type="submit"]`)), chromedp.WaitVisible(css("#code-recu")))

	code := b.text("#code-recu")
	if !regexp.MustCompile(`^\d{4} \d{4} \d{4}$`).MatchString(code) {
		t.Fatalf("code on the receipt: %q", code)
	}
	b.checkA11y("receipt")
	fits("receipt")
	// The print button appears with JavaScript; printing hides the site's
	// header, footer and buttons, keeps the code, and gives a PDF.
	b.run(chromedp.WaitVisible(css("[data-print]")))
	if wide := b.eval(`String(document.querySelector('[data-print]').getBoundingClientRect().width >= 100)`); wide != "true" {
		t.Error("the print button shows its icon only: its words are hidden")
	}
	b.run(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	}))
	shown := b.eval(`[document.querySelector('header.fr-header'), document.querySelector('footer'), document.querySelector('[data-print]'), document.querySelector('#code-recu')]
		.map(e => e.getClientRects().length === 0 ? 'caché' : 'visible').join(' ')`)
	if shown != "caché caché caché visible" {
		t.Errorf("printed receipt (header, footer, button, code): %s", shown)
	}
	pdf, err := chromedp.Run(b.ctx, chromedp.Action[[]byte](func(ctx context.Context, tg *chromedp.Target) ([]byte, error) {
		res, err := cdp.Call(ctx, tg, page.PrintToPDF, page.PrintToPDFParams{})
		return res.Data, err
	}))
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF")) || len(pdf) < 1000 {
		t.Errorf("printing the receipt: %d bytes, %v", len(pdf), err)
	}
	b.run(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
		return err
	}))

	// The public page: the mark, the person's first name, never the médiateur.
	b.run(chromedp.Click(css(`main a.fr-btn--secondary[href^="/contributions/"]`)), chromedp.WaitVisible(css(".contribution-body")))
	meta := b.text(".contribution-meta")
	if badges := b.eval(`document.querySelector('.fr-badges-group').textContent`); !strings.Contains(badges, "Contribution accompagnée") ||
		!strings.Contains(meta, "Proposée par Marie") || !strings.Contains(meta, "Écrite avec l'aide d'un médiateur numérique") ||
		strings.Contains(b.text("main"), "Quimper centre") {
		t.Errorf("contribution page: %q, badges %q", meta, badges)
	}
	if txt := b.text("#soutien-accompagne"); !strings.Contains(txt, "Marie a écrit cette contribution. On ne peut pas soutenir sa propre contribution.") || strings.Contains(txt, "Enregistrer le soutien de Marie") {
		t.Errorf("Marie is offered to support her own contribution: %q", txt)
	}
	b.checkA11y("contribution accompagnée")
	fits("contribution accompagnée")

	// Marie supports another contribution, from its page.
	b.run(chromedp.Navigate(fmt.Sprintf("%s/contributions/%d", b.base, other)), chromedp.WaitVisible(css("#soutien-accompagne")))
	b.run(chromedp.Click(css(`#soutien-accompagne button[value="ajouter"]`)), chromedp.WaitVisible(css("#soutien-accompagne .fr-alert--success")))
	if txt := b.text("#soutien-accompagne"); !strings.Contains(txt, "Retirer le soutien de Marie") {
		t.Errorf("after the support: %q", txt)
	}
	b.checkA11y("contribution page with the médiateur's section")
	fits("contribution page with the médiateur's section")
	if n := f.scalar(`SELECT supports FROM contribution_counters WHERE contribution_id = ?`, other); n != 1 {
		t.Errorf("supports %d", n)
	}

	// Another person at the side: their consent first.
	b.run(chromedp.Click(css(`#soutien-accompagne a[href^="/mediation/personnes/nouvelle"]`)), chromedp.WaitVisible(css("#accord")))
	b.checkA11y("person form")
	labelled("person form")
	fits("person form")
	b.run(chromedp.SetValue(css("#categorie"), "association"), chromedp.Click(css(`label[for="accord"]`)),
		chromedp.Click(css(`main form button[type="submit"]`)), chromedp.WaitVisible(css("#soutien-accompagne")))
	if n := strings.Count(b.text("#soutien-accompagne"), "Enregistrer le soutien de Personne n°"); n != 1 {
		t.Errorf("the new person is not offered: %q", b.text("#soutien-accompagne"))
	}
}
