package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/app/synthesis"
	"github.com/cnr-numerique/concertation/app/synthesis/synthesistest"
)

func TestThemesJourneyOfARapporteur(t *testing.T) {
	a, _, _ := rapporteurApp(t)
	ctx := context.Background()
	synthesistest.LoadCorpus(t, a.deps.DB, 0)
	resp, _ := a.post("/synthese/themes/analyses", url.Values{"nombre": {"8"}, "filtres": {""}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("request analysis: %d", resp.StatusCode)
	}
	resp, body := a.post("/synthese/themes/analyses", url.Values{"nombre": {"8"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "déjà en cours") {
		t.Errorf("second analysis: %d", resp.StatusCode)
	}
	_, body = a.get("/synthese/themes")
	if !strings.Contains(body, "en attente") || !strings.Contains(body, "Actualiser") {
		t.Errorf("themes page does not show the waiting analysis")
	}
	if ran, err := synthesis.NewStore(a.deps.DB, nil).RunNextThemeJob(ctx); err != nil || !ran {
		t.Fatalf("run: %v %v", ran, err)
	}
	resp, body = a.get("/synthese/themes")
	if resp.StatusCode != 200 || strings.Count(body, "Thème n° ") != 8 || !strings.Contains(body, "Les plus représentatives") {
		t.Fatalf("themes page: %d", resp.StatusCode)
	}
	var id int64
	if err := a.deps.DB.SQL().QueryRow(`SELECT id FROM synthesis_themes ORDER BY id LIMIT 1`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/synthese/themes/%d", id)
	if resp, _ := a.post(path+"/renommer", url.Values{"libelle": {"Médiation de proximité"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("rename: %d", resp.StatusCode)
	}
	if resp, _ := a.post(path+"/renommer", url.Values{"libelle": {" "}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("empty label: %d", resp.StatusCode)
	}
	if resp, _ := a.post(path+"/statut", url.Values{"statut": {"valide"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("validate: %d", resp.StatusCode)
	}
	if resp, _ := a.post(path+"/contributions", url.Values{"numero": {"999999"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("add unknown contribution: %d", resp.StatusCode)
	}
	resp, body = a.get(path)
	if resp.StatusCode != 200 || !strings.Contains(body, "Médiation de proximité") || !strings.Contains(body, "renommé de") || !strings.Contains(body, "Rapporteure") {
		t.Errorf("theme page: %d, history missing", resp.StatusCode)
	}
	_, body = a.get("/synthese/rapport")
	if !strings.Contains(body, "Médiation de proximité") || !strings.Contains(body, fmt.Sprintf("thème n° %d", id)) {
		t.Errorf("the validated theme is not in the report")
	}
}

func TestThemeEditByANonRapporteurIsRefusedAndChangesNothing(t *testing.T) {
	a, _, _ := rapporteurApp(t)
	synthesistest.LoadCorpus(t, a.deps.DB, 40)
	db := a.deps.DB.SQL()
	var run, theme int64
	if err := db.QueryRow(`INSERT INTO synthesis_theme_runs (consultation_id, themes_wanted, status) SELECT id, 2, 'done' FROM consultations LIMIT 1 RETURNING id`).Scan(&run); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`INSERT INTO synthesis_themes (run_id, position, label, auto_label) VALUES ($1, 1, 'Libellé', 'Libellé') RETURNING id`, run).Scan(&theme); err != nil {
		t.Fatal(err)
	}
	u := a.newUser("citoyen@exemple.fr", "Citoyen")
	a.signIn(u.ID)
	for _, r := range []struct {
		path string
		form url.Values
	}{
		{"/renommer", url.Values{"libelle": {"Piraté"}}},
		{"/statut", url.Values{"statut": {"valide"}}},
		{"/scinder", nil},
		{"/contributions", url.Values{"numero": {"1"}}},
	} {
		resp, body := a.post(fmt.Sprintf("/synthese/themes/%d%s", theme, r.path), r.form)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "réservé aux rapporteurs") {
			t.Errorf("%s by a citizen: %d", r.path, resp.StatusCode)
		}
	}
	var label, status string
	var history, runs, members int
	if err := db.QueryRow(`SELECT label, status, (SELECT count(*) FROM synthesis_theme_history), (SELECT count(*) FROM synthesis_theme_runs),
		(SELECT count(*) FROM synthesis_theme_members) FROM synthesis_themes WHERE id = $1`, theme).Scan(&label, &status, &history, &runs, &members); err != nil {
		t.Fatal(err)
	}
	if label != "Libellé" || status != "propose" || history != 0 || runs != 1 || members != 0 {
		t.Errorf("refused edits changed the theme: %s %s, %d history lines, %d runs, %d members", label, status, history, runs, members)
	}
}
