package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestSignUpPreHijack: someone signs up first with another person's address
// and a password of their own. When the owner of the address signs up and
// confirms, the account is theirs: the first password no longer works.
func TestSignUpPreHijack(t *testing.T) {
	a := newTestApp(t, nil).withAccounts(nil)
	const victim = "victime@exemple.fr"
	const attackerPW, victimPW = "mot de passe attaquant", "mot de passe victime"

	attacker := &testApp{t: t, app: a.app, deps: a.deps, jar: map[string]string{}}
	form := signUpForm(victim, attackerPW)
	form.Set("display_name", "Nom Attaquant")
	resp, body := attacker.post("/inscription", form)
	wantStatus(t, resp, body, 200)
	attackerLink := a.lastMailLink(victim)

	resp, body = a.post("/inscription", signUpForm(victim, victimPW))
	wantStatus(t, resp, body, 200)
	if !strings.Contains(body, "Vérifiez votre boîte mail") {
		t.Fatal("the second sign-up does not answer as the first")
	}
	link := a.lastMailLink(victim)
	if link == attackerLink {
		t.Fatal("no new link")
	}
	// The earlier link is dead.
	resp, body = a.get(attackerLink)
	wantStatus(t, resp, body, http.StatusBadRequest)

	token, _ := url.QueryUnescape(strings.TrimPrefix(link, "/inscription/confirmer?jeton="))
	// The attacker's password does not confirm the address.
	resp, body = attacker.post("/inscription/confirmer", url.Values{"jeton": {token}, "password": {attackerPW}})
	wantStatus(t, resp, body, http.StatusUnauthorized)
	if !strings.Contains(body, "Mot de passe incorrect") || !strings.Contains(body, "/mot-de-passe-oublie") {
		t.Errorf("wrong password at confirmation:\n%s", body)
	}
	if n := a.count(`SELECT count(*) FROM users WHERE email = ? AND email_verified_at IS NOT NULL`, victim); n != 0 {
		t.Fatal("a wrong password verified the address")
	}
	resp, _ = a.post("/inscription/confirmer", url.Values{"jeton": {token}, "password": {victimPW}})
	wantRedirect(t, resp, "/compte?info=verifie")
	_, body = a.get("/compte")
	if strings.Contains(body, "Nom Attaquant") || !strings.Contains(body, "Zoé Testeuse") {
		t.Error("the profile of the first sign-up was kept")
	}

	fresh := &testApp{t: t, app: a.app, deps: a.deps, jar: map[string]string{}}
	resp, body = fresh.post("/connexion", url.Values{"email": {victim}, "password": {attackerPW}})
	wantStatus(t, resp, body, http.StatusUnauthorized)
	if fresh.sessionToken() != "" {
		t.Fatal("the attacker signed in")
	}
	resp, _ = fresh.post("/connexion", url.Values{"email": {victim}, "password": {victimPW}})
	wantRedirect(t, resp, "/")
	if fresh.sessionToken() == "" {
		t.Fatal("the owner cannot sign in")
	}

	// Signing up again once verified changes nothing.
	resp, body = attacker.post("/inscription", signUpForm(victim, attackerPW))
	wantStatus(t, resp, body, 200)
	resp, body = fresh.post("/connexion", url.Values{"email": {victim}, "password": {attackerPW}})
	wantStatus(t, resp, body, http.StatusUnauthorized)
}
