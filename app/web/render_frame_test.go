package web

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/consultation"
)

// TestFrameEqualsLayout checks that an anonymous page written inside the
// cached frame is byte for byte the page html/template gives with the whole
// layout: hostile titles and tokens, every phase, every navigation entry.
func TestFrameEqualsLayout(t *testing.T) {
	r, err := NewRenderer(viewsFS(), templateFuncs())
	if err != nil {
		t.Fatal(err)
	}
	tpl := r.pages[tplContributionShow] // the frame is the renderer's own
	axes := []consultation.Axis{{ID: 1, Position: 1, Slug: "mediation"}, {ID: 2, Position: 2, Slug: "aidants"}}
	cons := []consultation.Consultation{
		{ID: 1, OpensAt: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), Axes: axes},
		{ID: 1, OpensAt: time.Date(2027, 1, 15, 9, 0, 0, 0, time.UTC), Axes: axes[:1]},
		{}, // no consultation yet
	}
	titles := []string{"", "Médiation & <b>inclusion</b>", `"guillemets" et 'apostrophes' + plus`, "nul\x00octet", "é€😀 > fin"}
	paths := []string{"/", "/contributions", "/hubs", "/statistiques", "/axes/mediation", "/axes/aidants", "/axes/inconnu", "/contributions/12", "/donnees"}
	framed := 0
	for _, c := range cons {
		for _, phase := range []consultation.Phase{consultation.PhaseUpcoming, consultation.PhaseOpen, consultation.PhaseClosed} {
			for i, title := range titles {
				for _, path := range paths {
					p := Page{Title: title, Path: path, Consultation: c, Phase: phase, CSRF: "jeton+/=" + titles[(i+1)%len(titles)]}
					data := contributionShowPage{Page: p, HTML: template.HTML("<p>Le texte « principal » " + template.HTMLEscapeString(title) + "</p>")}
					var want, got bytes.Buffer
					if err := tpl.ExecuteTemplate(&want, "layout.html", data); err != nil {
						t.Fatal(err)
					}
					if r.frameFor(&p) == nil {
						t.Fatalf("no frame for %q %q", path, title)
					}
					framed++
					if err := r.execute(&got, tpl, data); err != nil {
						t.Fatal(err)
					}
					sameHTML(t, fmt.Sprintf("path %q, title %q, phase %d", path, title, phase), got.String(), want.String())
				}
			}
		}
	}
	if framed == 0 {
		t.Fatal("no page went through the frame")
	}
	// Signed-in pages carry the account's menu: never a shared frame.
	p := Page{Title: "Titre", Path: "/", Consultation: cons[0], Phase: consultation.PhaseOpen, CSRF: "jeton",
		User: &account.Viewer{ID: 7, DisplayName: "Camille <Durand>"}}
	var got bytes.Buffer
	if err := r.execute(&got, tpl, contributionShowPage{Page: p, HTML: "<p>x</p>"}); err != nil {
		t.Fatal(err)
	}
	if s := got.String(); !strings.Contains(s, "Mon compte (Camille &lt;Durand&gt;)") || !strings.Contains(s, "Se déconnecter") {
		t.Error("the signed-in page lost its account menu")
	}
	if n := len(r.frames.m); n == 0 || n > 3*3*2*7 {
		t.Errorf("%d frames kept, want one per navigation entry, phase, title presence and consultation", n)
	}
}
