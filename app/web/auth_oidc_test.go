package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/app/account/openid"
	"github.com/cnr-numerique/concertation/app/config"
)

// withFranceConnect registers fc as the platform's "franceconnect" provider.
func (a *testApp) withFranceConnect(fc *fakeFC) *testApp {
	a.t.Helper()
	reg, err := openid.NewRegistry([]openid.Config{{OIDCProvider: config.OIDCProvider{
		Name: "franceconnect", Label: "FranceConnect", Kind: "franceconnect", Issuer: fc.issuer,
		ClientID: fc.clientID, ClientSecret: fc.secret, Scopes: []string{"openid", "given_name", "email"},
		ACR: []string{"eidas1"}, TrustEmail: true,
	}}}, a.deps.Config.BaseURL)
	if err != nil {
		a.t.Fatal(err)
	}
	if err := reg.Discover(a.t.Context()); err != nil { // as serve does at start-up
		a.t.Fatal(err)
	}
	a.deps.OIDC = reg
	a.rebuild()
	return a
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// fcDance starts a sign-in and lets the fake provider answer; it returns
// the callback path (with code and state) the browser is sent back to.
func (a *testApp) fcDance(ret string) string {
	a.t.Helper()
	resp, body := a.post("/connexion/oidc/franceconnect", url.Values{"retour": {ret}})
	authURL := wantRedirectBody(a.t, resp, body)
	r, err := noRedirect.Get(authURL)
	if err != nil {
		a.t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusFound {
		a.t.Fatalf("fake provider refused the authorization request: %d", r.StatusCode)
	}
	cb, _ := url.Parse(r.Header.Get("Location"))
	if cb.Path != "/connexion/oidc/franceconnect/retour" {
		a.t.Fatalf("callback %s", cb)
	}
	return cb.RequestURI()
}

func wantRedirectBody(t testing.TB, resp *http.Response, body string) string {
	t.Helper()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d, want 303\n%s", resp.StatusCode, body)
	}
	return resp.Header.Get("Location")
}

func TestFranceConnectSignIn(t *testing.T) {
	fc := newFakeFC(t)
	a := newTestApp(t, nil).withAccounts(nil).withFranceConnect(fc)

	_, body := a.get("/connexion")
	if !strings.Contains(body, `class="fr-connect"`) || !strings.Contains(body, "S’identifier avec") {
		t.Error("no FranceConnect button on the sign-in page")
	}
	// First sign-in: an account is created, then the profile is asked for.
	cb := a.fcDance("//evil.example/")
	resp, _ := a.get(cb)
	wantRedirect(t, resp, "/compte/completer?retour=%2F")
	if a.sessionToken() == "" {
		t.Fatal("no session after the callback")
	}
	if n := a.count(`SELECT count(*) FROM users u JOIN user_identities i ON i.user_id = u.id
		WHERE i.provider = 'franceconnect' AND i.subject = 'fc-sub-0001' AND u.email = 'camille.dupont@exemple.fr'
		AND u.display_name = 'Camille' AND u.email_verified_at IS NOT NULL AND u.category IS NULL`); n != 1 {
		t.Fatal("the account was not created from the identity")
	}
	for _, s := range []string{"Dupont-Sensible", "1980-07-14", "75107", "female"} {
		if found := a.rowsMentioning(s); len(found) > 0 {
			t.Errorf("FranceConnect attribute %q is stored: %v", s, found)
		}
	}
	// The same callback cannot be replayed.
	resp, _ = a.get(cb)
	wantStatus(t, resp, "", http.StatusBadRequest)

	resp, body = a.get("/compte/completer?retour=%2Fhubs")
	wantStatus(t, resp, body, 200)
	if !strings.Contains(body, "Complétez votre profil") || !strings.Contains(body, `name="terms"`) {
		t.Error("the completion page does not ask for the terms")
	}
	resp, _ = a.post("/compte/completer", url.Values{"display_name": {"Camille"}, "category": {"association"},
		"departement": {"2A"}, "terms": {"oui"}, "retour": {"/hubs"}})
	wantRedirect(t, resp, "/hubs")

	// Sign out: here and at the provider, with the ID token as hint.
	token := a.sessionToken()
	resp, _ = a.post("/deconnexion", nil)
	loc, _ := url.Parse(wantRedirect(t, resp, fc.issuer+"/session/end?"))
	q := loc.Query()
	if q.Get("id_token_hint") == "" || q.Get("post_logout_redirect_uri") != a.deps.Config.BaseURL.String()+"/deconnecte" || q.Get("state") == "" {
		t.Errorf("end_session parameters: %v", q)
	}
	if _, err := a.deps.Sessions.Get(t.Context(), token); err == nil {
		t.Error("the session survives sign-out")
	}

	// Second sign-in: same account, profile complete, back where asked.
	resp, _ = a.get(a.fcDance("/axes/gouvernance-finances?x=1"))
	wantRedirect(t, resp, "/axes/gouvernance-finances?x=1")
	if n := a.count(`SELECT count(*) FROM users`); n != 1 {
		t.Errorf("%d accounts after two sign-ins, want 1", n)
	}
}

func TestFranceConnectRefusals(t *testing.T) {
	fc := newFakeFC(t)
	a := newTestApp(t, nil).withAccounts(nil).withFranceConnect(fc)
	resp, _ := a.get(a.fcDance("/"))
	wantRedirect(t, resp, "/compte/completer")
	firstNonce := fc.lastNonce
	resp, _ = a.post("/deconnexion", nil)
	wantRedirect(t, resp, fc.issuer)

	tests := []struct {
		name   string
		setup  func()
		tamper func(cb string) string
	}{
		{"forged state", nil, func(cb string) string {
			u, _ := url.Parse(cb)
			q := u.Query()
			q.Set("state", randomState())
			u.RawQuery = q.Encode()
			return u.RequestURI()
		}},
		{"state without its cookie (another browser)", nil, func(cb string) string {
			for name := range a.jar {
				if strings.HasPrefix(name, (&Server{Deps: a.deps}).dancePrefix()) {
					delete(a.jar, name)
				}
			}
			return cb
		}},
		{"replayed nonce", func() { fc.nonce = &firstNonce }, nil},
		{"wrong nonce", func() { n := randomState(); fc.nonce = &n }, nil},
		{"ID token signed by another key", func() { fc.rogueIDToken = true }, nil},
		{"foreign audience", func() { fc.aud = "un-autre-client" }, nil},
		{"acr below what is required", func() { fc.acr = "eidas0" }, nil},
		{"userinfo for another sub", func() { fc.userinfoSub = "fc-sub-9999" }, nil},
		{"userinfo JWT signed by another key", func() { fc.rogueUserinfo = true }, nil},
		{"provider error", nil, func(cb string) string {
			u, _ := url.Parse(cb)
			q := u.Query()
			q.Del("code")
			q.Set("error", "access_denied")
			u.RawQuery = q.Encode()
			return u.RequestURI()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc.nonce, fc.aud, fc.acr, fc.rogueIDToken, fc.userinfoSub, fc.rogueUserinfo = nil, "", "eidas1", false, "", false
			if tt.setup != nil {
				tt.setup()
			}
			cb := a.fcDance("/")
			if tt.tamper != nil {
				cb = tt.tamper(cb)
			}
			resp, body := a.get(cb)
			wantStatus(t, resp, body, http.StatusBadRequest)
			if !strings.Contains(body, "La connexion") {
				t.Errorf("no French explanation: %s", body)
			}
			if a.sessionToken() != "" {
				t.Error("a session was opened")
			}
		})
	}
	fc.nonce, fc.aud, fc.acr, fc.rogueIDToken, fc.userinfoSub, fc.rogueUserinfo = nil, "", "eidas1", false, "", false
	if n := a.count(`SELECT count(*) FROM users`); n != 1 {
		t.Errorf("%d accounts, want 1", n)
	}
	// After all this, a normal sign-in still works.
	resp, _ = a.get(a.fcDance("/"))
	wantRedirect(t, resp, "/compte/completer")
}

// TestOpenIDTwoSignInsAtOnce: each attempt has its own state cookie, so a
// sign-in started in a second tab does not break the first one's.
func TestOpenIDTwoSignInsAtOnce(t *testing.T) {
	fc := newFakeFC(t)
	a := newTestApp(t, nil).withAccounts(nil).withFranceConnect(fc)
	first := a.fcDance("/hubs")
	second := a.fcDance("/axes/gouvernance-finances-modeles-economiques")
	resp, body := a.get(first)
	if loc := wantRedirectBody(t, resp, body); loc != "/compte/completer?retour=%2Fhubs" {
		t.Errorf("first tab sent to %q", loc)
	}
	resp, body = a.get(second)
	if loc := wantRedirectBody(t, resp, body); loc != "/compte/completer?retour=%2Faxes%2Fgouvernance-finances-modeles-economiques" {
		t.Errorf("second tab sent to %q", loc)
	}
	for name := range a.jar {
		if strings.HasPrefix(name, "oidc-") {
			t.Errorf("dance cookie %s left after both callbacks", name)
		}
	}
	// The cookie goes only to the sign-in addresses, and stays small: pages'
	// request headers do not grow with sign-in attempts.
	resp, _ = a.post("/connexion/oidc/franceconnect", url.Values{"retour": {"/hubs"}})
	for _, ck := range resp.Cookies() {
		if strings.HasPrefix(ck.Name, "oidc-") && (ck.Path != "/connexion/oidc/" || len(ck.Value) > 400 || !ck.HttpOnly) {
			t.Errorf("dance cookie %s: path %q, %d bytes, HttpOnly %v", ck.Name, ck.Path, len(ck.Value), ck.HttpOnly)
		}
	}
	// A browser keeps only a few attempts: the oldest are cleared.
	for range maxDances + 3 {
		a.fcDance("/")
	}
	n := 0
	for name := range a.jar {
		if strings.HasPrefix(name, "oidc-") {
			n++
		}
	}
	if n > maxDances {
		t.Errorf("%d dance cookies kept, want at most %d", n, maxDances)
	}
}

// TestOpenIDProviderNotAnswering: a provider failing at the token exchange,
// or gone, gets "ne répond pas" (502), not "recommencer".
func TestOpenIDProviderNotAnswering(t *testing.T) {
	fc := newFakeFC(t)
	a := newTestApp(t, nil).withAccounts(nil).withFranceConnect(fc)
	fc.tokenStatus = http.StatusServiceUnavailable
	resp, body := a.get(a.fcDance("/"))
	wantStatus(t, resp, body, http.StatusBadGateway)
	if !strings.Contains(body, "Le service de connexion FranceConnect ne répond pas") {
		t.Errorf("token exchange failing: not the French message\n%s", excerpt(body))
	}
	fc.tokenStatus = 0
	cb := a.fcDance("/")
	fc.srv.Close()
	resp, body = a.get(cb)
	wantStatus(t, resp, body, http.StatusBadGateway)
	if !strings.Contains(body, "ne répond pas") {
		t.Errorf("provider gone: not the French message\n%s", excerpt(body))
	}
	if a.sessionToken() != "" {
		t.Error("a session was opened")
	}
}

// TestOpenIDTakeoverAsksTheProfileAgain: a verified OpenID identity taking
// over an account that someone created with its address but never
// verified keeps nothing that person said: the owner is asked again.
func TestOpenIDTakeoverAsksTheProfileAgain(t *testing.T) {
	fc := newFakeFC(t)
	a := newTestApp(t, nil).withAccounts(nil).withFranceConnect(fc)
	squatter := newTestAppOn(t, a.deps.DB, nil)
	squatter.deps.Mailbox, squatter.deps.Mailer = a.deps.Mailbox, a.deps.Mailer
	squatter.rebuild()
	form := signUpForm(fc.email, "le mot de passe du squatteur")
	form.Set("display_name", "Squatteur")
	resp, body := squatter.post("/inscription", form)
	wantStatus(t, resp, body, 200)

	resp, _ = a.get(a.fcDance("/hubs"))
	wantRedirect(t, resp, "/compte/completer?retour=%2Fhubs")
	if n := a.count(`SELECT count(*) FROM users WHERE email = ? AND display_name = 'Camille' AND category IS NULL
		AND departement_id IS NULL AND terms_accepted_at IS NULL AND password_hash IS NULL AND email_verified_at IS NOT NULL`, fc.email); n != 1 {
		t.Fatal("the takeover kept what the squatter said")
	}
	resp, body = a.get("/compte/completer?retour=%2Fhubs")
	wantStatus(t, resp, body, 200)
	for _, want := range []string{`name="terms"`, `value="Camille"`, "Choisissez une catégorie"} {
		if !strings.Contains(body, want) {
			t.Errorf("the completion page lacks %q", want)
		}
	}
	if strings.Contains(body, "Squatteur") {
		t.Error("the squatter's name is shown")
	}
}

// TestFormActionAllowsTheDiscoveredProviders: the CSP's form-action allows
// 'self' and exactly the origins of the providers' authorization and
// end-session endpoints, once discovered; the sign-in page discovers them
// before answering, so its own policy has them.
func TestFormActionAllowsTheDiscoveredProviders(t *testing.T) {
	disc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"issuer": "http://` + r.Host + `", "authorization_endpoint": "https://connexion.example.test/authorize",
			"token_endpoint": "http://` + r.Host + `/token", "jwks_uri": "http://` + r.Host + `/jwks",
			"end_session_endpoint": "https://deconnexion.example.test:8443/logout?x=1",
			"id_token_signing_alg_values_supported": ["RS256"]}`))
	}))
	t.Cleanup(disc.Close)
	a := newTestApp(t, nil).withAccounts(nil)
	reg, err := openid.NewRegistry([]openid.Config{{OIDCProvider: config.OIDCProvider{Name: "x", Label: "X", Issuer: disc.URL, ClientID: "id"}}},
		a.deps.Config.BaseURL)
	if err != nil {
		t.Fatal(err)
	}
	a.deps.OIDC = reg
	a.rebuild()
	formAction := func(resp *http.Response) string {
		for _, d := range strings.Split(resp.Header.Get("Content-Security-Policy"), ";") {
			if d = strings.TrimSpace(d); strings.HasPrefix(d, "form-action ") {
				return d
			}
		}
		return ""
	}
	resp, _ := a.get("/")
	if got := formAction(resp); got != "form-action 'self'" {
		t.Errorf("before discovery: %q", got)
	}
	want := "form-action 'self' https://connexion.example.test https://deconnexion.example.test:8443"
	resp, _ = a.get("/connexion")
	if got := formAction(resp); got != want {
		t.Errorf("sign-in page: %q, want %q", got, want)
	}
	resp, _ = a.get("/hubs")
	if got := formAction(resp); got != want {
		t.Errorf("another page: %q, want %q", got, want)
	}
}

// TestOpenIDBeginBeforeDiscovery: when the page that posted could not allow
// the provider in its form-action (discovery had not happened), the person
// gets a link to follow instead of a redirect Chromium would block.
func TestOpenIDBeginBeforeDiscovery(t *testing.T) {
	fc := newFakeFC(t)
	a := newTestApp(t, nil).withAccounts(nil)
	reg, err := openid.NewRegistry([]openid.Config{{OIDCProvider: config.OIDCProvider{Name: "franceconnect", Label: "FranceConnect",
		Issuer: fc.issuer, ClientID: fc.clientID, ClientSecret: fc.secret, ACR: []string{"eidas1"}}}}, a.deps.Config.BaseURL)
	if err != nil {
		t.Fatal(err)
	}
	a.deps.OIDC = reg
	a.rebuild()
	resp, body := a.post("/connexion/oidc/franceconnect", url.Values{"retour": {"/hubs"}})
	wantStatus(t, resp, body, 200)
	if !strings.Contains(body, `href="`+fc.issuer+`/authorize?`) || !strings.Contains(body, "Continuer vers FranceConnect") {
		t.Errorf("no link to the provider:\n%s", excerpt(body))
	}
	if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "form-action 'self' "+fc.srv.URL) {
		t.Errorf("CSP after discovery: %q", resp.Header.Get("Content-Security-Policy"))
	}
}
