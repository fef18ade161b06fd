package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// Contributing needs a complete profile: people are sent to complete it,
// then brought back; nothing is written meanwhile.
func TestIncompleteProfileIsSentToComplete(t *testing.T) {
	f := newModFix(t)
	author := f.user("Autrice")
	target := f.contribution(author, "Cible")
	u := f.user("Nouvelle")
	f.exec(`UPDATE users SET category = NULL WHERE id = ?`, u)
	f.as(u)
	before := f.text(`SELECT (SELECT count(*) FROM contributions) || '/' || (SELECT count(*) FROM supports) || '/' || (SELECT count(*) FROM arguments)`)
	for _, tt := range []struct {
		method, path string
		form         url.Values
		back         string
	}{
		{"GET", "/contributions/nouvelle?axe=gouvernance-finances-modeles-economiques", nil, "/contributions/nouvelle?axe=gouvernance-finances-modeles-economiques"},
		{"POST", "/contributions/nouvelle", url.Values{"entree": {"libres"}, "axe": {"gouvernance-finances-modeles-economiques"}, "titre": {"T"}, "texte": {"T"}}, "/contributions/nouvelle"},
		{"POST", "/contributions/nouvelle", url.Values{"entree": {"libres"}, "reagit_a": {"7"}, "reaction": {"nuance"}, "titre": {"T"}, "texte": {"T"}}, "/contributions/nouvelle?reagit_a=7"},
		{"POST", fmt.Sprintf("/contributions/%d/soutenir", target), url.Values{"retour": {"/contributions?tri=soutiens"}}, "/contributions?tri=soutiens"},
		{"POST", fmt.Sprintf("/contributions/%d/arguments", target), url.Values{"position": {"pour"}, "texte": {"A"}}, fmt.Sprintf("/contributions/%d", target)},
	} {
		var resp *http.Response
		var body string
		if tt.method == "GET" {
			resp, body = f.get(tt.path)
		} else {
			resp, body = f.post(tt.path, tt.form)
		}
		want := "/compte/completer?retour=" + url.QueryEscape(tt.back)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
			t.Errorf("%s %s: %d %q, want 303 %q\n%s", tt.method, tt.path, resp.StatusCode, resp.Header.Get("Location"), want, excerpt(body))
		}
	}
	// The support button with htmx: the whole page goes to the form.
	req := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/contributions/%d/soutenir", target), strings.NewReader(url.Values{"_csrf": {f.csrf()}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	resp := f.do(req)
	var body string
	if resp.StatusCode != http.StatusNoContent || !strings.HasPrefix(resp.Header.Get("HX-Redirect"), "/compte/completer?retour=") {
		t.Errorf("htmx support: %d, HX-Redirect %q", resp.StatusCode, resp.Header.Get("HX-Redirect"))
	}
	if after := f.text(`SELECT (SELECT count(*) FROM contributions) || '/' || (SELECT count(*) FROM supports) || '/' || (SELECT count(*) FROM arguments)`); after != before {
		t.Errorf("something was written: %s → %s", before, after)
	}
	// Completing the profile brings the person back.
	resp, body = f.post("/compte/completer", url.Values{"display_name": {"Nouvelle"}, "category": {"citoyen"}, "departement": {"29"},
		"terms": {"oui"}, "retour": {"/contributions/nouvelle?axe=gouvernance-finances-modeles-economiques"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/contributions/nouvelle?axe=gouvernance-finances-modeles-economiques" {
		t.Fatalf("complete: %d %q\n%s", resp.StatusCode, resp.Header.Get("Location"), excerpt(body))
	}
	resp, body = f.get("/contributions/nouvelle")
	expect(t, "form once complete", resp, body, 200, "Proposer")
}

// A blocked account cannot contribute, edit, withdraw, support, argue nor
// report: a French 403, and nothing changes.
func TestBlockedAccountCannotWrite(t *testing.T) {
	f := newModFix(t)
	author := f.user("Autrice")
	target := f.contribution(author, "Cible")
	arg := f.argument(target, author, "Argument")
	blocked := f.user("Suspendue")
	own := f.contribution(blocked, "La sienne")
	other := f.contribution(author, "Déjà soutenue")
	f.exec(`INSERT INTO supports (contribution_id, user_id) VALUES (?, ?)`, other, blocked)
	f.exec(`UPDATE users SET blocked_until = now() + interval '3 days' WHERE id = ?`, blocked)
	f.as(blocked)
	state := func() string {
		return f.text(`SELECT (SELECT count(*) FROM contributions) || '/' || (SELECT count(*) FROM supports) || '/' ||
			(SELECT count(*) FROM arguments) || '/' || (SELECT count(*) FROM reports) || '/' || (SELECT string_agg(title || status, ',' ORDER BY id) FROM contributions)`)
	}
	before := state()
	for _, tt := range []struct {
		method, path string
		form         url.Values
	}{
		{"GET", "/contributions/nouvelle", nil},
		{"POST", "/contributions/nouvelle", url.Values{"entree": {"libres"}, "axe": {"gouvernance-finances-modeles-economiques"}, "titre": {"T"}, "texte": {"T"}}},
		{"GET", fmt.Sprintf("/contributions/%d/modifier", own), nil},
		{"POST", fmt.Sprintf("/contributions/%d/modifier", own), url.Values{"axe": {"gouvernance-finances-modeles-economiques"}, "titre": {"Changé"}, "texte": {"Changé"}}},
		{"POST", fmt.Sprintf("/contributions/%d/retirer", own), nil},
		{"POST", fmt.Sprintf("/contributions/%d/soutenir", target), nil},
		{"POST", fmt.Sprintf("/contributions/%d/retirer-soutien", other), nil},
		{"POST", fmt.Sprintf("/contributions/%d/arguments", target), url.Values{"position": {"pour"}, "texte": {"A"}}},
		{"GET", fmt.Sprintf("/contributions/%d/signaler", target), nil},
		{"POST", fmt.Sprintf("/contributions/%d/signaler", target), url.Values{"raison": {"spam"}}},
		{"POST", fmt.Sprintf("/arguments/%d/signaler", arg), url.Values{"raison": {"spam"}}},
	} {
		var resp *http.Response
		var body string
		if tt.method == "GET" {
			resp, body = f.get(tt.path)
		} else {
			resp, body = f.post(tt.path, tt.form)
		}
		expect(t, tt.method+" "+tt.path, resp, body, http.StatusForbidden, "suspendu")
	}
	if after := state(); after != before {
		t.Errorf("a blocked account changed something: %s → %s", before, after)
	}
	// Once the suspension is over, writing works again.
	f.exec(`UPDATE users SET blocked_until = now() - interval '1 minute' WHERE id = ?`, blocked)
	resp, body := f.post(fmt.Sprintf("/contributions/%d/soutenir", target), nil)
	expect(t, "support after the suspension", resp, body, http.StatusSeeOther)
}
