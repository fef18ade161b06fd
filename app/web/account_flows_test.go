package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/ratelimit"
)

func TestSafeReturn(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "/"},
		{"/", "/"},
		{"/axes/gouvernance?page=2#x", "/axes/gouvernance?page=2#x"},
		{"/compte", "/compte"},
		{"//evil.example", "/"},
		{"//evil.example/path", "/"},
		{`/\evil.example`, "/"},
		{`/\/evil.example`, "/"},
		{"/%2F%2Fevil.example", "/"},
		{"/%5Cevil.example", "/"},
		{"https://evil.example/", "/"},
		{"http:/evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"evil.example", "/"},
		{"/ok\r\nSet-Cookie: x=y", "/"},
		{"/a\tb", "/"},
		{"/\t/evil.example", "/"}, // retour=/%09/evil.example: URL parsers drop the tab
		{"/\u0085/evil.example", "/"},
		{"/ok/../..//evil.example", "/"},
		{"/a/%2f/b", "/"},
		{"/contributions?q=http://exemple.fr", "/contributions?q=http://exemple.fr"},
		{"/" + strings.Repeat("a", 1001), "/"},
	}
	for _, tt := range tests {
		if got := safeReturn(tt.in, "/"); got != tt.want {
			t.Errorf("safeReturn(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestEmailAccountJourney: sign up, mail in the local mailbox, verify, sign
// out, sign in, forgotten password, sign in with the new one.
func TestEmailAccountJourney(t *testing.T) {
	a := newTestApp(t, nil).withAccounts(nil)
	const email = "zoe@exemple.fr"

	resp, body := a.get("/inscription")
	wantStatus(t, resp, body, 200)
	for _, w := range []string{`name="_csrf"`, "Créer un compte", "Finistère (29)", "Professionnel·le de la médiation numérique"} {
		if !strings.Contains(body, w) {
			t.Errorf("sign-up page lacks %q", w)
		}
	}
	bad := signUpForm("zoe@", "court")
	resp, body = a.post("/inscription", bad)
	wantStatus(t, resp, body, http.StatusUnprocessableEntity)
	if !strings.Contains(body, "au moins 8 caractères") || !strings.Contains(body, "adresse e-mail valide") {
		t.Error("sign-up errors are not shown in French")
	}

	resp, body = a.post("/inscription", signUpForm("Zoe@Exemple.FR", "cheval correct agrafe"))
	wantStatus(t, resp, body, 200)
	if !strings.Contains(body, "Vérifiez votre boîte mail") {
		t.Fatal("no 'check your mailbox' page")
	}
	link := a.lastMailLink(email)
	if !strings.HasPrefix(link, "/inscription/confirmer?jeton=") {
		t.Fatalf("verification link %q", link)
	}
	// The local mailbox page shows it.
	resp, body = a.get("/dev/mails")
	wantStatus(t, resp, body, 200)
	if !strings.Contains(body, "Confirmez votre adresse e-mail") || !strings.Contains(body, "/inscription/confirmer?jeton=") {
		t.Error("the local mailbox does not show the mail")
	}

	// Not verified yet: signing in resends the link instead.
	resp, body = a.post("/connexion", url.Values{"email": {email}, "password": {"cheval correct agrafe"}})
	wantStatus(t, resp, body, 200)
	if !strings.Contains(body, "Vérifiez votre boîte mail") || a.sessionToken() != "" {
		t.Fatal("an unverified account could sign in")
	}
	link = a.lastMailLink(email)

	// Following the link changes nothing (mail scanners follow links).
	for range 2 {
		resp, body = a.get(link)
		wantStatus(t, resp, body, 200)
	}
	if !strings.Contains(body, "Confirmer mon adresse") {
		t.Fatal("no confirmation button")
	}
	token := strings.TrimPrefix(link, "/inscription/confirmer?jeton=")
	token, _ = url.QueryUnescape(token)
	// The link alone does not confirm: the password chosen at sign-up is asked.
	resp, body = a.post("/inscription/confirmer", url.Values{"jeton": {token}, "password": {"pas le bon mot"}})
	wantStatus(t, resp, body, http.StatusUnauthorized)
	if !strings.Contains(body, "Mot de passe incorrect") || a.sessionToken() != "" {
		t.Fatal("a wrong password confirmed the address")
	}
	resp, _ = a.post("/inscription/confirmer", url.Values{"jeton": {token}, "password": {"cheval correct agrafe"}})
	wantRedirect(t, resp, "/compte?info=verifie")
	first := a.sessionToken()
	if first == "" {
		t.Fatal("not signed in after verification")
	}
	_, body = a.get("/compte?info=verifie")
	if !strings.Contains(body, "Votre adresse e-mail est confirmée") || !strings.Contains(body, "Zoé Testeuse") {
		t.Errorf("account page after verification:\n%s", body)
	}
	if !strings.Contains(body, `action="/deconnexion"`) {
		t.Error("no sign-out form in the header")
	}
	// The token is single-use.
	resp, body = a.post("/inscription/confirmer", url.Values{"jeton": {token}, "password": {"cheval correct agrafe"}})
	wantStatus(t, resp, body, http.StatusBadRequest)

	// Sign out: the session is gone server-side.
	resp, _ = a.post("/deconnexion", nil)
	wantRedirect(t, resp, "/deconnecte")
	if n := a.count(`SELECT count(*) FROM sessions WHERE id_hash = sha256(?::bytea)`, first); n != 0 {
		t.Error("the session survives sign-out")
	}
	a.jar[(&Server{Deps: a.deps}).sessionCookieName()] = first // a stolen cookie is worthless now
	resp, _ = a.get("/compte")
	wantRedirect(t, resp, "/connexion?retour=%2Fcompte")

	// Wrong password, then the right one, with a return address.
	resp, body = a.post("/connexion", url.Values{"email": {email}, "password": {"pas le bon"}})
	wantStatus(t, resp, body, http.StatusUnauthorized)
	if !strings.Contains(body, "Adresse e-mail ou mot de passe incorrect.") {
		t.Error("no French error for a wrong password")
	}
	resp, _ = a.post("/connexion", url.Values{"email": {"ZOE@exemple.fr"}, "password": {"cheval correct agrafe"}, "retour": {"/hubs"}})
	wantRedirect(t, resp, "/hubs")
	second := a.sessionToken()
	if second == "" || second == first {
		t.Fatal("no new session id at sign-in")
	}

	// Forgotten password.
	resp, body = a.post("/mot-de-passe-oublie", url.Values{"email": {email}})
	wantStatus(t, resp, body, 200)
	known := normalize(body, email)
	link = a.lastMailLink(email)
	if !strings.HasPrefix(link, "/mot-de-passe/nouveau?jeton=") {
		t.Fatalf("reset link %q", link)
	}
	resp, body = a.get(link)
	wantStatus(t, resp, body, 200)
	token, _ = url.QueryUnescape(strings.TrimPrefix(link, "/mot-de-passe/nouveau?jeton="))
	resp, body = a.post("/mot-de-passe/nouveau", url.Values{"jeton": {token}, "password": {"court"}})
	wantStatus(t, resp, body, http.StatusUnprocessableEntity)
	resp, _ = a.post("/mot-de-passe/nouveau", url.Values{"jeton": {token}, "password": {"nouvelle phrase secrète"}})
	wantRedirect(t, resp, "/connexion?info=mot-de-passe")
	if n := a.count(`SELECT count(*) FROM sessions WHERE user_id IS NOT NULL`); n != 0 {
		t.Errorf("%d sessions survive a password reset", n)
	}
	resp, _ = a.post("/mot-de-passe/nouveau", url.Values{"jeton": {token}, "password": {"encore une autre"}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("reset token reused: %d", resp.StatusCode)
	}
	resp, _ = a.post("/connexion", url.Values{"email": {email}, "password": {"cheval correct agrafe"}})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Error("the old password still works")
	}
	resp, _ = a.post("/connexion", url.Values{"email": {email}, "password": {"nouvelle phrase secrète"}})
	wantRedirect(t, resp, "/")

	// An unknown address gets the same page, and no mail is sent.
	before := len(a.deps.Mailbox.Messages())
	resp, body = a.post("/mot-de-passe-oublie", url.Values{"email": {"personne@exemple.fr"}})
	wantStatus(t, resp, body, 200)
	if normalize(body, "personne@exemple.fr") != known {
		t.Error("the reset answer differs for an unknown address")
	}
	if len(a.deps.Mailbox.Messages()) != before {
		t.Error("a mail was sent to an unknown address")
	}
}

func TestNoAccountEnumeration(t *testing.T) {
	a := newTestApp(t, nil).withAccounts(nil)
	u := a.newUser("existe@exemple.fr", "Existe")
	hash, _ := account.HashPassword("le bon mot de passe")
	if err := a.deps.DB.Conn(context.Background()).Exec(`UPDATE users SET password_hash = ? WHERE id = ?`, hash, u.ID).Error; err != nil {
		t.Fatal(err)
	}
	// Sign-up with a taken address: same page; the owner is told by mail.
	_, fresh := a.post("/inscription", signUpForm("nouveau@exemple.fr", "cheval correct agrafe"))
	_, taken := a.post("/inscription", signUpForm("EXISTE@exemple.fr", "cheval correct agrafe"))
	norm := normalize
	if norm(fresh, "nouveau@exemple.fr") != norm(taken, "EXISTE@exemple.fr") {
		t.Error("sign-up answers differ for a taken address")
	}
	if a.mailsTo("existe@exemple.fr") != 1 || !strings.Contains(a.deps.Mailbox.Messages()[0].Subject, "déjà un compte") {
		t.Error("the owner of the address was not told")
	}
	// Sign-in: unknown address and wrong password answer alike.
	r1, b1 := a.post("/connexion", url.Values{"email": {"inconnu@exemple.fr"}, "password": {"quelconque"}})
	r2, b2 := a.post("/connexion", url.Values{"email": {"existe@exemple.fr"}, "password": {"quelconque"}})
	if r1.StatusCode != r2.StatusCode || norm(b1, "inconnu@exemple.fr") != norm(b2, "existe@exemple.fr") {
		t.Error("sign-in answers differ between unknown address and wrong password")
	}
	// Timing: an unknown address costs a password check too.
	ctx := context.Background()
	timeOf := func(email string) time.Duration {
		best := time.Hour
		for range 3 {
			start := time.Now()
			_, _ = a.deps.Accounts.Authenticate(ctx, email, "quelconque")
			best = min(best, time.Since(start))
		}
		return best
	}
	unknown, wrong := timeOf("inconnu@exemple.fr"), timeOf("existe@exemple.fr")
	if unknown < wrong/3 {
		t.Errorf("unknown address answered in %s, wrong password in %s: timing tells them apart", unknown, wrong)
	}
}

// normalize removes from a page what legitimately differs between two
// answers: the address typed and the CSRF tokens.
func normalize(body, email string) string {
	body = strings.ReplaceAll(body, email, "X")
	return csrfInput.ReplaceAllString(strings.ReplaceAll(body, csrfMeta(body), ""), "")
}

func csrfMeta(body string) string {
	const p = `name="csrf-token" content="`
	i := strings.Index(body, p)
	if i < 0 {
		return "\x00"
	}
	rest := body[i+len(p):]
	return rest[:strings.IndexByte(rest, '"')]
}

func TestSessionIDChangesAtSignIn(t *testing.T) {
	a := newTestApp(t, nil).withAccounts(nil)
	u := a.newUser("fix@exemple.fr", "Fix")
	hash, _ := account.HashPassword("le bon mot de passe")
	_ = a.deps.DB.Conn(context.Background()).Exec(`UPDATE users SET password_hash = ? WHERE id = ?`, hash, u.ID).Error
	// An attacker plants an anonymous session id in the victim's browser.
	planted, err := a.deps.Sessions.Create(context.Background(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	a.jar[(&Server{Deps: a.deps}).sessionCookieName()] = planted.Token
	resp, _ := a.post("/connexion", url.Values{"email": {"fix@exemple.fr"}, "password": {"le bon mot de passe"}})
	wantRedirect(t, resp, "/")
	if got := a.sessionToken(); got == "" || got == planted.Token {
		t.Fatal("the session id did not change at sign-in")
	}
	if _, err := a.deps.Sessions.Get(context.Background(), planted.Token); err == nil {
		t.Error("the planted session still exists")
	}
}

func TestSessionCookieFlags(t *testing.T) {
	a := newTestApp(t, nil).withAccounts(nil)
	u := a.newUser("flags@exemple.fr", "Flags")
	hash, _ := account.HashPassword("le bon mot de passe")
	_ = a.deps.DB.Conn(context.Background()).Exec(`UPDATE users SET password_hash = ? WHERE id = ?`, hash, u.ID).Error
	resp, _ := a.post("/connexion", url.Values{"email": {"flags@exemple.fr"}, "password": {"le bon mot de passe"}})
	var found bool
	for _, c := range resp.Cookies() {
		if c.Name == "session" {
			found = true
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				t.Errorf("session cookie flags: %+v", c)
			}
		}
	}
	if !found {
		t.Fatal("no session cookie at sign-in")
	}
}

func TestStateChangingRequestsNeedCSRF(t *testing.T) {
	a := newTestApp(t, nil).withAccounts(nil)
	u := a.newUser("csrf@exemple.fr", "Csrf")
	a.signIn(u.ID)
	for _, path := range []string{"/connexion", "/inscription", "/deconnexion", "/mot-de-passe-oublie", "/compte",
		"/compte/supprimer", "/compte/donnees/export", "/admin/consultation/statut"} {
		resp, body := a.post(path, url.Values{"_csrf": {"forged"}, "confirmer": {"oui"}, "contributions": {"supprimer"}})
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Ce formulaire a expiré") {
			t.Errorf("POST %s with a forged token: %d", path, resp.StatusCode)
		}
	}
	// No token at all.
	req := httptest.NewRequest(http.MethodPost, "/compte/supprimer", strings.NewReader("confirmer=oui&contributions=supprimer"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp := a.do(req); resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST without a CSRF token: %d", resp.StatusCode)
	}
	if n := a.count(`SELECT count(*) FROM users WHERE id = ?`, u.ID); n != 1 {
		t.Fatal("a forged request deleted the account")
	}
	if _, err := a.deps.Sessions.Get(context.Background(), a.sessionToken()); err != nil {
		t.Error("a forged sign-out ended the session")
	}
}

func TestRateLimits(t *testing.T) {
	rules := ratelimit.Rules{
		"signin:ip":      {Max: 100, Window: time.Minute},
		"signin:pair":    {Max: 100, Window: time.Minute},
		"signin:account": {Max: 3, Window: time.Minute},
		"signup:ip":      {Max: 2, Window: time.Hour},
		"reset:ip":       {Max: 100, Window: time.Hour},
		"reset:account":  {Max: 2, Window: time.Hour},
	}
	a := newTestApp(t, nil).withAccounts(rules)
	for i := range 3 {
		resp, _ := a.post("/connexion", url.Values{"email": {"cible@exemple.fr"}, "password": {"essai"}})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, resp.StatusCode)
		}
	}
	resp, body := a.post("/connexion", url.Values{"email": {"CIBLE@exemple.fr"}, "password": {"essai"}})
	wantStatus(t, resp, body, http.StatusTooManyRequests)
	if !strings.Contains(body, "Trop de tentatives") || resp.Header.Get("Retry-After") == "" {
		t.Error("no French 429 page with Retry-After")
	}
	// Another account from the same address is not blocked.
	resp, _ = a.post("/connexion", url.Values{"email": {"autre@exemple.fr"}, "password": {"essai"}})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("other account: %d", resp.StatusCode)
	}
	// Per address: sign-ups.
	for i := range 2 {
		resp, _ := a.post("/inscription", signUpForm("n"+string(rune('a'+i))+"@exemple.fr", "cheval correct agrafe"))
		wantStatus(t, resp, "", 200)
	}
	resp, _ = a.post("/inscription", signUpForm("nz@exemple.fr", "cheval correct agrafe"))
	wantStatus(t, resp, "", http.StatusTooManyRequests)
	// Per account: resets.
	for range 2 {
		resp, _ := a.post("/mot-de-passe-oublie", url.Values{"email": {"cible@exemple.fr"}})
		wantStatus(t, resp, "", 200)
	}
	resp, _ = a.post("/mot-de-passe-oublie", url.Values{"email": {"cible@exemple.fr"}})
	wantStatus(t, resp, "", http.StatusTooManyRequests)
}

func TestDevMailboxOnlyLocally(t *testing.T) {
	a := newTestApp(t, nil).withAccounts(nil)
	resp, _ := a.get("/dev/mails")
	wantStatus(t, resp, "", 200)
	a.deps.Config.BaseURL, _ = url.Parse("https://concertation.example.gouv.fr")
	a.rebuild()
	resp, _ = a.get("/dev/mails")
	wantStatus(t, resp, "", http.StatusNotFound)
}
