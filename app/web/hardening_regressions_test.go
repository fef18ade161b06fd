package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cnr-numerique/concertation/app/account"
)

// Regression tests for the classes of vulnerabilities seen on civic
// platforms (Decidim, CONSUL). Each fails when its protection is removed.

// Race: many parallel supports from one account give one support and an
// exact counter (unique key + counter moved only when a row was inserted,
// in the same statement).
func TestRegressionParallelSupportsFromOneAccount(t *testing.T) {
	f := newModFix(t)
	f.deps.Limiter = permissiveLimiter(t, f.deps)
	f.app, _ = New(f.deps)
	author := f.user("Autrice")
	target := f.contribution(author, "Très convoitée")
	me := f.user("Pressée")
	f.as(me)
	token := f.csrf()
	cookies := make(map[string]string, len(f.jar))
	for k, v := range f.jar {
		cookies[k] = v
	}
	send := func(action string) int {
		req := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/contributions/%d/%s", target, action),
			strings.NewReader(url.Values{"_csrf": {token}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range cookies {
			req.AddCookie(&http.Cookie{Name: k, Value: v})
		}
		resp, err := f.app.Test(req, 30_000)
		if err != nil {
			t.Error(err)
			return 0
		}
		return resp.StatusCode
	}
	check := func(what string, wantRows int64) {
		t.Helper()
		rows := f.scalar(`SELECT count(*) FROM supports WHERE contribution_id = ? AND user_id = ?`, target, me)
		counter := f.scalar(`SELECT supports FROM contribution_counters WHERE contribution_id = ?`, target)
		if rows != wantRows || counter != wantRows {
			t.Errorf("%s: %d support rows, counter %d, want %d", what, rows, counter, wantRows)
		}
	}
	parallel := func(actions ...string) {
		var wg sync.WaitGroup
		for i := 0; i < 40; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				if st := send(actions[i%len(actions)]); st != http.StatusSeeOther {
					t.Errorf("parallel %s: status %d", actions[i%len(actions)], st)
				}
			}(i)
		}
		wg.Wait()
	}
	parallel("soutenir")
	check("40 parallel supports", 1)
	parallel("retirer-soutien")
	check("40 parallel removals", 0)
	parallel("soutenir", "retirer-soutien")
	rows := f.scalar(`SELECT count(*) FROM supports WHERE contribution_id = ?`, target)
	check("mixed supports and removals", rows)
}

// CSRF: every state-changing route of routes(), without a token, with a
// forged one, or with a token of another browser, is refused (403) before
// its handler runs, even for an administrator.
func TestRegressionCSRFOnEveryForm(t *testing.T) {
	f := newMatrixFix(t)
	admin := f.ids[6]
	if err := f.deps.Accounts.AddHubMember(context.Background(), f.hubA, admin); err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{"moderator", "rapporteur"} {
		if err := f.deps.Accounts.GrantRole(context.Background(), admin, r); err != nil {
			t.Fatal(err)
		}
	}
	target := f.contribution(admin, "Cible")
	arg := f.argument(target, f.owner, "Argument")
	other := newTestAppOn(t, f.deps.DB, nil) // another browser, signed in too
	other.signIn(f.ids[1])
	foreignToken := other.csrf()
	f.as(admin)
	state := func() string {
		return f.text(`SELECT (SELECT count(*) FROM contributions) || '/' || (SELECT count(*) FROM supports) || '/' || (SELECT count(*) FROM arguments) || '/' ||
			(SELECT count(*) FROM reports) || '/' || (SELECT count(*) FROM audit_log) || '/' || (SELECT count(*) FROM users) || '/' || (SELECT count(*) FROM sessions) || '/' ||
			(SELECT string_agg(status || coalesce(hidden_reason, ''), ',' ORDER BY id) FROM contributions)`)
	}
	before := state()
	n := 0
	for _, rt := range (&Server{}).routes() {
		if rt.method == http.MethodGet || rt.method == http.MethodHead {
			continue
		}
		n++
		path := rt.path
		id := target
		if strings.HasPrefix(path, "/arguments/") || strings.HasPrefix(path, "/moderation/arguments/") {
			id = arg
		}
		if strings.HasPrefix(path, "/moderation/comptes/") || strings.HasPrefix(path, "/admin/utilisateurs/") {
			id = f.owner
		}
		path = strings.NewReplacer(":id", strconv.FormatInt(id, 10), ":slug", "rhinocc", ":provider", "franceconnect").Replace(path)
		form := url.Values{"entree": {"libres"}, "axe": {axisForm}, "titre": {"T"}, "texte": {"T"}, "position": {"pour"}, "raison": {"spam"},
			"motif": {"spam"}, "duree": {"7"}, "confirmer": {"oui"}, "contributions": {"supprimer"}, "status": {"closed"}, "role": {"admin"}, "action": {"grant"},
			"email": {"x@exemple.fr"}, "password": {"un mot de passe assez long"}, "etiquette": {"e"}, "note": {"n"}, "nom": {"s"}}
		for _, tok := range []struct{ name, value string }{{"without a token", ""}, {"with a forged token", "forged"}, {"with another browser's token", foreignToken}} {
			body := url.Values{}
			for k, v := range form {
				body[k] = v
			}
			if tok.value != "" {
				body.Set(csrfField, tok.value)
			}
			req := httptest.NewRequest(rt.method, path, strings.NewReader(body.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp := f.do(req)
			b := readBody(t, resp)
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(b, "Ce formulaire a expiré") {
				t.Errorf("%s %s %s: status %d, want the French 403", rt.method, path, tok.name, resp.StatusCode)
			}
		}
		// A cross-site form with the right token is refused by its Origin.
		body := url.Values{}
		for k, v := range form {
			body[k] = v
		}
		body.Set(csrfField, f.csrf())
		req := httptest.NewRequest(rt.method, path, strings.NewReader(body.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		if resp := f.do(req); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s %s from another origin: %d", rt.method, path, resp.StatusCode)
		}
	}
	if n < 30 {
		t.Fatalf("only %d state-changing routes found", n)
	}
	if after := state(); after != before {
		t.Errorf("a forged request changed the state: %s → %s", before, after)
	}
}

// Open redirect: after sign-in (and after completing the profile), the
// return address is always a path of this site.
func TestRegressionOpenRedirectAfterSignIn(t *testing.T) {
	a := newTestApp(t, nil)
	a.withAccounts(nil)
	a.deps.Limiter = permissiveLimiter(t, a.deps) // many sign-ins in a row
	a.rebuild()
	u := a.newUser("retour@exemple.fr", "Retour")
	hash, _ := account.HashPassword("le bon mot de passe")
	if err := a.deps.DB.Conn(context.Background()).Exec(`UPDATE users SET password_hash = ? WHERE id = ?`, hash, u.ID).Error; err != nil {
		t.Fatal(err)
	}
	hostile := []string{"https://evil.example/", "//evil.example", "///evil.example", `/\evil.example`, `\/evil.example`, "/%2F%2Fevil.example",
		"/%5Cevil.example", "http:evil.example", "javascript:alert(1)", "data:text/html,<script>alert(1)</script>", " //evil.example",
		"/\t/evil.example", "/\r\nLocation: https://evil.example", "HTTPS://evil.example", "evil.example"}
	local := func(loc string) bool {
		u, err := url.Parse(loc)
		return err == nil && strings.HasPrefix(loc, "/") && !strings.HasPrefix(loc, "//") && !strings.HasPrefix(loc, `/\`) &&
			u.Host == "" && u.Scheme == "" && !strings.ContainsAny(loc, "\\\r\n\t")
	}
	for _, ret := range hostile {
		a.jar = map[string]string{}
		resp, _ := a.post("/connexion", url.Values{"email": {"retour@exemple.fr"}, "password": {"le bon mot de passe"}, "retour": {ret}})
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !local(loc) || strings.Contains(loc, "evil") {
			t.Errorf("sign-in with retour=%q: %d to %q", ret, resp.StatusCode, loc)
		}
		// The return address carried by the sign-in page is made safe too.
		_, body := a.get("/connexion?retour=" + url.QueryEscape(ret))
		if strings.Contains(body, "evil.example") {
			t.Errorf("the sign-in page carries retour=%q", ret)
		}
		resp, _ = a.post("/compte/completer", url.Values{"display_name": {"Retour"}, "category": {"citoyen"}, "departement": {"29"}, "terms": {"oui"}, "retour": {ret}})
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !local(loc) || strings.Contains(loc, "evil") {
			t.Errorf("profile completion with retour=%q: %d to %q", ret, resp.StatusCode, loc)
		}
	}
	// A local return address is honoured.
	a.jar = map[string]string{}
	resp, _ := a.post("/connexion", url.Values{"email": {"retour@exemple.fr"}, "password": {"le bon mot de passe"}, "retour": {"/contributions?tri=soutiens"}})
	if loc := resp.Header.Get("Location"); loc != "/contributions?tri=soutiens" {
		t.Errorf("local return address: %q", loc)
	}
}

// Account enumeration: sign-up, sign-in and password reset answer the same
// whether an address has an account or not.
func TestRegressionAccountEnumeration(t *testing.T) {
	a := newTestApp(t, nil).withAccounts(nil)
	u := a.newUser("connue@exemple.fr", "Connue")
	hash, _ := account.HashPassword("le bon mot de passe")
	if err := a.deps.DB.Conn(context.Background()).Exec(`UPDATE users SET password_hash = ? WHERE id = ?`, hash, u.ID).Error; err != nil {
		t.Fatal(err)
	}
	same := func(what string, known, unknown func() (*http.Response, string)) {
		t.Helper()
		a.jar = map[string]string{}
		r1, b1 := known()
		a.jar = map[string]string{}
		r2, b2 := unknown()
		n1, n2 := normalize(normalize(b1, "inconnue@exemple.fr"), "connue@exemple.fr"), normalize(normalize(b2, "inconnue@exemple.fr"), "connue@exemple.fr")
		if r1.StatusCode != r2.StatusCode || r1.Header.Get("Location") != r2.Header.Get("Location") || n1 != n2 {
			t.Errorf("%s: known address %d %q, unknown %d %q: the answers differ%s", what, r1.StatusCode, r1.Header.Get("Location"), r2.StatusCode, r2.Header.Get("Location"), firstDiff(n1, n2))
		}
	}
	same("sign-in", func() (*http.Response, string) {
		return a.post("/connexion", url.Values{"email": {"connue@exemple.fr"}, "password": {"pas le bon"}})
	}, func() (*http.Response, string) {
		return a.post("/connexion", url.Values{"email": {"inconnue@exemple.fr"}, "password": {"pas le bon"}})
	})
	same("password reset", func() (*http.Response, string) {
		return a.post("/mot-de-passe-oublie", url.Values{"email": {"connue@exemple.fr"}})
	}, func() (*http.Response, string) {
		return a.post("/mot-de-passe-oublie", url.Values{"email": {"inconnue@exemple.fr"}})
	})
	same("sign-up", func() (*http.Response, string) {
		return a.post("/inscription", signUpForm("connue@exemple.fr", "cheval correct agrafe"))
	}, func() (*http.Response, string) {
		return a.post("/inscription", signUpForm("inconnue@exemple.fr", "cheval correct agrafe"))
	})
}

// firstDiff shows where two pages start to differ.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	if i == len(a) && i == len(b) {
		return ""
	}
	end := func(s string) string { return s[i:min(len(s), i+120)] }
	start := max(0, i-80)
	return fmt.Sprintf("\n… %s[%s | %s]", a[start:i], end(a), end(b))
}
