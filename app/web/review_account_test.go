package web

import (
	"context"
	"fmt"
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

// TestAuthorPageOnlyForAuthors: an account without a published free
// contribution has no public page.
func TestAuthorPageOnlyForAuthors(t *testing.T) {
	a := newTestApp(t, nil)
	u := a.newUser("zoe@exemple.fr", "Zoé Secrète")
	other := a.newUser("olga@exemple.fr", "Olga Autrice")
	ctx := context.Background()
	hubProp := reviewInsert(t, a, other.ID, "hubs", "Proposition du Hub", nil)
	free := reviewInsert(t, a, u.ID, "libres", "Ma contribution", nil)
	_ = hubProp
	if err := a.deps.DB.Conn(ctx).Exec(`UPDATE contributions SET status = 'withdrawn' WHERE id = ?`, free).Error; err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{u.ID, other.ID} {
		resp, body := a.get(fmt.Sprintf("/auteurs/%d", id))
		wantStatus(t, resp, body, http.StatusNotFound)
		if strings.Contains(body, "Zoé Secrète") || strings.Contains(body, "Olga Autrice") || !strings.Contains(body, "existe pas") {
			t.Errorf("author page of %d:\n%s", id, body)
		}
	}
	reviewInsert(t, a, u.ID, "libres", "Publiée", nil)
	resp, body := a.get(fmt.Sprintf("/auteurs/%d", u.ID))
	wantStatus(t, resp, body, 200)
	mustContain(t, body, "Zoé Secrète", "Publiée")
}

// reviewInsert adds a published contribution of author with its counters;
// entry 'hubs' goes to the first Hub.
func reviewInsert(t *testing.T, a *testApp, author int64, entry, title string, reactsTo *int64) int64 {
	t.Helper()
	conn := a.deps.DB.Conn(context.Background())
	var id int64
	var rt any
	if reactsTo != nil {
		rt = "soutient"
	}
	err := conn.Raw(`INSERT INTO contributions (consultation_id, entry, axis_id, hub_id, author_id, author_category, title, body, reacts_to_id, reaction_type)
		SELECT c.id, ?, x.id, CASE WHEN ? = 'hubs' THEN (SELECT id FROM hubs ORDER BY id LIMIT 1) END, ?, CASE WHEN ? = 'hubs' THEN 'hub' ELSE 'citoyen' END, ?, 'Un texte.', ?, ?
		FROM consultations c JOIN axes x ON x.consultation_id = c.id
		ORDER BY x.position LIMIT 1 RETURNING id`, entry, entry, author, entry, title, reactsTo, rt).Scan(&id).Error
	if err != nil || id == 0 {
		t.Fatalf("insert contribution: %v", err)
	}
	if err := conn.Exec(`INSERT INTO contribution_counters (contribution_id) VALUES ( ? )`, id).Error; err != nil {
		t.Fatal(err)
	}
	return id
}

// TestDeleteAccountRecountsAndKeepsHubProposals: deleting an account with
// its contributions recounts the reactions of the Hub proposals it reacted
// to, tells the search index, and keeps its own Hub proposals (they belong
// to the Hub) without its name, with the supports of others.
func TestDeleteAccountRecountsAndKeepsHubProposals(t *testing.T) {
	for _, choice := range []string{"supprimer", "anonymiser"} {
		t.Run(choice, func(t *testing.T) {
			a := newTestApp(t, nil).withAccounts(nil)
			ctx := context.Background()
			conn := a.deps.DB.Conn(ctx)
			u := a.newUser("zoe@exemple.fr", "Zoé Testeuse")
			other := a.newUser("olga@exemple.fr", "Olga")
			target := reviewInsert(t, a, other.ID, "hubs", "Proposition d'Olga", nil)
			mine := reviewInsert(t, a, u.ID, "hubs", "Proposition de Zoé", nil)
			reviewInsert(t, a, u.ID, "libres", "Ma réaction", &target)
			reviewInsert(t, a, other.ID, "libres", "Réaction d'Olga", &target)
			for _, sql := range []string{
				`UPDATE contribution_counters SET reactions_soutient = 2 WHERE contribution_id = ?`,
				`INSERT INTO supports (contribution_id, user_id) VALUES ( ?, ` + fmt.Sprint(other.ID) + `)`,
				`UPDATE contribution_counters SET supports = 1 WHERE contribution_id = ?`,
			} {
				id := target
				if !strings.HasPrefix(sql, "UPDATE contribution_counters SET reactions") {
					id = mine
				}
				if err := conn.Exec(sql, id).Error; err != nil {
					t.Fatal(err)
				}
			}
			if err := conn.Exec(`DELETE FROM search_outbox`).Error; err != nil {
				t.Fatal(err)
			}
			a.signIn(u.ID)
			resp, _ := a.post("/compte/supprimer", url.Values{"contributions": {choice}, "confirmer": {"oui"}})
			wantRedirect(t, resp, "/connexion?info=compte-supprime")

			wantReactions := int64(2)
			if choice == "supprimer" {
				wantReactions = 1
			}
			if n := a.count(`SELECT reactions_soutient FROM contribution_counters WHERE contribution_id = ?`, target); n != wantReactions {
				t.Errorf("reactions counter %d, want %d", n, wantReactions)
			}
			if n := a.count(`SELECT count(*) FROM contributions WHERE reacts_to_id = ? AND reaction_type = 'soutient' AND status = 'published'`, target); n != wantReactions {
				t.Errorf("%d reactions left, want %d", n, wantReactions)
			}
			if n := a.count(`SELECT count(*) FROM search_outbox WHERE contribution_id = ?`, target); n == 0 {
				t.Error("the search index is not told about the Hub proposal reacted to")
			}
			if n := a.count(`SELECT count(*) FROM contributions WHERE id = ? AND author_id IS NULL AND status = 'published'`, mine); n != 1 {
				t.Fatal("the Hub proposal of the deleted account is gone or still signed")
			}
			if n := a.count(`SELECT count(*) FROM supports WHERE contribution_id = ?`, mine); n != 1 {
				t.Error("the supports of others on the Hub proposal are gone")
			}
			if n := a.count(`SELECT supports FROM contribution_counters WHERE contribution_id = ?`, mine); n != 1 {
				t.Errorf("support counter of the Hub proposal %d, want 1", n)
			}
		})
	}
}
