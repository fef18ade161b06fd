package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

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
