package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cnr-numerique/concertation/app/account/openid"
	"github.com/cnr-numerique/concertation/app/config"
	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// zitadelOP is the example OpenID provider of github.com/zitadel/oidc,
// served on its own loopback port (another origin than the platform's, as a
// real provider), with its test user test-user@localhost / verysecure.
type zitadelOP struct {
	issuer string
	mu     sync.Mutex
	paths  []string // the paths it was asked for, in order
}

// startZitadel starts the provider with the client "web" (secret "secret")
// whose callback and sign-out return are on the platform at base, and
// returns it with the platform's registry of it as provider "local".
func startZitadel(t *testing.T, base string) (*zitadelOP, *openid.Registry) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	z := &zitadelOP{issuer: fmt.Sprintf("http://localhost:%d/", ln.Addr().(*net.TCPAddr).Port)}
	storage.RegisterClients(storage.WebClient("web", "secret", base+openid.CallbackPath("local")))
	store := zitadelStorage{Storage: storage.NewStorage(storage.NewUserStore(z.issuer)), postLogout: base + "/deconnecte"}
	handler := exampleop.SetupServer(z.issuer, store, slog.New(slog.DiscardHandler), false)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		z.mu.Lock()
		z.paths = append(z.paths, r.URL.Path)
		z.mu.Unlock()
		handler.ServeHTTP(w, r)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	baseURL, _ := url.Parse(base)
	reg, err := openid.NewRegistry([]openid.Config{{OIDCProvider: config.OIDCProvider{Name: "local", Label: "le fournisseur local", Issuer: z.issuer,
		ClientID: "web", ClientSecret: "secret", Scopes: []string{"openid", "email", "profile"}}}}, baseURL)
	if err != nil {
		t.Fatal(err)
	}
	return z, reg
}

// asked reports whether the provider was asked for path.
func (z *zitadelOP) asked(path string) bool {
	z.mu.Lock()
	defer z.mu.Unlock()
	return slices.Contains(z.paths, path)
}

// zitadelStorage is the example's storage, with the platform's sign-out
// return registered for every client (the example registers none, and
// refuses any post_logout_redirect_uri then).
type zitadelStorage struct {
	*storage.Storage
	postLogout string
}

func (s zitadelStorage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.Storage.GetClientByClientID(ctx, id)
	if err != nil {
		return nil, err
	}
	return postLogoutClient{Client: c, uris: []string{s.postLogout}}, nil
}

type postLogoutClient struct {
	op.Client
	uris []string
}

func (c postLogoutClient) PostLogoutRedirectURIs() []string { return c.uris }

// TestOpenIDSignInAgainstARealProvider signs in end to end against the
// example OpenID provider of github.com/zitadel/oidc, started here, with the
// platform served on a real port and a browser-like client (cookie jar,
// redirects followed) filling the provider's login form. The browser
// journey (auth_oidc_browser_test.go) does it in Chromium, with the CSP.
func TestOpenIDSignInAgainstARealProvider(t *testing.T) {
	a := newTestApp(t, nil).withAccounts(nil)

	platformLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + platformLn.Addr().String()
	a.deps.Config.BaseURL, _ = url.Parse(base)
	z, reg := startZitadel(t, base)
	issuer := z.issuer
	a.deps.OIDC = reg
	a.rebuild()
	go func() { _ = a.app.Listener(platformLn) }()
	t.Cleanup(func() { _ = a.app.Shutdown() })

	jar, _ := cookiejar.New(nil)
	var hops []string
	browser := &http.Client{Jar: jar, CheckRedirect: func(r *http.Request, via []*http.Request) error {
		hops = append(hops, r.URL.String())
		return nil
	}}
	get := func(u string) (*http.Response, string) {
		t.Helper()
		resp, err := browser.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	post := func(u string, form url.Values) (*http.Response, string) {
		t.Helper()
		resp, err := browser.PostForm(u, form)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	csrfOf := func(body string) string {
		t.Helper()
		m := csrfInput.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no CSRF token in\n%s", body)
		}
		return m[1]
	}

	_, body := get(base + "/connexion?retour=%2Fhubs")
	if !strings.Contains(body, "Se connecter avec le fournisseur local") {
		t.Fatal("no button for the local provider")
	}
	resp, body := post(base+"/connexion/oidc/local", url.Values{"_csrf": {csrfOf(body)}, "retour": {"/hubs"}})
	if resp.Request.URL.Path != "/login/username" {
		t.Fatalf("not on the provider's login page: %s (%d)\n%s", resp.Request.URL, resp.StatusCode, body)
	}
	authRequestID := regexp.MustCompile(`name="id" value="([^"]+)"`).FindStringSubmatch(body)
	if authRequestID == nil {
		t.Fatalf("no auth request id in the login form:\n%s", body)
	}
	resp, body = post(issuer+"login/username", url.Values{"id": {authRequestID[1]}, "username": {"test-user@localhost"}, "password": {"verysecure"}})
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/compte/completer" || resp.Request.URL.Query().Get("retour") != "/hubs" {
		t.Fatalf("after the provider's login: %s (%d), hops %v\n%s", resp.Request.URL, resp.StatusCode, hops, body)
	}
	if !strings.Contains(body, "Complétez votre profil") || !strings.Contains(body, "Se déconnecter") {
		t.Error("not signed in on the completion page")
	}
	if n := a.count(`SELECT count(*) FROM users u JOIN user_identities i ON i.user_id = u.id
		WHERE i.provider = 'local' AND i.subject = 'id1' AND u.email = 'test-user@zitadel.ch' AND u.display_name = 'Test'`); n != 1 {
		t.Fatal("no account linked to the provider's identity")
	}

	resp, _ = post(base+"/compte/completer", url.Values{"_csrf": {csrfOf(body)}, "display_name": {"Test"}, "category": {"elu"},
		"departement": {"69"}, "terms": {"oui"}, "retour": {"/hubs"}})
	if resp.Request.URL.Path != "/hubs" {
		t.Fatalf("after completing the profile: %s", resp.Request.URL)
	}

	// Sign out: the session ends here, and the browser goes to the provider's
	// end_session endpoint with the ID token as hint.
	_, body = get(base + "/compte")
	hops = nil
	_, _ = post(base+"/deconnexion", url.Values{"_csrf": {csrfOf(body)}})
	if len(hops) < 2 || !strings.HasPrefix(hops[0], issuer) || !strings.Contains(hops[0], "id_token_hint=") ||
		!strings.HasPrefix(hops[1], base+"/deconnecte?state=") {
		t.Errorf("sign-out did not go through the provider's end_session and back: %v", hops)
	}
	if n := a.count(`SELECT count(*) FROM sessions WHERE user_id IS NOT NULL`); n != 0 {
		t.Error("the session survives sign-out")
	}
	resp, _ = get(base + "/compte")
	if resp.Request.URL.Path != "/connexion" {
		t.Errorf("still signed in after sign-out: %s", resp.Request.URL)
	}
}
