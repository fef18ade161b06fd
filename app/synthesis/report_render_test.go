package synthesis_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/app/synthesis"
	"github.com/cnr-numerique/concertation/app/synthesis/synthesistest"
)

// rareText mixes emoji (with joiners and variation selectors), scripts the
// embedded font has (Greek, Cyrillic, Hebrew, Arabic) and scripts it lacks
// (Chinese, Devanagari, Tamil), and control characters.
const rareText = "Médiation 👩‍👩‍👧 ❤️ 🎓 — Ελληνικά, Русский, עברית, العربية, 中文汉字, हिन्दी, தமிழ் \u0007 fin."

func TestPDFNeverFailsOnAnyCharacter(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.db.SQL().Exec(`UPDATE contributions SET title = $1, body = $2 WHERE id = $3`, "Titre 😀 "+rareText, rareText+"\n\n"+strings.Repeat("Un long texte ", 80), e.fx.Formation); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.SQL().Exec(`UPDATE hubs SET name = name || ' 🚀' WHERE slug = 'hub-bretagne'`); err != nil {
		t.Fatal(err)
	}
	r, err := e.store.Report(ctx, e.refs, e.filter("", false))
	if err != nil {
		t.Fatal(err)
	}
	var pdf bytes.Buffer
	if err := synthesis.WritePDF(&pdf, r, "Rapport"); err != nil {
		t.Fatalf("PDF with emoji and rare scripts: %v", err)
	}
	if out := os.Getenv("REPORT_PDF_OUT"); out != "" {
		_ = os.WriteFile(out, pdf.Bytes(), 0o644)
	}
	var odt bytes.Buffer
	if err := synthesis.WriteODT(&odt, r, "Rapport"); err != nil {
		t.Fatal(err)
	}
	content := odtContent(t, odt.Bytes())
	if !strings.Contains(content, "👩‍👩‍👧") || !strings.Contains(content, "中文汉字") {
		t.Error("the ODT does not keep the characters as written")
	}
	if strings.ContainsRune(content, '\u0007') {
		t.Error("the ODT holds a control character")
	}
}

func TestPDFTextFallback(t *testing.T) {
	got, replaced := synthesis.PDFText("Café 😀 Ελληνικά 中 \u0007👍🏽")
	if !replaced || !strings.Contains(got, "[U+1F600]") || !strings.Contains(got, "Ελληνικά") || !strings.Contains(got, "[U+4E2D]") || strings.ContainsRune(got, '\u0007') {
		t.Errorf("PDFText: %q", got)
	}
	if got, replaced := synthesis.PDFText("Élu·e, « citée »"); replaced || got != "Élu·e, « citée »" {
		t.Errorf("French text changed: %q", got)
	}
}

// wellFormed checks that every XML and SVG file of an OpenDocument package
// parses.
func wellFormed(t *testing.T, b []byte) {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range z.File {
		if !strings.HasSuffix(f.Name, ".xml") && !strings.HasSuffix(f.Name, ".svg") {
			continue
		}
		rc, _ := f.Open()
		d := xml.NewDecoder(rc)
		for {
			_, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Errorf("%s: %v", f.Name, err)
				break
			}
		}
		rc.Close()
	}
}

func odtContent(t *testing.T, b []byte) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range z.File {
		if f.Name == "content.xml" {
			rc, _ := f.Open()
			c, _ := io.ReadAll(rc)
			return string(c)
		}
	}
	t.Fatal("no content.xml")
	return ""
}

func TestReportWithCorpusHasEverySection(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	synthesistest.LoadCorpus(t, e.db, 0)
	run := runThemes(t, e, 8, e.fx.Bernard)
	themes, err := e.store.Themes(ctx, run.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.RenameTheme(ctx, themes[0].ID, e.fx.Bernard, "Thème validé pour le rapport"); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetThemeStatus(ctx, themes[0].ID, e.fx.Bernard, synthesis.ThemeValidated); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetPublicNote(ctx, e.fx.Formation, "Proposition reprise dans la recommandation 3."); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetPublicNote(ctx, e.fx.HubProp, "x"); err != synthesis.ErrNotFound {
		t.Errorf("public note on a contribution not retained: %v", err)
	}
	if _, err := e.db.SQL().Exec(`INSERT INTO official_answers (contribution_id, state, body) VALUES ($1, 'partielle', 'Retenue pour la formation continue.')`, e.fx.HubProp); err != nil {
		t.Fatal(err)
	}
	r, err := e.store.Report(ctx, e.refs, e.filter("axe=1&axe=3", false))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Axes) != 2 || r.Axes[0].Code == r.Axes[1].Code {
		t.Errorf("axes of the view: %d", len(r.Axes))
	}
	for _, ct := range r.Cross {
		if len(ct.Columns) != 2 {
			t.Errorf("%s: columns %v, want the two axes of the view", ct.Title, ct.Columns)
		}
	}
	if len(r.Themes) != 1 || r.Themes[0].Label != "Thème validé pour le rapport" || len(r.Themes[0].Quotes) == 0 || r.Themes[0].InView == 0 || len(r.Themes[0].ByAxis) == 0 {
		t.Errorf("themes %+v", r.Themes)
	}
	if len(r.Retained) != 1 || r.Retained[0].PublicNote == "" || len(r.Retained[0].Tags) != 1 || !strings.Contains(r.Retained[0].Body, "formations continues") {
		t.Errorf("retained %+v", r.Retained)
	}
	if r.Answers.Total != 1 || r.Answers.ByState[2].Contributions != 1 || r.Answers.Items[0].State != "partiellement retenue" {
		t.Errorf("answers %+v", r.Answers)
	}
	var pdf, odt bytes.Buffer
	if err := synthesis.WritePDF(&pdf, r, "Rapport"); err != nil {
		t.Fatal(err)
	}
	if out := os.Getenv("REPORT_PDF_OUT"); out != "" {
		_ = os.WriteFile(strings.TrimSuffix(out, ".pdf")+"-corpus.pdf", pdf.Bytes(), 0o644)
	}
	if err := synthesis.WriteODT(&odt, r, "Rapport"); err != nil {
		t.Fatal(err)
	}
	if out := os.Getenv("REPORT_PDF_OUT"); out != "" {
		_ = os.WriteFile(strings.TrimSuffix(out, ".pdf")+"-corpus.odt", odt.Bytes(), 0o644)
	}
	wellFormed(t, odt.Bytes())
	content := odtContent(t, odt.Bytes())
	for _, want := range []string{"Thème validé pour le rapport", "Proposition reprise dans la recommandation 3.", "partiellement retenue",
		"Pictures/image1.svg", "Contributions par région et par axe", "pour 100 000 habitants", "CC BY 4.0"} {
		if !strings.Contains(content, want) {
			t.Errorf("ODT lacks %q", want)
		}
	}
	if strings.Contains(content, "Axe 2 :") {
		t.Error("ODT shows axis 2, outside the filter")
	}
}

func TestReportOnAnEmptyViewSaysSo(t *testing.T) {
	e := newEnv(t)
	r, err := e.store.Report(context.Background(), e.refs, e.filter("q=zzzintrouvable", false))
	if err != nil {
		t.Fatal(err)
	}
	if !r.Empty {
		t.Fatal("not empty")
	}
	var pdf, odt bytes.Buffer
	if err := synthesis.WritePDF(&pdf, r, "Rapport"); err != nil {
		t.Fatal(err)
	}
	if err := synthesis.WriteODT(&odt, r, "Rapport"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(odtContent(t, odt.Bytes()), "Aucune contribution ne correspond à cette sélection") {
		t.Error("the empty report does not say so")
	}
}
