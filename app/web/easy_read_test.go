package web

import (
	"net/http"
	"strings"
	"testing"
)

// TestEasyReadSwitch follows the easy-to-read switch without JavaScript: each
// page with an easy version shows a link to it that keeps the page; the
// choice then holds on the next pages (cookie) until the link back.
func TestEasyReadSwitch(t *testing.T) {
	a := newTestApp(t, nil)
	axis := "/axes/formation-structuration-filiere"
	resp, body := a.get(axis + "?tri=soutiens")
	expect(t, "usual axis", resp, body, http.StatusOK, "Formation et structuration de la filière professionnelle",
		`href="/axes/formation-structuration-filiere?facile=1&amp;tri=soutiens"`, "Lire cette page en facile à lire")
	if strings.Contains(body, "Former les personnes qui aident") {
		t.Error("the easy version is shown before it is chosen")
	}

	resp, body = a.get(axis + "?facile=1&tri=soutiens")
	expect(t, "easy axis", resp, body, http.StatusOK, "<h1>Former les personnes qui aident</h1>",
		"Aider les personnes loin du numérique est un vrai métier.", "Comment donner envie de faire ce métier, et créer des emplois ?",
		"Nom habituel de l'axe : Formation et structuration", "Revenir au texte habituel",
		`href="/axes/formation-structuration-filiere?facile=0&amp;tri=soutiens"`)

	// The choice holds on the next pages.
	_, body = a.get("/")
	mustContain(t, body, "13 millions de personnes en France ont des difficultés avec le numérique.", "Axe 1 : Qui décide, et avec quel argent ?")
	_, body = a.get("/inscription")
	mustContain(t, body, "Étape 1. Écrivez votre adresse e-mail.", "Revenir au texte habituel")
	u := a.newUser("facile@exemple.fr", "Camille")
	a.signIn(u.ID)
	_, body = a.get("/contributions/nouvelle")
	mustContain(t, body, "Étape 3. Écrivez un titre court.", `name="titre"`)

	// Back to the usual texts.
	_, body = a.get("/?facile=0")
	if strings.Contains(body, "13 millions de personnes en France ont des difficultés") || !strings.Contains(body, "Lire cette page en facile à lire") {
		t.Error("the link back does not restore the usual texts")
	}
	_, body = a.get(axis)
	mustContain(t, body, "<h1>Formation et structuration de la filière professionnelle</h1>")
}
