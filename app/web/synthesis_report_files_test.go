package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/app/synthesis"
)

func TestReportPreparedInTheBackground(t *testing.T) {
	a, _, _ := rapporteurApp(t)
	if resp, _ := a.post("/synthese/rapport/preparer", url.Values{"filtres": {"axe=3"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("prepare: %d", resp.StatusCode)
	}
	if resp, body := a.post("/synthese/rapport/preparer", url.Values{"filtres": {""}}); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "déjà en préparation") {
		t.Errorf("second preparation: %d", resp.StatusCode)
	}
	_, body := a.get("/synthese/rapports")
	if !strings.Contains(body, "en attente") || strings.Contains(body, "/synthese/rapports/1/pdf") {
		t.Error("the waiting report is not listed as waiting")
	}
	if resp, _ := a.get("/synthese/rapports/1/pdf"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("download before it is ready: %d", resp.StatusCode)
	}
	if ran, err := synthesis.NewStore(a.deps.DB, nil).RunNextReportJob(context.Background()); err != nil || !ran {
		t.Fatalf("run: %v %v", ran, err)
	}
	_, body = a.get("/synthese/rapports")
	if !strings.Contains(body, "terminée (4 contributions)") || !strings.Contains(body, "Axes : axe 3") {
		t.Errorf("the prepared report is not listed: %s", body[strings.Index(body, "<h1"):])
	}
	resp, pdf := a.get("/synthese/rapports/1/pdf")
	if resp.StatusCode != 200 || !strings.HasPrefix(pdf, "%PDF-") || !strings.Contains(resp.Header.Get("Content-Disposition"), `filename="rapport-synthese-axe3-n1.pdf"`) {
		t.Errorf("PDF: %d %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	if resp, odt := a.get("/synthese/rapports/1/odt"); resp.StatusCode != 200 || !strings.HasPrefix(odt, "PK") {
		t.Errorf("ODT: %d", resp.StatusCode)
	}
	if resp, _ := a.get("/synthese/rapports/1/docx"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown format: %d", resp.StatusCode)
	}
}

// TestLargeViewReportOfferedToTheBackground checks that a view beyond
// reportInlineLimit is not computed in the request (33 s at 1,000,000): the
// report routes answer a page that offers the background preparation of
// that same view, and the preparation it offers works.
func TestLargeViewReportOfferedToTheBackground(t *testing.T) {
	a, _, _ := rapporteurApp(t)
	saved := reportInlineLimit
	reportInlineLimit = 3 // axis 3 of the fixture has 4 published contributions
	t.Cleanup(func() { reportInlineLimit = saved })
	const view = "axe=formation-structuration-filiere" // axe=3, as the workspace writes it
	for _, p := range []string{"/synthese/rapport?axe=3", "/synthese/rapport.pdf?axe=3", "/synthese/rapport.odt?axe=3"} {
		resp, body := a.get(p)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("%s: %d %s", p, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		for _, want := range []string{"Cette sélection compte 4 contributions", `action="/synthese/rapport/preparer"`,
			`name="filtres" value="` + view + `"`, "Préparer le rapport en arrière-plan", `href="/synthese?` + view + `"`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: no %q", p, want)
			}
		}
		if strings.Contains(body, `id="rapport"`) {
			t.Errorf("%s: the report was computed in the request", p)
		}
	}
	if resp, _ := a.post("/synthese/rapport/preparer", url.Values{"filtres": {view}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("prepare: %d", resp.StatusCode)
	}
	if _, body := a.get("/synthese/rapports"); !strings.Contains(body, "Axes : axe 3") {
		t.Error("the offered preparation is not listed")
	}
	// Under the limit, the same view is computed at once.
	reportInlineLimit = 4
	if resp, pdf := a.get("/synthese/rapport.pdf?axe=3"); resp.StatusCode != 200 || !strings.HasPrefix(pdf, "%PDF-") {
		t.Errorf("small view: %d, not a PDF", resp.StatusCode)
	}
}
