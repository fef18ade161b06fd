package web

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/cnr-numerique/concertation/app/account/openid"
)

// waitURL waits until the page's address starts with prefix (escapes
// compared without case: %2f is %2F), and fails the
// test with where the browser stayed after 20 s (a navigation blocked by the
// CSP leaves it on the form's page).
func (b *browser) waitURL(prefix string) {
	b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		href, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.readyState === "complete" ? location.href : ""`))
		if err == nil && len(href) >= len(prefix) && strings.EqualFold(href[:len(prefix)], prefix) {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("the browser did not reach %s: it is on %q", prefix, href)
		}
		time.Sleep(50 * time.Millisecond) // polling the page, not waiting for a goroutine
	}
}

// TestOpenIDJourneyInBrowser follows a newcomer in Chromium, with the CSP
// the platform really serves: signed out on a contribution, "Connectez-vous"
// to support it, sign in with a real OpenID provider (zitadel's example
// provider, on another origin), complete the profile, land back on the
// contribution; then sign out, through the provider's end_session and back.
func TestOpenIDJourneyInBrowser(t *testing.T) {
	a := newTestApp(t, nil).withAccounts(nil)
	author := a.newUser("autrice@exemple.fr", "Autrice")
	a.signIn(author.ID)
	path := a.propose(url.Values{"entree": {"libres"}, "axe": {"gouvernance-finances-modeles-economiques"},
		"titre": {"Des permanences numériques en mairie"}, "texte": {"Une fois par semaine."}})
	a.jar = map[string]string{}
	var op *zitadelOP
	b := newAccountBrowserWith(t, a, func(base string) {
		var reg *openid.Registry
		op, reg = startZitadel(t, base)
		a.deps.OIDC = reg
	})
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }

	b.run(chromedp.Navigate(b.base+path), chromedp.Click(css(`.support a[href^="/connexion"]`)),
		chromedp.WaitVisible(css(`form[action="/connexion/oidc/local"] button`)))
	b.waitURL(b.base + "/connexion?retour=" + url.QueryEscape(path))
	b.run(chromedp.Click(css(`form[action="/connexion/oidc/local"] button`)))
	b.waitURL(op.issuer + "login/username")
	b.run(
		chromedp.SendKeys(css("#username"), "test-user@localhost"),
		chromedp.SendKeys(css("#password"), "verysecure"),
		chromedp.Click(css(`button[type="submit"]`)),
	)
	b.waitURL(b.base + "/compte/completer?retour=" + url.QueryEscape(path))
	b.run(chromedp.WaitVisible(css("#category")))
	b.checkA11y("profile completion")
	b.run(
		chromedp.SetValue(css("#category"), "elu"),
		chromedp.SetValue(css("#departement"), "69"),
		chromedp.Click(css(`label[for="terms"]`)),
		chromedp.Click(css(`main form button[type="submit"]`)),
	)
	b.waitURL(b.base + path)
	b.run(chromedp.WaitVisible(css(`form.support button`)))
	if tools := b.text(".fr-header__tools"); !strings.Contains(tools, "Se déconnecter") {
		t.Fatalf("not signed in on the contribution: %q", tools)
	}
	if n := a.count(`SELECT count(*) FROM users u JOIN user_identities i ON i.user_id = u.id
		WHERE i.provider = 'local' AND u.category = 'elu' AND u.terms_accepted_at IS NOT NULL`); n != 1 {
		t.Fatal("no complete account linked to the provider")
	}

	b.run(chromedp.Click(css(`.fr-header__tools button[type="submit"]`)))
	b.waitURL(b.base + "/deconnecte?state=")
	if h1 := b.text("h1"); h1 != "Vous êtes déconnecté·e" {
		t.Errorf("after sign-out: h1 %q", h1)
	}
	if !op.asked("/end_session") {
		t.Error("the sign-out did not go through the provider's end_session")
	}
	if n := a.count(`SELECT count(*) FROM sessions WHERE user_id IS NOT NULL AND user_id <> ?`, author.ID); n != 0 {
		t.Error("the session survives sign-out")
	}
}

// TestOpenIDTwoTabsInBrowser starts a sign-in in two tabs of one Chromium,
// then finishes the first, then the second: each attempt has its own state
// cookie, so both succeed.
func TestOpenIDTwoTabsInBrowser(t *testing.T) {
	a := newTestApp(t, nil).withAccounts(nil)
	var op *zitadelOP
	b := newAccountBrowserWith(t, a, func(base string) {
		var reg *openid.Registry
		op, reg = startZitadel(t, base)
		a.deps.OIDC = reg
	})
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	second, cancel := chromedp.NewContext(b.ctx) // a new tab of the same browser
	t.Cleanup(cancel)
	tabs := []*browser{b, {t: t, ctx: second, base: b.base}}
	for i, tab := range tabs {
		ret := []string{"/hubs", "/statistiques"}[i]
		tab.run(chromedp.Navigate(b.base+"/connexion?retour="+url.QueryEscape(ret)),
			chromedp.Click(css(`form[action="/connexion/oidc/local"] button`)))
		tab.waitURL(op.issuer + "login/username")
	}
	for i, tab := range tabs {
		ret := []string{"/hubs", "/statistiques"}[i]
		tab.run(
			chromedp.SendKeys(css("#username"), "test-user@localhost"),
			chromedp.SendKeys(css("#password"), "verysecure"),
			chromedp.Click(css(`button[type="submit"]`)),
		)
		tab.waitURL(b.base + "/compte/completer?retour=" + url.QueryEscape(ret))
		if h1 := tab.text("h1"); h1 != "Complétez votre profil" {
			t.Errorf("tab %d: h1 %q", i+1, h1)
		}
	}
}
