package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/synthesis/synthesistest"
)

// rapporteurApp is the platform with the synthesis fixture and a browser
// signed in as a rapporteur.
func rapporteurApp(t *testing.T) (*testApp, synthesistest.Fixture, account.User) {
	t.Helper()
	a := newTestApp(t, nil)
	fx := synthesistest.Load(t, a.deps.DB)
	u := a.newUser("rapporteure@exemple.fr", "Rapporteure")
	if err := a.deps.Accounts.GrantRole(context.Background(), u.ID, account.RoleRapporteur); err != nil {
		t.Fatal(err)
	}
	a.signIn(u.ID)
	return a, fx, u
}

var workspaceRoutes = []struct{ method, path string }{
	{"GET", "/synthese"},
	{"GET", "/synthese/contributions/1"},
	{"GET", "/synthese/export/contributions.csv"},
	{"GET", "/synthese/export/contributions-excel.csv"},
	{"GET", "/synthese/export/contributions.xlsx"},
	{"GET", "/synthese/export/contributions.ods"},
	{"GET", "/synthese/export/export-json.zip"},
	{"GET", "/synthese/export/soutiens.csv"},
	{"GET", "/synthese/rapport"},
	{"GET", "/synthese/rapport.pdf"},
	{"GET", "/synthese/rapport.odt"},
	{"POST", "/synthese/contributions/1/etiquettes"},
	{"POST", "/synthese/contributions/1/etiquettes/retirer"},
	{"POST", "/synthese/contributions/1/retenue"},
	{"POST", "/synthese/contributions/1/notes"},
	{"POST", "/synthese/selections"},
	{"POST", "/synthese/selections/1/supprimer"},
}

func TestWorkspaceRefusesOthers(t *testing.T) {
	a := newTestApp(t, nil)
	synthesistest.Load(t, a.deps.DB)
	// Not signed in: sent to the sign-in page, which brings them back.
	for _, r := range workspaceRoutes {
		var resp *http.Response
		if r.method == "POST" {
			resp, _ = a.post(r.path, url.Values{"etiquette": {"x"}, "nom": {"x"}, "note": {"x"}})
		} else {
			resp, _ = a.get(r.path)
		}
		want := "/connexion?retour=" + url.QueryEscape(r.path)
		if r.method == "POST" {
			want = "/connexion?retour=%2F"
		}
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want || resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("anonymous %s %s: %d to %q (Cache-Control %q), want 303 to %q", r.method, r.path, resp.StatusCode,
				resp.Header.Get("Location"), resp.Header.Get("Cache-Control"), want)
		}
	}
	check := func(who string) {
		for _, r := range workspaceRoutes {
			var resp *http.Response
			var body string
			if r.method == "POST" {
				resp, body = a.post(r.path, url.Values{"etiquette": {"x"}, "nom": {"x"}, "note": {"x"}})
			} else {
				resp, body = a.get(r.path)
			}
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s %s: status %d, want 403", who, r.method, r.path, resp.StatusCode)
			}
			if !strings.Contains(body, "réservé aux rapporteurs") {
				t.Errorf("%s %s %s: no French message", who, r.method, r.path)
			}
			if resp.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("%s %s: Cache-Control %q", who, r.path, resp.Header.Get("Cache-Control"))
			}
		}
	}
	u := a.newUser("citoyenne@exemple.fr", "Citoyenne")
	a.signIn(u.ID)
	check("citizen")
	if err := a.deps.Accounts.GrantRole(context.Background(), u.ID, account.RoleModerator); err != nil {
		t.Fatal(err)
	}
	check("moderator")
}

func TestWorkspaceListsTheView(t *testing.T) {
	a, fx, _ := rapporteurApp(t)
	resp, body := a.get("/synthese?axe=formation-structuration-filiere&categorie=elu&inconnu=1&region=zz")
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("status %d, cache %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	for _, want := range []string{"Sélection : 1 contribution", "Former les médiateurs numériques", "Catégories d&#39;auteur : Élu·e",
		"/synthese/export/contributions.xlsx?axe=formation-structuration-filiere&amp;categorie=elu", "Retenue pour le rapport"} {
		if !strings.Contains(body, want) {
			t.Errorf("workspace lacks %q", want)
		}
	}
	if strings.Contains(body, "Nuancer la coordination") {
		t.Error("the view shows a contribution of another category")
	}
	_, body = a.get("/synthese?q=mediateur")
	if !strings.Contains(body, "Sélection : 2 contributions") || !strings.Contains(body, "Recherche : « mediateur »") {
		t.Error("full-text filter")
	}
	_, body = a.get("/synthese?statut=masquee")
	if !strings.Contains(body, "Contribution masquée") || !strings.Contains(body, "Sélection : 1 contribution") {
		t.Error("status filter")
	}
	_, body = a.get("/synthese/contributions/" + strconv.FormatInt(fx.Hidden, 10))
	if !strings.Contains(body, "Texte masqué par la modération.") {
		t.Error("hidden contribution page")
	}
	if resp, _ := a.get("/synthese/contributions/999999"); resp.StatusCode != 404 {
		t.Errorf("unknown contribution: %d", resp.StatusCode)
	}
}

func TestWorkspaceMarks(t *testing.T) {
	a, fx, _ := rapporteurApp(t)
	id := strconv.FormatInt(fx.HubProp, 10)
	resp, _ := a.post("/synthese/contributions/"+id+"/etiquettes", url.Values{"etiquette": {"  gouvernance  locale "}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add tag: %d", resp.StatusCode)
	}
	a.post("/synthese/contributions/"+id+"/retenue", url.Values{"retenue": {"1"}})
	a.post("/synthese/contributions/"+id+"/notes", url.Values{"note": {"À citer <b>absolument</b>."}})
	_, body := a.get("/synthese/contributions/" + id)
	for _, want := range []string{"gouvernance locale", "Ne plus retenir pour le rapport", "À citer &lt;b&gt;absolument&lt;/b&gt;."} {
		if !strings.Contains(body, want) {
			t.Errorf("contribution page lacks %q", want)
		}
	}
	_, body = a.get("/synthese?etiquette=gouvernance+locale")
	if !strings.Contains(body, "Sélection : 1 contribution") {
		t.Error("tag filter")
	}
	_, body = a.get("/synthese?retenue=1")
	if !strings.Contains(body, "Sélection : 2 contributions") {
		t.Error("retained filter")
	}
	if resp, body := a.post("/synthese/contributions/"+id+"/etiquettes", url.Values{"etiquette": {strings.Repeat("x", 61)}}); resp.StatusCode != 422 || !strings.Contains(body, "60 caractères") {
		t.Errorf("long tag: %d", resp.StatusCode)
	}
	if resp, _ := a.post("/synthese/contributions/"+id+"/notes", url.Values{"note": {" "}}); resp.StatusCode != 422 {
		t.Errorf("empty note: %d", resp.StatusCode)
	}
	a.post("/synthese/contributions/"+id+"/etiquettes/retirer", url.Values{"etiquette": {"gouvernance locale"}})
	_, body = a.get("/synthese?etiquette=gouvernance+locale")
	if !strings.Contains(body, "Sélection : 0 contribution") {
		t.Error("tag not removed")
	}

	resp, _ = a.post("/synthese/selections", url.Values{"nom": {"Axe 3, élus"}, "filtres": {"axe=3&categorie=elu&bidon=1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save set: %d", resp.StatusCode)
	}
	_, body = a.get("/synthese")
	if !strings.Contains(body, `href="/synthese?axe=formation-structuration-filiere&amp;categorie=elu">Axe 3, élus</a>`) {
		t.Error("saved set not listed with its canonical filters")
	}
	if resp, _ := a.post("/synthese/selections", url.Values{"nom": {"Axe 3, élus"}}); resp.StatusCode != 422 {
		t.Errorf("duplicate name: %d", resp.StatusCode)
	}
	m := regexp.MustCompile(`/synthese/selections/(\d+)/supprimer`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no delete form")
	}
	a.post("/synthese/selections/"+m[1]+"/supprimer", nil)
	if _, body = a.get("/synthese"); strings.Contains(body, "Axe 3, élus") {
		t.Error("set not deleted")
	}
}

func auditCount(t *testing.T, a *testApp, action, target string) int {
	t.Helper()
	var n int
	err := a.deps.DB.SQL().QueryRow(`SELECT count(*) FROM audit_log WHERE action = $1 AND target = $2 AND details->>'filtres' IS NOT NULL`, action, target).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestExportsOverHTTP(t *testing.T) {
	a, _, u := rapporteurApp(t)
	view := "?axe=3&categorie=elu"
	resp, body := a.get("/synthese/export/contributions-excel.csv" + view)
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("status %d headers %v", resp.StatusCode, resp.Header)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF")))
	r.Comma = ';'
	records, err := r.ReadAll()
	if err != nil || len(records) != 2 || records[1][14] != "Former les médiateurs numériques" {
		t.Fatalf("records %v, err %v", records, err)
	}
	var actor int64
	var filters string
	err = a.deps.DB.SQL().QueryRow(`SELECT actor_id, details->>'filtres' FROM audit_log WHERE action = 'synthesis.export' ORDER BY id DESC LIMIT 1`).Scan(&actor, &filters)
	if err != nil || actor != u.ID || filters != "axe=formation-structuration-filiere&categorie=elu" {
		t.Errorf("audit: actor %d filters %q err %v", actor, filters, err)
	}
	for _, file := range []string{"contributions.csv", "contributions.jsonl", "soutiens.csv", "reactions-excel.csv", "arguments.jsonl", "contributions.xlsx", "contributions.ods", "export-csv.zip", "export-excel.zip", "export-json.zip"} {
		resp, body := a.get("/synthese/export/" + file + view)
		if resp.StatusCode != 200 || len(body) == 0 {
			t.Errorf("%s: %d", file, resp.StatusCode)
		}
		for _, secret := range synthesistest.Secrets {
			if strings.Contains(body, secret) {
				t.Errorf("%s contains %q", file, secret)
			}
		}
		if strings.HasSuffix(file, ".zip") || strings.HasSuffix(file, ".xlsx") || strings.HasSuffix(file, ".ods") {
			if _, err := zip.NewReader(bytes.NewReader([]byte(body)), int64(len(body))); err != nil {
				t.Errorf("%s: %v", file, err)
			}
		}
		if auditCount(t, a, "synthesis.export", file) != 1 {
			t.Errorf("%s not audited", file)
		}
	}
	if resp, _ := a.get("/synthese/export/inconnu.exe"); resp.StatusCode != 404 {
		t.Errorf("unknown file: %d", resp.StatusCode)
	}
	_, body = a.get("/synthese/export/contributions.csv?categorie=entreprise")
	if lines := strings.Split(strings.TrimSpace(body), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], "id,url,") {
		t.Errorf("empty view: %q", body)
	}
}

var articleRe = regexp.MustCompile(`(?s)<article id="rapport".*</article>`)

func TestReportOverHTTP(t *testing.T) {
	a, _, _ := rapporteurApp(t)
	resp, body := a.get("/synthese/rapport?axe=3")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, want := range []string{"Empreinte SHA-256", "Axe 3 : Formation et structuration de la filière professionnelle", "Former les médiateurs numériques",
		"Finistère (29)", "Départements sans contribution", "Groupe 1 (2 contributions)", "Hub Bretagne", "<caption>Réactions par type"} {
		if !strings.Contains(body, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	_, again := a.get("/synthese/rapport?axe=3")
	if articleRe.FindString(body) == "" || articleRe.FindString(body) != articleRe.FindString(again) {
		t.Error("two reports of the same data differ")
	}
	pdf1 := httpBody(t, a, "/synthese/rapport.pdf?axe=3")
	pdf2 := httpBody(t, a, "/synthese/rapport.pdf?axe=3")
	if !bytes.HasPrefix(pdf1, []byte("%PDF")) || !bytes.Equal(pdf1, pdf2) {
		t.Error("PDF missing or not deterministic")
	}
	odt := httpBody(t, a, "/synthese/rapport.odt?axe=3")
	if _, err := zip.NewReader(bytes.NewReader(odt), int64(len(odt))); err != nil {
		t.Errorf("ODT: %v", err)
	}
	for _, path := range []string{"/synthese/rapport?categorie=entreprise", "/synthese/rapport.pdf?categorie=entreprise", "/synthese/rapport.odt?categorie=entreprise"} {
		if resp, _ := a.get(path); resp.StatusCode != 200 {
			t.Errorf("empty view %s: %d", path, resp.StatusCode)
		}
	}
	if auditCount(t, a, "synthesis.report", "rapport.html") != 3 || auditCount(t, a, "synthesis.report", "rapport.pdf") != 3 {
		t.Error("report generation not audited")
	}
}

func httpBody(t *testing.T, a *testApp, path string) []byte {
	t.Helper()
	resp := a.do(httptest.NewRequest(http.MethodGet, path, nil))
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d", path, resp.StatusCode)
	}
	return []byte(readBody(t, resp))
}

func TestStatisticsAgreeWithReportAndDatabase(t *testing.T) {
	a, _, _ := rapporteurApp(t)
	var published, people, axis3 int
	db := a.deps.DB.SQL()
	if err := db.QueryRow(`SELECT count(*), count(DISTINCT author_id) FROM contributions WHERE status = 'published'`).Scan(&published, &people); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM contributions c JOIN axes a ON a.id = c.axis_id WHERE c.status = 'published' AND a.position = 3`).Scan(&axis3); err != nil {
		t.Fatal(err)
	}
	// The first visit counts the contributions at once (rollup) and says
	// that the distinct contributors are being computed.
	if _, first := a.get("/statistiques"); !strings.Contains(first, strconv.Itoa(published)+" contributions publiées") {
		t.Errorf("first visit lacks the number of contributions")
	}
	stats := a.statistics("/statistiques")
	lead := strconv.Itoa(published) + " contributions publiées, par " + strconv.Itoa(people) + " contributeurs distincts."
	if !strings.Contains(stats, lead) {
		t.Errorf("statistics lack %q", lead)
	}
	row := `<th scope="row">Axe 3 : Formation et structuration de la filière professionnelle</th><td>` + strconv.Itoa(axis3) + `</td>`
	if !strings.Contains(stats, row) {
		t.Errorf("statistics lack %q", row)
	}
	for _, tag := range regexp.MustCompile(`<script[^>]*>`).FindAllString(stats, -1) {
		if !strings.Contains(tag, "src=") {
			t.Errorf("inline script %q", tag)
		}
	}
	if strings.Contains(stats, "style=") {
		t.Error("inline style")
	}
	_, report := a.get("/synthese/rapport?statut=publiee")
	if !strings.Contains(report, strconv.Itoa(published)+" contributions, par "+strconv.Itoa(people)+" contributeurs distincts.") ||
		!strings.Contains(report, "<h3>Axe 3 : Formation et structuration de la filière professionnelle</h3>\n    <p>"+strconv.Itoa(axis3)+" contributions,") {
		t.Error("report and statistics disagree")
	}
	if resp, body := a.get("/statistiques/definitions"); resp.StatusCode != 200 || !strings.Contains(body, "Contributeurs distincts") {
		t.Error("definitions page")
	}
}

func TestOpenData(t *testing.T) {
	a := newTestApp(t, nil)
	synthesistest.Load(t, a.deps.DB)
	resp, body := a.get("/donnees")
	if resp.StatusCode != 200 || !strings.Contains(body, "Licence Ouverte 2.0") {
		t.Fatalf("open data page: %d", resp.StatusCode)
	}
	_, csvBody := a.get("/donnees/contributions.csv")
	records, err := csv.NewReader(strings.NewReader(csvBody)).ReadAll()
	if err != nil || len(records) != 5 {
		t.Fatalf("%d records, err %v", len(records), err)
	}
	if strings.Contains(csvBody, "Contribution masquée") || strings.Contains(csvBody, "Contribution retirée") || strings.Contains(records[0][len(records[0])-1], "retenue") {
		t.Error("open data holds hidden, withdrawn or rapporteur data")
	}
	_, pkg := a.get("/donnees/datapackage.json")
	if !strings.Contains(pkg, `"Licence Ouverte 2.0 (Etalab)"`) || !strings.Contains(pkg, `"schema_version"`) {
		t.Errorf("datapackage: %s", pkg)
	}
	for _, f := range []string{"donnees-csv.zip", "donnees-json.zip", "soutiens.jsonl", "arguments.csv"} {
		resp, body := a.get("/donnees/" + f)
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", f, resp.StatusCode)
		}
		for _, secret := range synthesistest.Secrets {
			if strings.Contains(body, secret) {
				t.Errorf("%s contains %q", f, secret)
			}
		}
	}
	for _, f := range []string{"contributions.xlsx", "contributions-excel.csv", "rien"} {
		if resp, _ := a.get("/donnees/" + f); resp.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", f, resp.StatusCode)
		}
	}
}

// statistics returns the statistics page at path once its background figures
// (distinct contributors, timeline) are computed: the first visit asks for
// them and shows that they are being computed.
func (a *testApp) statistics(path string) string {
	a.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, body := a.get(path)
		if resp.StatusCode != 200 {
			a.t.Fatalf("%s: status %d", path, resp.StatusCode)
		}
		if !strings.Contains(body, "en cours de calcul") {
			return body
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("%s: still computing after 20 s", path)
		}
		time.Sleep(20 * time.Millisecond) // polling the page: the computation runs in the server
	}
}

// TestOneTruthForCounts compares, for several filters, the number of
// contributions and of distinct contributors that the public statistics,
// the report (with its default statuses) and a direct count give: the same
// parser, the same defaults (published only) and the same definitions.
func TestOneTruthForCounts(t *testing.T) {
	a, _, _ := rapporteurApp(t)
	db := a.deps.DB.SQL()
	for _, v := range []struct{ query, where string }{
		{"", "true"},
		{"axe=3", "a.position = 3"},
		{"categorie=elu", "c.author_category = 'elu'"},
		{"axe=3&categorie=association", "a.position = 3 AND c.author_category = 'association'"},
		{"region=53", "c.region_id = (SELECT id FROM territories WHERE kind = 'region' AND code = '53')"},
		{"entree=hubs", "c.entry = 'hubs'"},
	} {
		var n, people int
		err := db.QueryRow(`SELECT count(*), count(DISTINCT c.author_id) FROM contributions c JOIN axes a ON a.id = c.axis_id
			WHERE c.status = 'published' AND `+v.where).Scan(&n, &people)
		if err != nil {
			t.Fatal(err)
		}
		stats := a.statistics("/statistiques?" + v.query)
		_, report := a.get("/synthese/rapport?" + v.query)
		unit := func(n int, one, many string) string {
			if n > 1 {
				return many
			}
			return one
		}
		statsLead := fmt.Sprintf("%d %s, par %d %s.", n, unit(n, "contribution publiée", "contributions publiées"), people,
			unit(people, "contributeur distinct", "contributeurs distincts"))
		reportLead := fmt.Sprintf("%d %s, par %d %s.", n, unit(n, "contribution", "contributions"), people,
			unit(people, "contributeur distinct", "contributeurs distincts"))
		if n == 0 {
			continue
		}
		if !strings.Contains(stats, statsLead) {
			t.Errorf("%q: statistics lack %q", v.query, statsLead)
		}
		if !strings.Contains(report, reportLead) {
			t.Errorf("%q: report lacks %q", v.query, reportLead)
		}
	}
}
