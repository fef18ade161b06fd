package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// refused checks that resp is a French 4xx refusal (never a 500).
func refused(t *testing.T, what string, resp *http.Response, body string) {
	t.Helper()
	if resp.StatusCode < 400 || resp.StatusCode >= 500 {
		t.Errorf("%s: status %d, want a 4xx refusal\n%s", what, resp.StatusCode, excerpt(body))
	}
}

// No IDOR: an account cannot edit or withdraw another's free contribution,
// whatever it sends.
func TestNoIDOROnContributions(t *testing.T) {
	f := newMatrixFix(t)
	id := f.contribution(f.owner, "Celle de la propriétaire")
	row := func() string {
		return f.text(`SELECT title || '|' || body || '|' || status || '|' || coalesce(edited_at::text, '-') FROM contributions WHERE id = ?`, id)
	}
	before := row()
	for i, role := range matrixRoles {
		if i == 0 {
			continue
		}
		f.as(f.ids[i])
		path := fmt.Sprintf("/contributions/%d", id)
		resp, body := f.get(path + "/modifier")
		expect(t, role+" edit form", resp, body, http.StatusForbidden, "Seule la personne qui a écrit cette contribution")
		resp, body = f.post(path+"/modifier", url.Values{"axe": {axisForm}, "titre": {"Piraté"}, "texte": {"Piraté"},
			"author_id": {strconv.FormatInt(f.ids[i], 10)}})
		expect(t, role+" edit", resp, body, http.StatusForbidden)
		resp, body = f.post(path+"/retirer", url.Values{"author_id": {strconv.FormatInt(f.ids[i], 10)}})
		expect(t, role+" withdraw", resp, body, http.StatusForbidden)
	}
	if after := row(); after != before {
		t.Errorf("another account changed the contribution: %s → %s", before, after)
	}
	// Its author can.
	f.as(f.owner)
	resp, body := f.post(fmt.Sprintf("/contributions/%d/modifier", id), url.Values{"axe": {axisForm}, "titre": {"Changé"}, "texte": {"Changé"}})
	expect(t, "author edit", resp, body, http.StatusSeeOther)
}

// Only members of a Hub publish for it: a member of another Hub, or anyone
// else, cannot, neither by creating nor by editing.
func TestNoPublishingForAnotherHub(t *testing.T) {
	f := newMatrixFix(t)
	count := func() int64 { return f.scalar(`SELECT count(*) FROM contributions WHERE hub_id = ?`, f.hubA) }
	for _, i := range []int{1, 3, 4, 5, 6} { // everyone but the members of Hub A
		f.as(f.ids[i])
		resp, body := f.post("/contributions/nouvelle", url.Values{"entree": {"hubs"}, "hub": {"rhinocc"}, "hub_id": {strconv.FormatInt(f.hubA, 10)},
			"axe": {axisForm}, "titre": {"Au nom du Hub A"}, "texte": {"Texte"}})
		refused(t, matrixRoles[i]+" publishing for Hub A", resp, body)
	}
	if n := count(); n != 0 {
		t.Fatalf("%d proposals published for Hub A by non-members", n)
	}
	// A member of Hub B editing their own proposal cannot move it to Hub A.
	f.as(f.ids[3])
	resp, _ := f.post("/contributions/nouvelle", url.Values{"entree": {"hubs"}, "hub": {"hub-bretagne"}, "axe": {axisForm}, "titre": {"Du Hub B"}, "texte": {"Texte"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("member of Hub B publishing for B: %d", resp.StatusCode)
	}
	id := pathID(resp.Header.Get("Location"))
	resp, body := f.post(fmt.Sprintf("/contributions/%d/modifier", id), url.Values{"entree": {"hubs"}, "hub": {"rhinocc"}, "hub_id": {strconv.FormatInt(f.hubA, 10)},
		"axe": {axisForm}, "titre": {"Toujours du Hub B"}, "texte": {"Texte"}})
	if resp.StatusCode >= 500 {
		t.Fatalf("edit: %d\n%s", resp.StatusCode, excerpt(body))
	}
	if got := f.scalar(`SELECT hub_id FROM contributions WHERE id = ?`, id); got != f.hubB {
		t.Errorf("the proposal moved to Hub %d", got)
	}
	if n := count(); n != 0 {
		t.Errorf("%d proposals for Hub A", n)
	}
}

// The personal-data export holds the data of the signed-in account only,
// whatever the request names.
func TestDataExportIsOwnOnly(t *testing.T) {
	f := newModFix(t)
	alice := f.user("Alice")
	bob := f.user("Bob")
	aliceEmail := f.text(`SELECT email FROM users WHERE id = ?`, alice)
	bobEmail := f.text(`SELECT email FROM users WHERE id = ?`, bob)
	f.contribution(alice, "Secret d'Alice")
	f.as(bob)
	id := strconv.FormatInt(alice, 10)
	resp, body := f.post("/compte/donnees/export?user_id="+id+"&id="+id, url.Values{"user_id": {id}, "id": {id}, "email": {aliceEmail}})
	expect(t, "export", resp, body, 200, bobEmail)
	if strings.Contains(body, aliceEmail) || strings.Contains(body, "Secret d'Alice") || strings.Contains(body, "Alice") {
		t.Errorf("Bob's export holds Alice's data")
	}
	f.as(0)
	resp, body = f.post("/compte/donnees/export", url.Values{"user_id": {id}})
	if resp.StatusCode == 200 || strings.Contains(body, aliceEmail) {
		t.Errorf("anonymous export: %d", resp.StatusCode)
	}
}

// No field set by the client that it must not set: status, Hub, counters,
// author, category, dates and consultation are the server's, whatever extra
// fields a forged form carries.
func TestNoMassAssignment(t *testing.T) {
	f := newMatrixFix(t)
	other := strconv.FormatInt(f.owner, 10)
	extras := url.Values{
		"status": {"hidden"}, "statut": {"hidden"}, "hidden_reason": {"forgé"}, "author_id": {other}, "auteur": {other}, "user_id": {other},
		"supports": {"999"}, "soutiens": {"999"}, "arguments_pour": {"999"}, "hub": {"rhinocc"}, "hub_id": {strconv.FormatInt(f.hubA, 10)},
		"author_category": {"elu"}, "categorie": {"elu"}, "created_at": {"2001-01-01"}, "consultation_id": {"999"}, "id": {"1"},
	}
	with := func(base url.Values) url.Values {
		v := url.Values{}
		for k, x := range extras {
			v[k] = x
		}
		for k, x := range base {
			v[k] = x
		}
		return v
	}
	me := f.ids[1] // a citizen, member of no Hub
	f.as(me)
	resp, body := f.post("/contributions/nouvelle", with(url.Values{"entree": {"libres"}, "axe": {axisForm}, "titre": {"Forgée"}, "texte": {"Texte"}}))
	expect(t, "create", resp, body, http.StatusSeeOther)
	id := pathID(resp.Header.Get("Location"))
	stored := func() string {
		return f.text(`SELECT c.status || '|' || coalesce(c.author_id::text, '-') || '|' || coalesce(c.hub_id::text, '-') || '|' || c.author_category || '|' ||
			c.entry || '|' || (c.created_at > now() - interval '1 hour') || '|' || (c.consultation_id = ?) || '|' || coalesce(c.hidden_reason, '-') || '|' ||
			k.supports || '|' || k.arguments_pour
			FROM contributions c JOIN contribution_counters k ON k.contribution_id = c.id WHERE c.id = ?`, f.cons, id)
	}
	want := fmt.Sprintf("published|%d|-|citoyen|libres|true|true|-|0|0", me)
	if got := stored(); got != want {
		t.Errorf("created row %s, want %s", got, want)
	}
	resp, body = f.post(fmt.Sprintf("/contributions/%d/modifier", id), with(url.Values{"axe": {axisForm}, "titre": {"Forgée, modifiée"}, "texte": {"Texte"}}))
	expect(t, "edit", resp, body, http.StatusSeeOther)
	if got := stored(); got != want {
		t.Errorf("edited row %s, want %s", got, want)
	}

	// Supports, arguments and reports are recorded for the signed-in account.
	target := f.contribution(f.owner, "Cible")
	resp, body = f.post(fmt.Sprintf("/contributions/%d/soutenir", target), with(nil))
	expect(t, "support", resp, body, http.StatusSeeOther)
	if got := f.text(`SELECT string_agg(user_id::text, ',') FROM supports WHERE contribution_id = ?`, target); got != strconv.FormatInt(me, 10) {
		t.Errorf("supports %s", got)
	}
	if got := f.scalar(`SELECT supports FROM contribution_counters WHERE contribution_id = ?`, target); got != 1 {
		t.Errorf("counter %d", got)
	}
	resp, body = f.post(fmt.Sprintf("/contributions/%d/arguments", target), with(url.Values{"position": {"pour"}, "texte": {"Argument"}}))
	expect(t, "argument", resp, body, http.StatusSeeOther)
	if got := f.text(`SELECT author_id || '|' || status || '|' || author_category FROM arguments WHERE contribution_id = ?`, target); got != fmt.Sprintf("%d|published|citoyen", me) {
		t.Errorf("argument %s", got)
	}
	resp, body = f.post(fmt.Sprintf("/contributions/%d/signaler", target), with(url.Values{"raison": {"spam"}}))
	expect(t, "report", resp, body, http.StatusOK)
	if got := f.text(`SELECT string_agg(reporter_id::text, ',') FROM reports WHERE contribution_id = ?`, target); got != strconv.FormatInt(me, 10) {
		t.Errorf("reports by %s", got)
	}
	if got := f.text(`SELECT status FROM contributions WHERE id = ?`, target); got != "published" {
		t.Errorf("one report with status=hidden made it %s", got)
	}
	// The profile form cannot grant a role nor unblock the account.
	resp, body = f.post("/compte", with(url.Values{"display_name": {"Moi"}, "category": {"citoyen"}, "departement": {"29"}, "terms": {"oui"},
		"role": {"admin"}, "roles": {"admin"}, "blocked_until": {""}, "email": {"autre@exemple.fr"}}))
	expect(t, "profile", resp, body, http.StatusSeeOther)
	if n := f.scalar(`SELECT count(*) FROM user_roles WHERE user_id = ?`, me); n != 0 {
		t.Errorf("the profile form granted %d roles", n)
	}
	if got := f.text(`SELECT email FROM users WHERE id = ?`, me); got == "autre@exemple.fr" {
		t.Error("the profile form changed the e-mail address")
	}
}
