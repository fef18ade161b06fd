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
