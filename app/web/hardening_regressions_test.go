package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cnr-numerique/concertation/app/account"
	"golang.org/x/net/html"
)

// Regression tests for the classes of vulnerabilities seen on civic
// platforms (Decidim, CONSUL). Each fails when its protection is removed.

// Race: many parallel supports from one account give one support and an
// exact counter (unique key + counter moved only when a row was inserted,
// in the same statement).
func TestRegressionParallelSupportsFromOneAccount(t *testing.T) {
	f := newModFix(t)
	f.deps.Limiter = permissiveLimiter(t, f.deps)
	f.app, _ = New(f.deps)
	author := f.user("Autrice")
	target := f.contribution(author, "Très convoitée")
	me := f.user("Pressée")
	f.as(me)
	token := f.csrf()
	cookies := make(map[string]string, len(f.jar))
	for k, v := range f.jar {
		cookies[k] = v
	}
	send := func(action string) int {
		req := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/contributions/%d/%s", target, action),
			strings.NewReader(url.Values{"_csrf": {token}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range cookies {
			req.AddCookie(&http.Cookie{Name: k, Value: v})
		}
		resp, err := f.app.Test(req, 30_000)
		if err != nil {
			t.Error(err)
			return 0
		}
		return resp.StatusCode
	}
	check := func(what string, wantRows int64) {
		t.Helper()
		rows := f.scalar(`SELECT count(*) FROM supports WHERE contribution_id = ? AND user_id = ?`, target, me)
		counter := f.scalar(`SELECT supports FROM contribution_counters WHERE contribution_id = ?`, target)
		if rows != wantRows || counter != wantRows {
			t.Errorf("%s: %d support rows, counter %d, want %d", what, rows, counter, wantRows)
		}
	}
	parallel := func(actions ...string) {
		var wg sync.WaitGroup
		for i := 0; i < 40; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				if st := send(actions[i%len(actions)]); st != http.StatusSeeOther {
					t.Errorf("parallel %s: status %d", actions[i%len(actions)], st)
				}
			}(i)
		}
		wg.Wait()
	}
	parallel("soutenir")
	check("40 parallel supports", 1)
	parallel("retirer-soutien")
	check("40 parallel removals", 0)
	parallel("soutenir", "retirer-soutien")
	rows := f.scalar(`SELECT count(*) FROM supports WHERE contribution_id = ?`, target)
	check("mixed supports and removals", rows)
}

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
			if resp.StatusCode >= 500 {
				t.Errorf("%s as %s: status %d", p, matrixRoles[who], resp.StatusCode)
			}
			if msg := injected(body); msg != "" {
				t.Errorf("%s as %s: %s", p, matrixRoles[who], msg)
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

// Account enumeration: sign-up, sign-in and password reset answer the same
// whether an address has an account or not.
func TestRegressionAccountEnumeration(t *testing.T) {
	a := newTestApp(t, nil).withAccounts(nil)
	u := a.newUser("connue@exemple.fr", "Connue")
	hash, _ := account.HashPassword("le bon mot de passe")
	if err := a.deps.DB.Conn(context.Background()).Exec(`UPDATE users SET password_hash = ? WHERE id = ?`, hash, u.ID).Error; err != nil {
		t.Fatal(err)
	}
	same := func(what string, known, unknown func() (*http.Response, string)) {
		t.Helper()
		a.jar = map[string]string{}
		r1, b1 := known()
		a.jar = map[string]string{}
		r2, b2 := unknown()
		n1, n2 := normalize(normalize(b1, "inconnue@exemple.fr"), "connue@exemple.fr"), normalize(normalize(b2, "inconnue@exemple.fr"), "connue@exemple.fr")
		if r1.StatusCode != r2.StatusCode || r1.Header.Get("Location") != r2.Header.Get("Location") || n1 != n2 {
			t.Errorf("%s: known address %d %q, unknown %d %q: the answers differ%s", what, r1.StatusCode, r1.Header.Get("Location"), r2.StatusCode, r2.Header.Get("Location"), firstDiff(n1, n2))
		}
	}
	same("sign-in", func() (*http.Response, string) {
		return a.post("/connexion", url.Values{"email": {"connue@exemple.fr"}, "password": {"pas le bon"}})
	}, func() (*http.Response, string) {
		return a.post("/connexion", url.Values{"email": {"inconnue@exemple.fr"}, "password": {"pas le bon"}})
	})
	same("password reset", func() (*http.Response, string) {
		return a.post("/mot-de-passe-oublie", url.Values{"email": {"connue@exemple.fr"}})
	}, func() (*http.Response, string) {
		return a.post("/mot-de-passe-oublie", url.Values{"email": {"inconnue@exemple.fr"}})
	})
	same("sign-up", func() (*http.Response, string) {
		return a.post("/inscription", signUpForm("connue@exemple.fr", "cheval correct agrafe"))
	}, func() (*http.Response, string) {
		return a.post("/inscription", signUpForm("inconnue@exemple.fr", "cheval correct agrafe"))
	})
}

// CSV formula injection: in every CSV the platform produces (public
// moderation log, open data, rapporteurs' exports), a cell a person typed
// that a spreadsheet would run as a formula starts with an apostrophe.
func TestRegressionCSVFormulaInjection(t *testing.T) {
	f := newMatrixFix(t)
	formulas := []string{`=HYPERLINK("https://evil.example","clic")`, `+cmd|' /C calc'!A0`, `-2+3+cmd|' /C calc'!A0`, `@SUM(1+1)*cmd|' /C calc'!A0`, "\t=1+1", "\r=1+1"}
	for i, fm := range formulas {
		id := f.scalar(`INSERT INTO contributions (consultation_id, entry, axis_id, author_id, author_category, title, body)
			VALUES (?, 'libres', ?, ?, 'citoyen', ?, ?) RETURNING id`, f.cons, f.axis, f.owner, fm, fm)
		f.exec(`INSERT INTO contribution_counters (contribution_id) VALUES (?)`, id)
		f.argument(id, f.owner, fm)
		if i < 3 {
			f.as(f.ids[5])
			resp, body := f.post(fmt.Sprintf("/moderation/contributions/%d/masquer", id), url.Values{"motif": {"autre"}, "precision": {fm}})
			expect(t, "hide", resp, body, http.StatusSeeOther)
		}
	}
	f.exec(`UPDATE users SET display_name = ? WHERE id = ?`, formulas[0], f.owner)
	dangerous := func(cell string) bool { return cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) }
	checkCSV := func(name string, data []byte, comma rune) {
		t.Helper()
		data = bytes.TrimPrefix(data, []byte("\uFEFF"))
		r := csv.NewReader(bytes.NewReader(data))
		r.Comma, r.FieldsPerRecord, r.LazyQuotes = comma, -1, true
		records, err := r.ReadAll()
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		seen := 0
		for _, rec := range records {
			for _, cell := range rec {
				if strings.Contains(cell, "calc") || strings.Contains(cell, "HYPERLINK") || strings.Contains(cell, "SUM(") || strings.Contains(cell, "=1+1") {
					seen++
					if dangerous(cell) {
						t.Errorf("%s: formula cell %q", name, cell)
					}
				}
			}
		}
		if seen == 0 && (strings.Contains(name, "contributions") || strings.Contains(name, "moderation")) {
			t.Errorf("%s: the typed cells are missing (%d records)", name, len(records))
		}
	}
	get := func(path string) []byte {
		t.Helper()
		resp, body := f.get(path)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		return []byte(body)
	}
	f.as(0)
	checkCSV("moderation log", get("/moderation/journal.csv"), ',')
	for _, table := range []string{"contributions", "arguments"} {
		checkCSV("open data "+table, get("/donnees/"+table+".csv"), ',')
	}
	f.as(f.ids[4]) // rapporteur
	for _, file := range []struct {
		name  string
		comma rune
	}{{"export-csv.zip", ','}, {"export-excel.zip", ';'}} {
		data := get("/synthese/export/" + file.name)
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatalf("%s: %v", file.name, err)
		}
		for _, zf := range zr.File {
			if !strings.HasSuffix(zf.Name, ".csv") {
				continue
			}
			rc, err := zf.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			checkCSV(file.name+"/"+zf.Name, b, file.comma)
		}
	}
}

// Reusable personal-data download links: the data export exists only as the
// answer to a POST form of the signed-in session (CSRF token), marked
// no-store; there is no address to share, bookmark or replay.
func TestRegressionNoReusableDataDownloadLink(t *testing.T) {
	f := newModFix(t)
	me := f.user("Moi")
	email := f.text(`SELECT email FROM users WHERE id = ?`, me)
	f.as(me)
	_, page := f.get("/compte/donnees")
	if strings.Contains(page, `href="/compte/donnees/export`) || strings.Contains(page, "jeton=") {
		t.Error("the data page links to a download address")
	}
	for _, p := range []string{"/compte/donnees/export", "/compte/donnees/export?format=json", "/compte/donnees.json"} {
		resp, body := f.get(p)
		if resp.StatusCode == 200 || strings.Contains(body, email) {
			t.Errorf("GET %s: %d: a download address exists", p, resp.StatusCode)
		}
	}
	token := f.csrf()
	cookies := map[string]string{}
	for k, v := range f.jar {
		cookies[k] = v
	}
	resp, body := f.post("/compte/donnees/export", url.Values{"_csrf": {token}})
	if resp.StatusCode != 200 || !strings.Contains(body, email) {
		t.Fatalf("export: %d", resp.StatusCode)
	}
	if resp.Header.Get("Cache-Control") != "no-store" || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("export headers: %v", resp.Header)
	}
	if strings.Contains(resp.Header.Get("Location"), "http") {
		t.Error("the export redirects to a download address")
	}
	// Signed out, the same request (same cookies, same token) gives nothing.
	resp, _ = f.post("/deconnexion", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", resp.StatusCode)
	}
	req := httptest.NewRequest(http.MethodPost, "/compte/donnees/export", strings.NewReader(url.Values{"_csrf": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := f.app.Test(req, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	if b := readBody(t, resp); resp.StatusCode == 200 || strings.Contains(b, email) {
		t.Errorf("replayed export after sign-out: %d", resp.StatusCode)
	}
}

// firstDiff shows where two pages start to differ.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	if i == len(a) && i == len(b) {
		return ""
	}
	end := func(s string) string { return s[i:min(len(s), i+120)] }
	start := max(0, i-80)
	return fmt.Sprintf("\n… %s[%s | %s]", a[start:i], end(a), end(b))
}
