package web

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestEveryAccountPageSendsToSignIn calls every GET route of routes() as a
// visitor who is not signed in: a page either answers (public pages) or
// redirects to the sign-in page with itself as the return address. No 401
// or 403 dead end.
func TestEveryAccountPageSendsToSignIn(t *testing.T) {
	f := newModFix(t)
	author := f.user("Autrice")
	id := f.contribution(author, "Une contribution")
	arg := f.argument(id, author, "Un argument")
	params := strings.NewReplacer(":id/signaler", "", ":slug", "rhinocc", ":provider", "inconnu", ":file", "contributions.csv")
	f.as(0)
	for _, rt := range (&Server{}).routes() {
		if rt.method != "GET" {
			continue
		}
		path := params.Replace(rt.path)
		switch {
		case strings.HasPrefix(rt.path, "/arguments/:id"):
			path = fmt.Sprintf("/arguments/%d/signaler", arg)
		case strings.Contains(rt.path, ":id/signaler"):
			path = fmt.Sprintf("/contributions/%d/signaler", id)
		case strings.HasPrefix(rt.path, "/auteurs/"):
			path = fmt.Sprintf("/auteurs/%d", author)
		case strings.Contains(rt.path, ":id"):
			path = strings.Replace(rt.path, ":id", fmt.Sprint(id), 1)
		}
		if path == "/contributions/nouvelle" {
			path += fmt.Sprintf("?reagit_a=%d", id) // the query comes back too
		}
		resp, body := f.get(path)
		switch resp.StatusCode {
		case http.StatusSeeOther, http.StatusFound:
			if want := "/connexion?retour=" + url.QueryEscape(path); resp.Header.Get("Location") != want {
				t.Errorf("GET %s: sent to %q, want %q", path, resp.Header.Get("Location"), want)
			}
		case http.StatusUnauthorized, http.StatusForbidden:
			t.Errorf("GET %s: %d for a visitor, want the sign-in page\n%s", path, resp.StatusCode, excerpt(body))
		}
	}
}

// TestSignInComesBackToThePage: from a page that needs an account, the
// sign-in form brings the person back to it.
func TestSignInComesBackToThePage(t *testing.T) {
	a := newTestApp(t, nil).withAccounts(nil)
	u := a.newUser("lea@exemple.fr", "Léa")
	if err := a.deps.Accounts.SetPassword(t.Context(), u.ID, "cheval correct agrafe", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, _ := a.get("/contributions/nouvelle?reagit_a=1")
	signIn := wantRedirect(t, resp, "/connexion?retour=")
	resp, body := a.get(signIn)
	wantStatus(t, resp, body, 200)
	ret := hiddenValue(t, body, "retour")
	if ret != "/contributions/nouvelle?reagit_a=1" {
		t.Fatalf("sign-in form return %q", ret)
	}
	resp, _ = a.post("/connexion", url.Values{"email": {"lea@exemple.fr"}, "password": {"cheval correct agrafe"}, "retour": {ret}})
	wantRedirect(t, resp, "/contributions/nouvelle?reagit_a=1")
}

// TestSignInLinksOfAContributionComeBack: every "Connectez-vous" of a
// contribution page (support, react, argue) returns to the contribution.
func TestSignInLinksOfAContributionComeBack(t *testing.T) {
	f := newModFix(t)
	id := f.scalar(`INSERT INTO contributions (consultation_id, entry, axis_id, hub_id, author_id, author_category, title, body)
		VALUES (?, 'hubs', ?, (SELECT id FROM hubs WHERE slug = 'rhinocc'), ?, 'hub', 'Proposition', 'Texte.') RETURNING id`,
		f.cons, f.axis, f.user("Membre"))
	f.exec(`INSERT INTO contribution_counters (contribution_id) VALUES (?)`, id)
	f.as(0)
	page := fmt.Sprintf("/contributions/%d", id)
	_, body := f.get(page)
	links := regexp.MustCompile(`<a href="(/connexion[^"]*)">Connectez-vous</a> pour ([^.<]+)`).FindAllStringSubmatch(body, -1)
	got := map[string]string{}
	for _, l := range links {
		u, err := url.Parse(html.UnescapeString(l[1]))
		if err != nil {
			t.Fatal(err)
		}
		got[l[2]] = u.Query().Get("retour")
	}
	for what, want := range map[string]string{"soutenir": page, "réagir à cette proposition": page, "donner un argument": page + "#arguments"} {
		if got[what] != want {
			t.Errorf("« Connectez-vous pour %s » returns to %q, want %q (links %v)", what, got[what], want, got)
		}
	}
	// From a list, the link returns to the list as it was filtered.
	_, body = f.get("/contributions?tri=soutiens&entree=hubs")
	if !strings.Contains(body, `href="/connexion?retour=%2fcontributions%3fentree%3dhubs%26tri%3dsoutiens">Connectez-vous</a> pour soutenir`) {
		t.Errorf("the list's sign-in link does not return to the list\n%s", excerpt(body))
	}
}

// TestSignUpComesBackToThePage: the return address goes from the sign-in
// page to the sign-up form, into the confirmation mail, and after the
// confirmation the person lands on the page they started from.
func TestSignUpComesBackToThePage(t *testing.T) {
	a := newTestApp(t, nil).withAccounts(nil)
	const ret = "/contributions/nouvelle?reagit_a=1"
	_, body := a.get("/connexion?retour=" + url.QueryEscape(ret))
	signUp := regexp.MustCompile(`href="(/inscription\?retour=[^"]*)">Créer un compte`).FindStringSubmatch(body)
	if signUp == nil {
		t.Fatal("no sign-up link on the sign-in page")
	}
	resp, body := a.get(html.UnescapeString(signUp[1]))
	wantStatus(t, resp, body, 200)
	if got := hiddenValue(t, body, "retour"); got != ret {
		t.Fatalf("sign-up form return %q", got)
	}
	form := signUpForm("nouvelle@exemple.fr", "cheval correct agrafe")
	form.Set("retour", ret)
	resp, body = a.post("/inscription", form)
	wantStatus(t, resp, body, 200)
	link := a.lastMailLink("nouvelle@exemple.fr")
	if u, _ := url.Parse(link); u.Query().Get("retour") != ret {
		t.Fatalf("the confirmation link %q does not carry the return address", link)
	}
	resp, body = a.get(link)
	wantStatus(t, resp, body, 200)
	resp, _ = a.post("/inscription/confirmer", url.Values{"jeton": {hiddenValue(t, body, "jeton")}, "password": {"cheval correct agrafe"},
		"retour": {hiddenValue(t, body, "retour")}})
	wantRedirect(t, resp, ret)
	if resp.Header.Get("Location") != ret {
		t.Errorf("after confirming: %q, want %q", resp.Header.Get("Location"), ret)
	}
}

// hiddenValue returns the value of the hidden field name in body.
func hiddenValue(t *testing.T, body, name string) string {
	t.Helper()
	m := regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `" value="([^"]*)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no field %s in\n%s", name, excerpt(body))
	}
	return html.UnescapeString(m[1])
}
