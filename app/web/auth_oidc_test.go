package web

import (
	"net/http"
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
