package web

import (
	"context"
	"net"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// newAccountBrowser is newBrowser for journeys that post forms: the
// platform's BASE_URL must be the served address, or the Origin check of
// checkCSRF refuses the browser's forms.
func newAccountBrowser(t *testing.T, a *testApp) *browser {
	t.Helper()
	return newAccountBrowserWith(t, a, nil)
}

// newAccountBrowserWith is newAccountBrowser calling prepare, when not nil,
// with the platform's address before the platform is built (to start an
// OpenID provider that needs its callback address, for instance).
func newAccountBrowserWith(t *testing.T, a *testApp, prepare func(base string)) *browser {
	t.Helper()
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("no chromium: install Debian's chromium package")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	a.deps.Config.BaseURL, _ = url.Parse(base)
	if prepare != nil {
		prepare(base)
	}
	a.rebuild()
	go func() { _ = a.app.Listener(ln) }()
	t.Cleanup(func() { _ = a.app.Shutdown() })
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	if err := chromedp.Do(ctx); err != nil {
		cancelCtx()
		cancelAlloc()
		t.Fatalf("start Chromium: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return &browser{t: t, ctx: ctx, base: base}
}

// TestAccountJourneyInBrowser follows a newcomer in Chromium: create an
// account, open the mail in the local mailbox, confirm, see "Mes données",
// sign out from the header, sign in again; axe-core checks each page.
func TestAccountJourneyInBrowser(t *testing.T) {
	a := newTestApp(t, nil).withAccounts(nil)
	b := newAccountBrowser(t, a)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }

	b.run(chromedp.Navigate(b.base+"/"), chromedp.Click(css(`header a[href="/inscription"]`)), chromedp.WaitVisible(css("#email")))
	b.checkA11y("sign-up")
	b.run(
		chromedp.SendKeys(css("#email"), "zoe@exemple.fr"),
		chromedp.SendKeys(css("#password"), "cheval correct agrafe"),
		chromedp.SendKeys(css("#display_name"), "Zoé"),
		chromedp.SetValue(css("#category"), "mediation-numerique"),
		chromedp.SetValue(css("#departement"), "2A"),
		chromedp.Click(css(`label[for="terms"]`)),
		chromedp.Click(css(`main form button[type="submit"]`)),
	)
	// The sign-up page links to /connexion too: wait for the next page's title.
	for i := 0; i < 100; i++ {
		h1, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS("h1"))) // fails while the page changes
		if err == nil && h1 != "Créer un compte" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if h1 := b.text("h1"); h1 != "Vérifiez votre boîte mail" {
		t.Fatalf("after sign-up: h1 %q\n%s", h1, b.text("main"))
	}
	b.checkA11y("check your mailbox")

	b.run(chromedp.Navigate(b.base+"/dev/mails"), chromedp.WaitVisible(css("h1")))
	b.checkA11y("local mailbox")
	b.run(chromedp.Click(css(`main a[href^="/inscription/confirmer"]`)), chromedp.WaitVisible(css(`form[action="/inscription/confirmer"]`)))
	if h1 := b.text("h1"); h1 != "Confirmer mon adresse e-mail" {
		t.Fatalf("verification page h1 %q", h1)
	}
	b.checkA11y("verify")
	b.run(chromedp.SendKeys(css("#password"), "cheval correct agrafe"), chromedp.Click(css(`main button[type="submit"]`)), chromedp.WaitVisible(css(".fr-alert")))
	if h1 := b.text("h1"); h1 != "Mon compte" || !strings.Contains(b.text(".fr-alert"), "confirmée") {
		t.Fatalf("after verification: h1 %q", h1)
	}
	if tools := b.text(".fr-header__tools"); !strings.Contains(tools, "Zoé") || !strings.Contains(tools, "Se déconnecter") {
		t.Errorf("header when signed in: %q", tools)
	}
	b.checkA11y("my account")

	b.run(chromedp.Click(css(`main a[href="/compte/donnees"]`)), chromedp.WaitVisible(css(`form[action="/compte/supprimer"]`)))
	b.checkA11y("my data")
	b.run(chromedp.Navigate(b.base+"/donnees-personnelles"), chromedp.WaitVisible(css("h1")))
	b.checkA11y("privacy")

	b.run(chromedp.Click(css(`.fr-header__tools button[type="submit"]`)), chromedp.WaitVisible(css(`.fr-header__tools a[href="/connexion"]`)))
	if h1 := b.text("h1"); h1 != "Vous êtes déconnecté·e" {
		t.Fatalf("after sign-out: h1 %q", h1)
	}
	b.run(chromedp.Navigate(b.base+"/connexion"), chromedp.WaitVisible(css("#email")))
	b.checkA11y("sign-in")
	b.run(
		chromedp.SendKeys(css("#email"), "zoe@exemple.fr"),
		chromedp.SendKeys(css("#password"), "cheval correct agrafe"),
		chromedp.Click(css(`main form[action="/connexion"] button[type="submit"]`)),
		chromedp.WaitVisible(css(".fr-header__tools form")),
	)
	if tools := b.text(".fr-header__tools"); !strings.Contains(tools, "Zoé") {
		t.Errorf("not signed in again: %q", tools)
	}
}
