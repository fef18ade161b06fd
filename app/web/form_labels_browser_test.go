package web

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/cnr-numerique/concertation/app/account"
)

// fieldsWithoutLabelOrHint is run in the page: every form field of the main
// content (hidden ones and buttons aside) must have a label that is visible
// (not reserved to screen readers) and an example or help text (DSFR's
// fr-hint-text) in that label, in the legend of its group, or linked with
// aria-describedby. It returns a description of each field that lacks one.
const fieldsWithoutLabelOrHint = `(() => {
  const visible = el => {
    const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
    return r.width > 2 && r.height > 2 && cs.visibility !== 'hidden' && cs.display !== 'none' && !el.closest('.fr-sr-only');
  };
  const text = el => !!el && el.textContent.trim() !== '';
  const out = [];
  for (const el of document.querySelectorAll('main input, main select, main textarea')) {
    if (['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type)) continue;
    const name = el.tagName.toLowerCase() + '[name=' + el.name + ']' + (el.id ? '#' + el.id : '');
    const labels = Array.from(el.labels || []).filter(visible);
    if (labels.length === 0) { out.push(name + ': pas d\'étiquette visible'); continue; }
    let hint = labels.map(l => l.querySelector('.fr-hint-text')).find(text);
    if (!hint && (el.type === 'radio' || el.type === 'checkbox')) {
      const fs = el.closest('fieldset');
      hint = fs && fs.querySelector('legend .fr-hint-text');
    }
    if (!hint) {
      for (const id of (el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean)) {
        const d = document.getElementById(id);
        if (d && d.classList.contains('fr-hint-text') && text(d)) hint = d;
      }
    }
    if (!text(hint)) out.push(name + ': pas d\'exemple ni d\'aide (fr-hint-text)');
  }
  return JSON.stringify(out);
})()`

// TestEveryFormFieldHasVisibleLabelAndExample opens every page with a form,
// as the person who uses it, and checks each field's label and example.
func TestEveryFormFieldHasVisibleLabelAndExample(t *testing.T) {
	f := newModFix(t)
	ctx := context.Background()
	author := f.user("Autrice")
	citizen := f.user("Citoyen")
	mod := f.user("Modératrice", "moderator")
	rapporteur := f.user("Rapporteuse", "rapporteur")
	admin := f.user("Administrateur", "admin")
	c := f.contribution(author, "Former les aidants numériques")
	f.argument(c, citizen, "Les aidants manquent de temps.")
	f.exec(`INSERT INTO reports (contribution_id, reporter_id, reason) VALUES (?, ?, 'spam')`, c, rapporteur)
	verify, err := f.deps.Accounts.IssueToken(ctx, citizen, account.PurposeVerify, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	reset, err := f.deps.Accounts.IssueToken(ctx, citizen, account.PurposeReset, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	hubSlug := "rhinocc"

	b := newBrowser(t, f.testApp)
	signInAs := func(id int64) {
		b.run(chromedp.Navigate(b.base+"/accessibilite"), chromedp.Evaluate[chromedp.Void]("document.cookie = 'session=; path=/; max-age=0'"))
		if id == 0 {
			return
		}
		sess, err := f.deps.Sessions.Create(ctx, &id, nil)
		if err != nil {
			t.Fatal(err)
		}
		b.run(chromedp.Evaluate[chromedp.Void](fmt.Sprintf("document.cookie = 'session=%s; path=/'", sess.Token)))
	}
	pages := []struct {
		as   int64
		path string
	}{
		{0, "/inscription"},
		{0, "/connexion"},
		{0, "/mot-de-passe-oublie"},
		{0, "/inscription/confirmer?jeton=" + verify},
		{0, "/mot-de-passe/nouveau?jeton=" + reset},
		{0, "/contributions"},
		{0, "/axes/gouvernance-finances-modeles-economiques"},
		{0, "/accessibilite"},
		{citizen, "/compte"},
		{citizen, "/compte/donnees"},
		{citizen, "/contributions/nouvelle"},
		{citizen, fmt.Sprintf("/contributions/%d", c)},
		{citizen, fmt.Sprintf("/contributions/%d/signaler", c)},
		{author, fmt.Sprintf("/contributions/%d/modifier", c)},
		{mod, "/moderation"},
		{rapporteur, "/synthese"},
		{rapporteur, fmt.Sprintf("/synthese/contributions/%d", c)},
		{admin, "/admin/utilisateurs?q=personne"},
		{admin, "/admin/hubs/" + hubSlug},
		{admin, "/admin/journal"},
	}
	current := int64(-1)
	for _, p := range pages {
		if p.as != current {
			signInAs(p.as)
			current = p.as
		}
		b.run(chromedp.Navigate(b.base+p.path), chromedp.WaitVisible(chromedp.CSS("footer")))
		if n := b.eval(`String(document.querySelectorAll('main input:not([type=hidden]), main select, main textarea').length)`); n == "0" {
			t.Errorf("%s: no form field found (the page changed?)", p.path)
			continue
		}
		var problems []string
		if err := json.Unmarshal([]byte(b.eval(fieldsWithoutLabelOrHint)), &problems); err != nil {
			t.Fatal(err)
		}
		if len(problems) > 0 {
			t.Errorf("%s:\n  %s", p.path, strings.Join(problems, "\n  "))
		}
	}
}
