package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/app/accessibility"
	"github.com/cnr-numerique/concertation/app/ratelimit"
)

// TestAccessibilityDeclaration checks the declaration: status, rate and grid
// from the audit, the non-conformities with their plan, the contact address
// from the configuration, the Défenseur des droits, and the footer's status.
func TestAccessibilityDeclaration(t *testing.T) {
	a := newTestApp(t, nil)
	a.deps.Config.AccessibilityContact = "accessibilite@exemple.gouv.fr"
	a.rebuild()
	audit, err := accessibility.Current()
	if err != nil {
		t.Fatal(err)
	}
	resp, body := a.get("/accessibilite")
	expect(t, "declaration", resp, body, http.StatusOK,
		"est <strong>"+audit.Status()+"</strong>", "RGAA", "des critères du RGAA 4.1 applicables sont respectés",
		"Critère 11.10", "Correction : ", "Grille d'audit", "Thème 13 : Consultation", "axe-core",
		`href="mailto:accessibilite@exemple.gouv.fr"`, "Défenseur des droits", "Libre réponse 71120",
		`action="/accessibilite/contact"`)
	if !strings.Contains(body, "Accessibilité : "+audit.Status()) {
		t.Errorf("the footer does not show the audit's status %q", audit.Status())
	}
	_, home := a.get("/")
	if !strings.Contains(home, "Accessibilité : "+audit.Status()) || strings.Contains(home, "Accessibilité : non conforme") {
		t.Error("the home page's footer does not show the audit's status")
	}
}

// TestAccessibilityContactForm follows a message: refused with French
// messages when empty or with a bad address, stored and confirmed in French,
// listed for administrators (and only them), marked handled, and limited per
// address.
func TestAccessibilityContactForm(t *testing.T) {
	a := newTestApp(t, nil).withAccounts(ratelimit.Rules{"contact:ip": {Max: 3, Window: 3600e9}})
	resp, body := a.post("/accessibilite/contact", url.Values{"email": {"camille"}, "message": {"  "}})
	expect(t, "invalid", resp, body, http.StatusUnprocessableEntity, "Écrivez votre message.", "Exemple : nom@domaine.fr", `value="camille"`)

	resp, body = a.post("/accessibilite/contact", url.Values{"nom": {"Camille"}, "email": {"camille@exemple.fr"},
		"page": {"Créer un compte"}, "message": {"Je n'arrive pas à choisir mon département."}})
	expect(t, "sent", resp, body, http.StatusOK, "Message envoyé", "a bien reçu votre message", "camille@exemple.fr")
	resp, body = a.post("/accessibilite/contact", url.Values{"message": {"Sans adresse."}})
	expect(t, "sent without address", resp, body, http.StatusOK, "nous ne pourrons pas vous répondre")
	resp, body = a.post("/accessibilite/contact", url.Values{"message": {"Encore un."}})
	expect(t, "limited", resp, body, http.StatusTooManyRequests, "patienter")

	resp, _ = a.post("/accessibilite/contact", url.Values{"_csrf": {"faux"}, "message": {"x"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("without a valid form token: %d", resp.StatusCode)
	}
	if n := a.count(`SELECT count(*) FROM accessibility_messages`); n != 2 {
		t.Errorf("%d messages stored, want 2", n)
	}

	citizen := a.newUser("citoyen@exemple.fr", "Citoyen")
	a.signIn(citizen.ID)
	if resp, _ := a.get("/admin/accessibilite"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a citizen reads the messages: %d", resp.StatusCode)
	}
	admin := a.newUser("admin@exemple.fr", "Admin")
	if err := a.deps.Accounts.GrantRole(context.Background(), admin.ID, "admin"); err != nil {
		t.Fatal(err)
	}
	a.signIn(admin.ID)
	resp, body = a.get("/admin/accessibilite")
	expect(t, "admin list", resp, body, http.StatusOK, "Je n&#39;arrive pas à choisir mon département.", "camille@exemple.fr", "Créer un compte", "2 messages attendent")
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("admin list Cache-Control %q", resp.Header.Get("Cache-Control"))
	}
	id := a.count(`SELECT min(id) FROM accessibility_messages`)
	resp, _ = a.post("/admin/accessibilite/"+strconv.FormatInt(id, 10)+"/traite", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("mark handled: %d", resp.StatusCode)
	}
	_, body = a.get("/admin/accessibilite")
	expect(t, "after", resp, body, http.StatusSeeOther, "1 message attend", "Traité le")
}
