package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/app/account"
)

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
