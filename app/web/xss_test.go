package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// XSS: payloads in every field a person types (display name, titles, texts,
// arguments, reasons, notes…) and in every URL parameter (filters,
// pagination, search, return addresses) come out escaped: no element, event
// handler or javascript: address comes from them.
func TestRegressionXSS(t *testing.T) {
	const payload = `"><script>alert(1)</script><img src=x onerror=alert(1)>'`
	const jsLink = `javascript:alert(1)`
	f := newMatrixFix(t)
	f.deps.Limiter = permissiveLimiter(t, f.deps)
	f.app, _ = New(f.deps)
	// Stored fields.
	evil := f.user(payload)
	f.exec(`UPDATE users SET display_name = ? WHERE id = ?`, payload+" "+jsLink, evil)
	f.as(evil)
	resp, body := f.post("/contributions/nouvelle", url.Values{"entree": {"libres"}, "axe": {axisForm}, "titre": {payload},
		"texte": {payload + "\n\n" + jsLink + " [lien](javascript:alert(1)) https://ok.example/\"><script>alert(1)</script> www.ok.example/'onmouseover=alert(1)"}})
	expect(t, "create", resp, body, http.StatusSeeOther)
	free := pathID(resp.Header.Get("Location"))
	// A Hub proposal with the payload as title, reacted to: its title is an
	// option of the lists' "reacts to" filter.
	target := f.hubProposal()
	f.exec(`UPDATE contributions SET title = ? WHERE id = ?`, payload, target)
	resp, body = f.post("/contributions/nouvelle", url.Values{"entree": {"libres"}, "axe": {axisForm}, "titre": {"Réaction"},
		"texte": {"Texte"}, "reagit_a": {fmt.Sprint(target)}, "reaction": {"nuance"}})
	expect(t, "reaction", resp, body, http.StatusSeeOther)
	if _, body := f.get("/contributions"); !strings.Contains(body, fmt.Sprintf(`<option value="%d">&#34;&gt;&lt;script&gt;`, target)) {
		t.Error("the reacted-to proposal is not an escaped option of the list's filter")
	}
	resp, body = f.post(fmt.Sprintf("/contributions/%d/arguments", free), url.Values{"position": {"pour"}, "texte": {payload + " " + jsLink}})
	expect(t, "argument", resp, body, http.StatusSeeOther)
	arg := f.scalar(`SELECT max(id) FROM arguments`)
	hidden := f.contribution(evil, payload)
	hiddenArg := f.argument(free, evil, payload)
	f.as(f.ids[1])
	for _, p := range []string{fmt.Sprintf("/contributions/%d/signaler", hidden), fmt.Sprintf("/arguments/%d/signaler", hiddenArg)} {
		resp, body = f.post(p, url.Values{"raison": {"autre"}, "explication": {payload}})
		expect(t, "report", resp, body, http.StatusOK)
	}
	f.as(f.ids[5]) // moderator
	resp, body = f.post(fmt.Sprintf("/moderation/contributions/%d/masquer", hidden), url.Values{"motif": {"autre"}, "precision": {payload}})
	expect(t, "hide", resp, body, http.StatusSeeOther)
	resp, body = f.post(fmt.Sprintf("/moderation/arguments/%d/masquer", hiddenArg), url.Values{"motif": {"autre"}, "precision": {payload}})
	expect(t, "hide argument", resp, body, http.StatusSeeOther)
	f.as(f.ids[4]) // rapporteur
	for _, p := range []struct {
		path string
		form url.Values
	}{
		{fmt.Sprintf("/synthese/contributions/%d/etiquettes", free), url.Values{"etiquette": {payload}}},
		{fmt.Sprintf("/synthese/contributions/%d/notes", free), url.Values{"note": {payload}}},
		{"/synthese/selections", url.Values{"nom": {"Sélection " + payload}, "filtres": {"q=" + url.QueryEscape(payload)}}},
	} {
		resp, body = f.post(p.path, p.form)
		if resp.StatusCode >= 500 {
			t.Errorf("%s: %d", p.path, resp.StatusCode)
		}
	}

	q := url.QueryEscape(payload)
	j := url.QueryEscape(jsLink)
	params := "q=" + q + "&axe=" + q + "&entree=" + q + "&categorie=" + q + "&region=" + q + "&departement=" + q + "&hub=" + q +
		"&reagit_a=" + q + "&tri=" + q + "&graine=" + q + "&page=" + q + "&par=" + q + "&retour=" + j + "&info=" + q
	pages := []string{
		"/", "/contributions", "/contributions?" + params, "/contributions?page=99999999999999999999&par=-1&tri=" + j,
		"/axes/" + axisForm + "?" + params, "/hubs/rhinocc?" + params, fmt.Sprintf("/auteurs/%d?", evil) + params,
		fmt.Sprintf("/contributions/%d", free), fmt.Sprintf("/contributions/%d", hidden), fmt.Sprintf("/contributions/%d?", free) + params,
		"/contributions/similaires?titre=" + q, "/contributions/nouvelle?" + params, fmt.Sprintf("/contributions/%d/modifier", free),
		"/connexion?retour=" + j, "/connexion?retour=" + q + "&info=" + q, "/inscription?retour=" + j, "/compte/completer?retour=" + j,
		"/inscription/confirmer?jeton=" + q, "/mot-de-passe/nouveau?jeton=" + q, "/mot-de-passe-oublie?email=" + q,
		"/moderation?page=" + q, "/moderation/journal?page=" + q, "/admin/journal?page=" + q + "&action=" + q,
		"/admin/utilisateurs?q=" + q, "/synthese?" + params, fmt.Sprintf("/synthese/contributions/%d?", free) + params,
		"/synthese/rapport?" + params, "/statistiques?" + params, "/donnees?" + params, "/compte/notifications?page=" + q,
		fmt.Sprintf("/arguments/%d/signaler", arg), "/hubs?" + params, "/page-inconnue-" + q,
	}
	for _, who := range []int{0, 1, 6, 4, 5} { // anonymous, citizen, admin, rapporteur, moderator
		f.as(f.ids[who])
		for _, p := range pages {
			resp, body := f.get(p)
			short := p
			if len(short) > 90 {
				short = short[:90] + "…"
			}
			if resp.StatusCode >= 500 {
				t.Errorf("%s as %s: status %d", short, matrixRoles[who], resp.StatusCode)
			}
			if msg := injected(body); msg != "" {
				t.Errorf("%s as %s: %s", short, matrixRoles[who], msg)
			}
		}
	}
}

// injected parses page and reports the first element, attribute or address
// that a payload of TestRegressionXSS put there, or "".
func injected(page string) string {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return "unparsable page: " + err.Error()
	}
	var found string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if found != "" {
			return
		}
		if n.Type == html.ElementNode {
			if n.Data == "script" && n.FirstChild != nil && strings.Contains(n.FirstChild.Data, "alert(1)") {
				found = "an injected <script> element"
			}
			if n.Data == "img" {
				for _, a := range n.Attr {
					if a.Key == "src" && a.Val == "x" {
						found = "an injected <img> element"
					}
				}
			}
			for _, a := range n.Attr {
				v := strings.ToLower(strings.TrimSpace(a.Val))
				switch {
				case strings.HasPrefix(a.Key, "on"):
					found = fmt.Sprintf("an event handler attribute %s=%q on <%s>", a.Key, a.Val, n.Data)
				case (a.Key == "href" || a.Key == "src" || a.Key == "action" || a.Key == "formaction") && strings.HasPrefix(v, "javascript:"):
					found = fmt.Sprintf("a javascript: address in %s of <%s>", a.Key, n.Data)
				case strings.Contains(a.Key, "alert") || strings.Contains(a.Key, `"`) || strings.Contains(a.Key, "<"):
					found = fmt.Sprintf("an attribute %q broken out of its value", a.Key)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if found == "" && strings.Contains(page, "<script>alert(1)") {
		found = "the payload unescaped"
	}
	return found
}
