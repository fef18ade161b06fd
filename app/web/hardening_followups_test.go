package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// A contribution hidden by moderation shows the reason instead of its text;
// a hidden argument is listed with its reason instead of its body; each
// argument has its anchor (the public moderation log links to #arg-N).
func TestHiddenContentShowsTheReason(t *testing.T) {
	f := newModFix(t)
	author := f.user("Autrice")
	hidden := f.contribution(author, "Titre masqué")
	f.exec(`UPDATE contributions SET status = 'hidden', hidden_reason = 'spam (publicité)' WHERE id = ?`, hidden)
	shown := f.contribution(author, "Titre visible")
	kept := f.argument(shown, author, "Argument toujours visible")
	gone := f.argument(shown, author, "Texte injurieux à cacher")
	f.exec(`UPDATE arguments SET status = 'hidden', hidden_reason = 'propos injurieux' WHERE id = ?`, gone)

	for _, who := range []int64{0, f.user("Lectrice")} {
		f.as(who)
		resp, body := f.get(fmt.Sprintf("/contributions/%d", hidden))
		expect(t, "hidden contribution", resp, body, 200, "masquée par la modération : spam (publicité)")
		if strings.Contains(body, "Premier paragraphe du texte.") {
			t.Error("the text of a hidden contribution is shown")
		}
		resp, body = f.get(fmt.Sprintf("/contributions/%d", shown))
		expect(t, "hidden argument", resp, body, 200, "Argument masqué par la modération : propos injurieux",
			fmt.Sprintf(`id="arg-%d"`, gone), fmt.Sprintf(`id="arg-%d"`, kept), "Argument toujours visible")
		if strings.Contains(body, "Texte injurieux à cacher") {
			t.Error("the body of a hidden argument is shown")
		}
	}
}

// Signed-in people other than the author get "Signaler" links; the author
// and anonymous visitors do not.
func TestReportLinks(t *testing.T) {
	f := newModFix(t)
	author := f.user("Autrice")
	other := f.user("Autre")
	id := f.contribution(author, "Sujet")
	mine := f.argument(id, author, "Argument de l'autrice")
	theirs := f.argument(id, other, "Argument de l'autre")
	cLink := fmt.Sprintf(`href="/contributions/%d/signaler"`, id)
	mineLink := fmt.Sprintf(`href="/arguments/%d/signaler"`, mine)
	theirsLink := fmt.Sprintf(`href="/arguments/%d/signaler"`, theirs)
	for _, tt := range []struct {
		name                string
		who                 int64
		contrib, arg1, arg2 bool
	}{
		{"anonymous", 0, false, false, false},
		{"author", author, false, false, true},
		{"other", other, true, true, false},
	} {
		f.as(tt.who)
		_, body := f.get(fmt.Sprintf("/contributions/%d", id))
		for _, c := range []struct {
			link string
			want bool
		}{{cLink, tt.contrib}, {mineLink, tt.arg1}, {theirsLink, tt.arg2}} {
			if strings.Contains(body, c.link) != c.want {
				t.Errorf("%s: %s shown = %v, want %v", tt.name, c.link, !c.want, c.want)
			}
		}
	}
	f.as(other)
	resp, body := f.get(fmt.Sprintf("/arguments/%d/signaler", mine))
	expect(t, "report form from the link", resp, body, 200, "Signaler cet argument")
}

// Contributions and arguments kept anonymised after their author deleted the
// account are signed "Participant·e anonyme" everywhere.
func TestAnonymisedAuthorName(t *testing.T) {
	f := newModFix(t)
	author := f.user("Disparue")
	id := f.contribution(author, "Contribution orpheline")
	f.argument(id, author, "Argument orphelin")
	f.as(author)
	resp, body := f.post("/compte/supprimer", url.Values{"contributions": {"anonymiser"}, "confirmer": {"oui"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete account: %d\n%s", resp.StatusCode, excerpt(body))
	}
	if f.scalar(`SELECT count(*) FROM contributions WHERE id = ? AND author_id IS NULL`, id) != 1 {
		t.Fatal("the contribution was not kept anonymised")
	}
	f.as(f.user("Lectrice"))
	_, body = f.get(fmt.Sprintf("/contributions/%d", id))
	if n := strings.Count(body, "Participant·e anonyme"); n < 2 {
		t.Errorf("contribution page: %d mentions of Participant·e anonyme, want the contribution and its argument\n%s", n, excerpt(body))
	}
	_, body = f.get("/contributions")
	mustContain(t, body, "Participant·e anonyme")
	if strings.Contains(strings.ToLower(body), "compte supprimé") || strings.Contains(body, "Disparue") {
		t.Error("the list does not sign the anonymised contribution Participant·e anonyme")
	}
}

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

// Account pages, the workspace, administration, moderation and the exports
// are never kept by a cache (error answers and redirections included);
// public pages may be.
func TestNoStoreOnPrivateAreas(t *testing.T) {
	f := newModFix(t)
	rapporteur := f.user("Rapporteuse", "rapporteur")
	admin := f.user("Admin", "admin")
	check := func(who, method, path string, resp *http.Response, want bool) {
		t.Helper()
		if got := resp.Header.Get("Cache-Control") == "no-store"; got != want {
			t.Errorf("%s %s %s (%d): Cache-Control %q", who, method, path, resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
	}
	private := []string{"/compte", "/compte/completer", "/compte/donnees", "/compte/notifications", "/synthese",
		"/synthese/export/contributions.xlsx", "/synthese/rapport", "/admin/utilisateurs", "/admin/hubs", "/admin/consultation",
		"/moderation", "/moderation/journal.csv", "/admin/journal"}
	for _, who := range []struct {
		name string
		id   int64
	}{{"anonymous", 0}, {"citizen", f.user("Citoyen")}, {"rapporteur", rapporteur}, {"admin", admin}} {
		f.as(who.id)
		for _, p := range private {
			resp, _ := f.get(p)
			check(who.name, "GET", p, resp, true)
		}
		resp, _ := f.post("/compte/donnees/export", nil)
		check(who.name, "POST", "/compte/donnees/export", resp, true)
		resp, _ = f.post("/compte", url.Values{"_csrf": {"faux"}})
		check(who.name, "POST (refused)", "/compte", resp, true)
	}
	f.as(0)
	for _, p := range []string{"/", "/contributions", "/hubs"} {
		resp, _ := f.get(p)
		check("anonymous", "GET", p, resp, false)
	}
}
