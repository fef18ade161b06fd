package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/app/account"
)

func TestOfficialAnswerIsPublishedOnTheContributionAndExported(t *testing.T) {
	a, fx, u := rapporteurApp(t)
	path := fmt.Sprintf("/synthese/contributions/%d/reponse", fx.Formation)
	form := url.Values{"etat": {"partielle"}, "reponse": {"Retenue pour la formation continue 🎓, pas pour le diplôme."}}
	if resp, body := a.post(path, form); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "administrateurs") {
		t.Errorf("answer by a rapporteur: %d", resp.StatusCode)
	}
	if err := a.deps.Accounts.GrantRole(context.Background(), u.ID, account.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	if resp, _ := a.post(path, url.Values{"etat": {"peut-etre"}, "reponse": {"x"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad state: %d", resp.StatusCode)
	}
	if resp, _ := a.post(path, url.Values{"etat": {"retenue"}, "reponse": {"  "}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("empty answer: %d", resp.StatusCode)
	}
	if resp, _ := a.post(path, form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("answer by an admin: %d", resp.StatusCode)
	}
	_, body := a.get(fmt.Sprintf("/contributions/%d", fx.Formation))
	if !strings.Contains(body, "Réponse officielle : partiellement retenue") || !strings.Contains(body, "formation continue 🎓") {
		t.Error("the answer is not on the contribution page")
	}
	_, body = a.get(fmt.Sprintf("/synthese/contributions/%d", fx.Formation))
	if !strings.Contains(body, "Modifier la réponse officielle") {
		t.Error("the workspace page does not show the answer form with the answer")
	}
	resp, body := a.get("/synthese/export/contributions.csv?axe=3&categorie=elu")
	if !strings.Contains(body, "reponse_officielle_etat") || !strings.Contains(body, "partiellement retenue") {
		t.Error("the export lacks the answer")
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "synthese-axe3-elu-") || !strings.HasSuffix(cd, `-contributions.csv"`) {
		t.Errorf("file name %q does not carry the filter", cd)
	}
	_, body = a.get("/synthese/rapport?axe=3")
	if !strings.Contains(body, "partiellement retenue") || !strings.Contains(body, "Réponses officielles") {
		t.Error("the report lacks the answer")
	}
	var audits int
	if err := a.deps.DB.SQL().QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'answer.set'`).Scan(&audits); err != nil || audits != 1 {
		t.Errorf("%d audit lines (%v)", audits, err)
	}

	// A filter of the public lists, with its counts, and a figure of the
	// public statistics.
	visitor := &testApp{t: t, app: a.app, deps: a.deps, jar: map[string]string{}}
	_, body = visitor.get("/contributions")
	if !strings.Contains(body, `<option value="partielle">partiellement retenue (1)</option>`) {
		t.Error("the lists lack the official answer filter with its count")
	}
	_, body = visitor.get("/contributions?reponse=partielle")
	if !strings.Contains(body, "<strong>1</strong> contribution<") || !strings.Contains(body, fmt.Sprintf(`href="/contributions/%d"`, fx.Formation)) {
		t.Error("the answer filter does not keep the answered contribution only")
	}
	_, body = visitor.get("/contributions?reponse=retenue")
	if !strings.Contains(body, "<strong>0</strong> contribution<") {
		t.Error("the answer filter keeps contributions without that answer")
	}
	stats := visitor.statistics("/statistiques")
	if !strings.Contains(stats, `<th scope="row">partiellement retenue</th><td>1</td>`) {
		t.Error("the statistics lack the official answers")
	}
	if stats := visitor.statistics("/statistiques?reponse=partielle"); !strings.Contains(stats, "1 contribution publiée") {
		t.Error("statistics filtered by answer")
	}
}

func TestRetainedContributionsInTheReportWithTheirPublicNote(t *testing.T) {
	a, fx, _ := rapporteurApp(t)
	path := fmt.Sprintf("/synthese/contributions/%d/note-publique", fx.Formation)
	if resp, _ := a.post(path, url.Values{"note_publique": {"Reprise dans la recommandation 3."}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("public note: %d", resp.StatusCode)
	}
	if resp, body := a.post(fmt.Sprintf("/synthese/contributions/%d/note-publique", fx.HubProp), url.Values{"note_publique": {"x"}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Retenez d") {
		t.Errorf("public note on a contribution not retained: %d", resp.StatusCode)
	}
	_, body := a.get("/synthese/rapport")
	for _, want := range []string{"Contributions retenues pour le rapport", "Reprise dans la recommandation 3.", "étiquettes : formation",
		"Les médiateurs numériques ont besoin de formations continues.", "Finistère (29)"} {
		if !strings.Contains(body, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	_, body = a.get("/synthese")
	if !strings.Contains(body, "Seulement les retenues") || !strings.Contains(body, "retenue=1") {
		t.Error("no export of the retained contributions only")
	}
	resp, body := a.get("/synthese/export/contributions.csv?retenue=1")
	records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(records) != 2 || records[1][0] != fmt.Sprint(fx.Formation) || !strings.Contains(resp.Header.Get("Content-Disposition"), "-retenues-") {
		t.Errorf("export of the retained ones: %q, %d records (%v)", resp.Header.Get("Content-Disposition"), len(records), err)
	}
}

func TestReportOnAnEmptyViewIsAValidDocument(t *testing.T) {
	a, _, _ := rapporteurApp(t)
	for _, p := range []string{"/synthese/rapport", "/synthese/rapport.pdf", "/synthese/rapport.odt"} {
		resp, body := a.get(p + "?q=zzzintrouvable")
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
		if p == "/synthese/rapport" && !strings.Contains(body, "Aucune contribution ne correspond à cette sélection") {
			t.Error("the empty report does not say so")
		}
		if cd := resp.Header.Get("Content-Disposition"); p != "/synthese/rapport" && !strings.Contains(cd, `filename="rapport-synthese-recherche-zzzintrouvable-`) {
			t.Errorf("%s: file name %q does not carry the filter", p, cd)
		}
	}
}
